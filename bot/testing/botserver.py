"""The real WSGI app (Bolt + /healthz) served on 127.0.0.1:0 in a thread, driven by signed requests."""

from __future__ import annotations

import json
import random
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.composition import build_slack_bot, build_web_app, utc_now
from bot.config import Settings, load_settings
from bot.testing import ADMIN, CONTENT_DIR, ROOT, TEAM_ID
from bot.testing.fakes import Clock
from bot.testing.http import Response, request
from bot.testing.signing import (
    BOT_TOKEN,
    SIGNING_SECRET,
    action_body,
    command_body,
    signed_headers,
)
from bot.testing.slack_api import StubSlackApi

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
        "ADMIN_USER_IDS": ADMIN,
        "DEFAULT_TIMEZONE": "UTC",
    }
    env.update(extra)
    return load_settings(env)


class LazyListeners(ThreadPoolExecutor):
    """Bolt's lazy listeners run here, as on Bolt's own pool; `settle()` waits until every one
    started so far has finished, so a test can check what a request did after its ack."""

    def __init__(self) -> None:
        super().__init__(max_workers=5, thread_name_prefix="lazy")
        self._futures: list[Future] = []
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._futures.append(future)
        return future

    def settle(self, timeout: float = 10.0) -> None:
        with self._lock:
            pending = list(self._futures)
        done, not_done = wait(pending, timeout=timeout)
        assert not not_done, f"{len(not_done)} lazy listener(s) still running after {timeout}s"


class BotServer:
    """The HTTP app as `python -m bot web` builds it; the scheduler is not started; tests call
    `tick()` with the injected clock instead of waiting for the wall clock."""

    def __init__(self, settings: Settings, stub: StubSlackApi, clock=utc_now, rng=None, wall=None):
        """`wall`: the web process's wall clock (epoch seconds) for signatures, when a test moves it."""
        self.lazy = LazyListeners()
        self.wall = wall
        slack = build_slack_bot(settings, clock=clock, rng=rng, listener_executor=self.lazy)
        self.core, self.app = slack.bot, slack.app
        self.home = slack.home  # the App Home's publisher and debounced refresh (tests call home.refresh.flush())
        self._answers = 0
        self.clock_: Any = clock  # the injected clock, for tests that move it
        self._commands = 0
        self.stub = stub
        self.clock = clock
        self.httpd = make_server(
            "127.0.0.1",
            0,
            build_web_app(slack, **({"now": wall} if wall is not None else {})),
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def start(self) -> BotServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.lazy.shutdown(wait=False)
        # A debounced Home refresh still pending would fire after this test's database is dropped
        # and log its failure into whichever test runs next.
        if self.home is not None:
            self.home.refresh.discard()
        self.httpd.server_close()
        self.core.engine.dispose()

    def tick(self):
        return self.core.cycle.tick(self.clock())

    def event(self, event: dict, event_id: str, retry: int | None = None, team_id: str = TEAM_ID, event_time: int = 1800000000) -> Response:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": team_id,
                "api_app_id": "A0001",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": event_time,
                "event": event,
            }
        )
        headers = self.signed(body, "application/json")
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return request(self.url + "/slack/events", body, headers)

    def signed(self, body: str, content_type: str, **sign) -> dict[str, str]:
        """Signed headers, at the web process's wall clock when the test moves it."""
        if self.wall is not None:
            sign.setdefault("timestamp", int(self.wall()))
        return signed_headers(body, content_type, **sign)

    def post_signed(self, body: str, content_type: str = FORM, **sign) -> Response:
        return request(self.url + "/slack/events", body, self.signed(body, content_type, **sign))

    def command(self, text: str, **fields) -> Response:
        # Each slash command has its own response_url, as in Slack: two commands are two requests,
        # never one request sent twice (a replay).
        self._commands += 1
        fields.setdefault("response_url", self.stub.response_url(f"cmd-{self._commands}"))
        return self.post_signed(command_body(text, **fields))

    def answer(self, text: str, **fields) -> dict:
        """The answer a user sees to a command: in the ack (lookups) or, after an empty ack, through
        the command's response_url (commands that wait on the database or Slack)."""
        self._answers += 1
        name = f"cmd{self._answers}"
        ack = self.command(text, response_url=self.stub.response_url(name), **fields)
        assert ack.status == 200, ack.status
        if ack.body.strip():
            return ack.json()
        return self.stub.answer_at(name)

    def press(self, action_id: str, value: str, **fields) -> Response:
        return self.post_signed(action_body(action_id, value, response_url=self.stub.response_url("act"), **fields))

    def press_answer(self, action_id: str, value: str, **fields) -> dict:
        """What a user sees after pressing a button: the lazy answer sent to its response_url."""
        self._answers += 1
        name = f"act{self._answers}"
        ack = self.post_signed(action_body(action_id, value, response_url=self.stub.response_url(name), **fields))
        assert ack.status == 200, ack.status
        return self.stub.answer_at(name)


def start_bot(stub: StubSlackApi, content_dir=CONTENT_DIR, rng=None, clock=utc_now, wall=None, **env: str) -> BotServer:
    return BotServer(settings_for(stub, content_dir, **env), stub, clock=clock, rng=rng, wall=wall).start()


MORNING = datetime(2026, 11, 25, 8, 58, tzinfo=timezone.utc)  # a Wednesday, two minutes before the usual 09:00 drill


def drill_server(stub: StubSlackApi, database_url: str, start: datetime = MORNING, seed: int = 5, **env: str) -> BotServer:
    """The web process on `database_url` with its clock (`clock_`, a Clock) at `start`."""
    clock = Clock(start)
    server = start_bot(stub, CONTENT_DIR, rng=random.Random(seed), clock=clock, DATABASE_URL=database_url, **env)
    server.clock_ = clock
    return server


def open_home(server: BotServer, user_id: str, event_id: str, tab: str = "home", retry: int | None = None) -> Response:
    """A member opens the bot's App Home (or its Messages tab): the signed app_home_opened event."""
    from bot.testing.signing import home_opened_event

    return server.event(home_opened_event(user_id, tab), event_id, retry)


def press_in_view(server: BotServer, action_id: str, value: str, view: dict, user_id: str, team_id: str = TEAM_ID) -> Response:
    """A button pressed in a published Home or an opened modal (no response_url)."""
    from bot.testing.signing import view_press_body

    return server.post_signed(view_press_body(action_id, value, view, user_id=user_id, team_id=team_id))


def homes(stub: StubSlackApi, user_id: str, count: int) -> list[dict]:
    """The Homes published for a member, once `count` of them have arrived (bounded wait)."""
    stub.wait_for("views.publish", count=len(stub.calls_to("views.publish")) + 1, timeout=0.01)
    found: list[dict] = []
    for _ in range(500):
        found = stub.published(user_id)
        if len(found) >= count:
            break
        stub.wait_for("views.publish", count=len(stub.calls_to("views.publish")) + 1, timeout=0.02)
    return found


def updated_form(stub: StubSlackApi, count: int) -> dict:
    """The modal as Slack holds it after the `count`-th views.update."""
    updates = stub.wait_for("views.update", count=count)
    assert len(updates) >= count, "the form was never filled in"
    call = updates[count - 1]
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    return {**view, "id": call.params["view_id"], "hash": "after-update"}


def post_and_reveal(server: BotServer, stub: StubSlackApi, **reply_fields) -> dict:
    """The admin schedules ciso at 09:00 UTC revealed a minute later, the drill is posted, Alice
    replies (with `reply_fields`, e.g. text=…), and it is revealed: the reveal as Slack received it."""
    from bot.testing.reading import blocks_text
    from bot.testing.signing import reply

    assert "設定しました" in blocks_text(server.answer("schedule set ciso 09:00 tz=UTC reveal=+1m", user_id=ADMIN)["blocks"])
    server.clock_.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=timezone.utc)
    server.tick()
    drill_ts = stub.calls_to("chat.postMessage")[0].response["ts"]
    assert server.event(reply("1764061210.000001", "UALICE001", drill_ts, **reply_fields), "Ev1").status == 200
    server.clock_.now = datetime(2026, 11, 25, 9, 1, 5, tzinfo=timezone.utc)
    server.tick()
    return next(c.params for c in stub.calls_to("chat.postMessage") if c.params.get("thread_ts") == drill_ts)


def procfile_command(kind: str = "web") -> list[str]:
    """The Procfile's command for `kind`, with `python` being this interpreter."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{kind}:"):
            return [sys.executable if part == "python" else part for part in line.split(":", 1)[1].split()]
    raise RuntimeError(f"the Procfile has no {kind} process")
