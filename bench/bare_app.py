"""The lookup benchmark's baseline: `python -m bench.bare_app`.

A Bolt app configured like the bot's own (`bot.slack.app.create_app`: the same Web API client, the
signing secret, `process_before_response`, `auth.test` once at start-up), whose `/career` listener
acks a constant. It is served by `bot.web.serve`, so gunicorn's settings (gthread, workers,
threads, timeouts) are the web process's. What the web process spends beyond this app is the bot's
own work: parsing the command, resolving the role and rendering its card.

It reads the same environment as the bot (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL,
PORT, WEB_CONCURRENCY).
"""

from __future__ import annotations

import logging
import sys

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import load_settings
from bot.slack.client import make_web_client
from bot.web import SLACK_PATH, serve

ANSWER = "ok"


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


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    settings = load_settings()
    handler = SlackRequestHandler(create_bare_app(), path=SLACK_PATH)
    serve(handler, port=settings.port, workers=settings.web_concurrency)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
