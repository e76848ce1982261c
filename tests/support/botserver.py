"""The real WSGI app (Bolt + /healthz) served on 127.0.0.1:0 in a thread, driven by signed requests."""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.config import Settings, load_settings
from bot.services import Services, build_services
from bot.slack.app import create_app
from bot.web import WebApp
from tests.support.http import Response, request
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET, action_body, command_body, signed_headers
from tests.support.slack_api import StubSlackApi

FORM = "application/x-www-form-urlencoded"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def settings_for(stub: StubSlackApi, content_dir, **extra: str) -> Settings:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": stub.api_url,
        "CONTENT_DIR": str(content_dir),
        "DATABASE_URL": "sqlite://",
    }
    env.update(extra)
    return load_settings(env)


class BotServer:
    def __init__(self, services: Services, stub: StubSlackApi):
        self.services = services
        self.stub = stub
        self.app = create_app(services)
        health = lambda: {"ok": services.healthy, "roles": len(services.catalog)}  # noqa: E731
        self.httpd = make_server("127.0.0.1", 0, WebApp(self.app, health), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def start(self) -> "BotServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def post_signed(self, body: str, content_type: str = FORM, **sign) -> Response:
        return request(self.url + "/slack/events", body, signed_headers(body, content_type, **sign))

    def command(self, text: str, **fields) -> Response:
        fields.setdefault("response_url", self.stub.response_url("cmd"))
        return self.post_signed(command_body(text, **fields))

    def press(self, action_id: str, value: str, **fields) -> Response:
        return self.post_signed(action_body(action_id, value, response_url=self.stub.response_url("act"), **fields))


def start_bot(stub: StubSlackApi, content_dir, rng=None, **env: str) -> BotServer:
    return BotServer(build_services(settings_for(stub, content_dir, **env), rng=rng), stub).start()
