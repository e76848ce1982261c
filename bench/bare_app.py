"""The lookup benchmark's baselines: `python -m bench.bare_app [--best]`.

A Bolt app configured like the bot's own (`bot.slack.app.create_app`: the same Web API client, the
signing secret, `process_before_response`, `auth.test` once at start-up), whose `/career` listener
acks a constant. What the web process spends beyond this app is the bot's own work: parsing the
command, resolving the role and answering with its card.

It is served in one of two ways:

- by default, by `bot.web.serve` with the bot's own settings (WEB_CONCURRENCY and gunicorn's worker
  class, threads and timeouts): the *same-config* baseline, which isolates the bot's own work;
- with `--best`, the way a bare Bolt app is served fastest on this machine: gunicorn's sync workers,
  one per core, nothing else. This is the baseline the lookup target is judged against, so that the
  web process's server configuration is measured too, not only its listener.

It reads the same environment as the bot (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL,
PORT, WEB_CONCURRENCY).
"""

from __future__ import annotations

import argparse
import logging
import sys

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import available_cores, load_settings
from bot.slack.client import make_web_client
from bot.web import SLACK_PATH, serve

ANSWER = "ok"
BEST_WORKER_CLASS = "sync"


def create_bare_app() -> App:
    settings = load_settings()
    settings.require_http()
    app = App(
        client=make_web_client(settings),
        signing_secret=settings.signing_secret or "",
        process_before_response=True,
        token_verification_enabled=True,
    )

    @app.command("/career")
    def career(ack: Ack) -> None:
        ack(text=ANSWER)

    return app


def best_workers() -> int:
    return available_cores()


def serve_best(wsgi_app, port: int) -> None:
    """gunicorn's sync workers, one per core, bound to 0.0.0.0:`port`."""
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"0.0.0.0:{port}")
            self.cfg.set("workers", best_workers())
            self.cfg.set("worker_class", BEST_WORKER_CLASS)
            self.cfg.set("preload_app", True)
            self.cfg.set("accesslog", None)
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self):
            return wsgi_app

    _Server().run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bare_app", description=__doc__.splitlines()[0])
    parser.add_argument("--best", action="store_true", help="serve with gunicorn sync workers, one per core, instead of bot.web.serve")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    settings = load_settings()
    handler = SlackRequestHandler(create_bare_app(), path=SLACK_PATH)
    if args.best:
        serve_best(handler, port=settings.port)
    else:
        serve(handler, port=settings.port, workers=settings.web_concurrency)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
