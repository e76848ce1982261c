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

Every POST to /slack/events passes the front door before Bolt sees it: a body over 1 MiB is
refused from its Content-Length alone (413) and never read, and the Slack signature is checked over
the raw bytes before anything is decoded or parsed. A request refused there costs one short log
line, which carries nothing the sender chose. Bolt's own check is then off (bot.slack.app): it
would read and decode the whole body first, and log it when the signature does not match.

The web process speaks plain HTTP, so something in front of it ends Slack's HTTPS; that front end
should buffer requests (Heroku's router, nginx and cloud load balancers do), because a sync worker
gives its whole time to one connection and a client that sends slowly would hold it.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.views.oauth_pages import failure_page

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"

# Slack's requests are a few KB; a 40,000-character reply edited (its text repeated in `blocks`)
# stays under 200 KB.
MAX_BODY_BYTES = 1024 * 1024
# Slack's rule: a signature whose timestamp is more than 5 minutes from our clock is refused, so a
# captured request cannot be sent again later.
SIGNATURE_WINDOW_S = 5 * 60
_DIGITS = re.compile(r"[0-9]{1,12}")  # ASCII only: str.isdigit() takes "²" and Arabic-Indic digits

# The install pages are whole documents of their own (inline CSS, no scripts, nothing loaded from
# elsewhere): the policy says so to the browser. The install page carries a state good once, and
# the redirect's URL a code and a state, so nothing is cached and no referrer leaves the page.
PAGE_HEADERS = [
    ("Cache-Control", "no-store"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
]


class WebApp:
    """`signing_secret` is the app's (SLACK_SIGNING_SECRET); `now` is the clock the signature window
    is read against (the epoch seconds of time.time)."""

    def __init__(
        self,
        bolt_app: App,
        health: Callable[[], dict],
        signing_secret: str,
        now: Callable[[], float] = time.time,
    ):
        if not signing_secret:
            raise ValueError("the web app needs the signing secret: every request is checked against it")
        self._slack = SlackRequestHandler(bolt_app, path=SLACK_PATH)
        self._health = health
        self._secret = signing_secret.encode()
        self._now = now
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
            return self._slack_request(environ, start_response)
        if path in self._oauth_paths:
            if method != "GET":
                return _plain(start_response, "405 Method Not Allowed", "Open this page in a browser.")
            try:
                # The pages read their query string only: Bolt's adapter would read any body sent.
                return self._slack(_without_body(environ), _with_headers(start_response, PAGE_HEADERS))
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

    def _slack_request(self, environ: dict, start_response) -> Iterable[bytes]:
        length = _content_length(environ)
        if length is None:
            log.warning("refused a request to %s: no readable Content-Length", SLACK_PATH)
            return _plain(start_response, "400 Bad Request", "Content-Length required.")
        if length > MAX_BODY_BYTES:
            log.warning("refused a request to %s: its body is over %d bytes", SLACK_PATH, MAX_BODY_BYTES)
            return _plain(start_response, "413 Content Too Large", "Request body too large.")
        raw = environ["wsgi.input"].read(length) if length else b""
        if len(raw) != length:
            log.warning("refused a request to %s: its body ended before its Content-Length", SLACK_PATH)
            return _plain(start_response, "400 Bad Request", "Incomplete body.")
        refused = self._unsigned(environ, raw, self._now())
        if refused is not None:
            log.warning("refused a request to %s: %s", SLACK_PATH, refused)
            return _plain(start_response, "401 Unauthorized", "Invalid request signature.")
        try:
            return self._slack({**environ, "wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(length)}, start_response)
        except Exception as exc:  # noqa: BLE001 - a signed but malformed body (not UTF-8, too deep) trips Bolt's parser
            log.warning("rejected a signed request to %s that could not be read (%s)", SLACK_PATH, type(exc).__name__)
            return _plain(start_response, "400 Bad Request", "Bad request.")

    def _unsigned(self, environ: dict, raw: bytes, now: float) -> str | None:
        """Why the request is not Slack's, or None when its signature holds: Slack's v0 HMAC-SHA256
        of `v0:{timestamp}:{body}` over the bytes as received. The reasons quote nothing the sender
        wrote (the skew is a number worked out here), so a refused request cannot write into the log."""
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        given = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not timestamp or not given:
            return "no Slack signature"
        if not _DIGITS.fullmatch(timestamp):
            return "an unreadable signature timestamp"
        skew = int(now) - int(timestamp)
        if abs(skew) > SIGNATURE_WINDOW_S:
            return f"its signature timestamp is {abs(skew)} s {'behind' if skew > 0 else 'ahead of'} this server's clock (at most {SIGNATURE_WINDOW_S} s)"
        expected = "v0=" + hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
        # WSGI gives header values as latin-1 text: as bytes, any value can be compared.
        if not hmac.compare_digest(expected.encode(), given.encode("latin-1", "replace")):
            return "its signature does not match (a wrong or rotated SLACK_SIGNING_SECRET, or not from Slack)"
        return None


def _content_length(environ: dict) -> int | None:
    """The declared body size, or None when it is missing or not a number. A number too long to be
    a size is still one: it is answered as too large."""
    value = environ.get("CONTENT_LENGTH") or ""
    if _DIGITS.fullmatch(value):
        return int(value)
    return MAX_BODY_BYTES + 1 if value.isascii() and value.isdigit() else None


def _without_body(environ: dict) -> dict:
    return {**environ, "wsgi.input": io.BytesIO(b""), "CONTENT_LENGTH": "0"}


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

    # What the app loaded before the fork lives as long as the process: kept out of the cyclic garbage
    # collector, the workers share those pages instead of copying them when a collection touches them,
    # their collections stay short, and a worker exits in a fraction of a second instead of walking
    # the whole heap once more on its way out (about 1 s on 2 cores, more under load).
    gc.collect()
    gc.freeze()
    _Server().run()
