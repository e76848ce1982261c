"""HTTP mode: a WSGI app (Slack at POST /slack/events, GET /healthz) served by gunicorn.

gunicorn runs sync workers, WEB_CONCURRENCY of them (one per core by default). A sync worker is a
process that serves one request at a time, the cheapest way to serve what the bot answers before
its ack: a lookup from memory, or an event's short database write. Work that waits on Slack's Web
API runs on threads of their own once the request is answered (Bolt's lazy listeners, the drill
scheduler started in each worker), so it never holds a worker; a sync worker lets such threads run
beside it. gthread workers were measured too: on this kind of load they answer more requests per
second but with a p99 several times longer (see docs/PERFORMANCE.md).

In OAuth mode (the Bolt app has an oauth_flow) it also serves the install pages, GET /slack/install
and GET /slack/oauth_redirect, through the same Bolt adapter; without one those paths are 404.

The web process speaks plain HTTP, so something in front of it ends Slack's HTTPS; that front end
should buffer requests (Heroku's router, nginx and cloud load balancers do), because a sync worker
gives its whole time to one connection and a client that sends slowly would hold it.
"""

from __future__ import annotations

import json
import logging
from typing import Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.views.oauth_pages import failure_page

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"

# The install pages are whole documents of their own (inline CSS, no scripts, nothing loaded from
# elsewhere): the policy says so to the browser. The install page carries a state good once, and
# the redirect's URL a code and a state, so nothing is cached and no referrer leaves the page.
PAGE_HEADERS = [
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
]


class WebApp:
    def __init__(self, bolt_app: App, health: Callable[[], dict]):
        self._slack = SlackRequestHandler(bolt_app, path=SLACK_PATH)
        self._health = health
        flow = bolt_app.oauth_flow
        self._oauth_paths = frozenset((flow.install_path, flow.redirect_uri_path)) if flow is not None else frozenset()

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            report = self._health()
            status = "200 OK" if report.get("ok") else "503 Service Unavailable"
            body = json.dumps(report).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body] if method == "GET" else [b""]
        if path == SLACK_PATH:
            if method != "POST":
                return _plain(start_response, "405 Method Not Allowed", "Slack sends POST requests here.")
            try:
                return self._slack(environ, start_response)
            except Exception:  # noqa: BLE001 - a signed but malformed payload can trip Bolt itself
                log.exception("rejected a Slack request that could not be handled")
                return _plain(start_response, "400 Bad Request", "Bad request.")
        if path in self._oauth_paths:
            if method != "GET":
                return _plain(start_response, "405 Method Not Allowed", "Open this page in a browser.")
            try:
                return self._slack(environ, _with_headers(start_response, PAGE_HEADERS))
            except Exception as exc:  # noqa: BLE001 - the member gets a page, whatever failed
                # The type only: a database error's text would carry the installation's values.
                log.error("could not serve %s (%s)", path, type(exc).__name__)
                body = failure_page("server_error").encode()
                start_response(
                    "500 Internal Server Error",
                    [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))), *PAGE_HEADERS],
                )
                return [body]
        return _plain(start_response, "404 Not Found", "Not found.")


def _with_headers(start_response, extra: list[tuple[str, str]]):
    def start(status: str, headers: list[tuple[str, str]], exc_info=None):
        return start_response(status, [*headers, *extra], exc_info)

    return start


def _plain(start_response, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


WORKER_CLASS = "sync"
TIMEOUT_S = 30  # a worker stuck in one request this long is restarted
GRACEFUL_TIMEOUT_S = 10  # on shutdown, for requests and lazy listeners in flight


def serve(wsgi_app: WebApp, port: int, workers: int, on_worker_start: Callable[[], None] | None = None) -> None:
    """Run under gunicorn (a production server) with `workers` sync workers, bound to $PORT.

    `on_worker_start` runs in each worker after gunicorn forks it: threads started before the fork
    would not exist in the worker."""
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"0.0.0.0:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", WORKER_CLASS)
            self.cfg.set("timeout", TIMEOUT_S)
            self.cfg.set("graceful_timeout", GRACEFUL_TIMEOUT_S)
            self.cfg.set("preload_app", True)
            self.cfg.set("accesslog", None)
            if "control_socket_disable" in self.cfg.settings:
                # One shared control socket path would collide between replicas on one machine.
                self.cfg.set("control_socket_disable", True)
            if on_worker_start is not None:
                self.cfg.set("post_worker_init", lambda worker: on_worker_start())

        def load(self):
            return wsgi_app

    _Server().run()
