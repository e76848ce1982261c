"""Members' messages never reach the logs, even with the root logger at DEBUG: slack_sdk would log
a thread's messages (a response body) there."""

from __future__ import annotations

import json
import logging
import random
import time
from datetime import datetime, timezone

import pytest

from bot.slack.chat import SlackChat
from bot.slack.client import make_claim_client, make_web_client
from bot.testing import CONTENT_DIR
from bot.testing.botserver import FORM, settings_for, start_bot
from bot.testing.fakes import Clock
from bot.testing.http import raw_request, request
from bot.testing.signing import BOT_TOKEN, SIGNING_SECRET, command_body, signed_headers

MARKER = "XYZZY-a-member-wrote-this"  # ASCII: slack_sdk escapes non-ASCII in the bodies it logs


def test_a_thread_read_at_debug_level_logs_no_member_text(stub_api, caplog):
    logging.getLogger("slack_sdk").setLevel(logging.NOTSET)  # as a fresh process has it
    caplog.set_level(logging.DEBUG)
    stub_api.handlers["conversations.replies"] = lambda call: {
        "ok": True,
        "messages": [{"ts": "1.1", "user": "UAKI00001", "text": MARKER}],
        "response_metadata": {"next_cursor": ""},
    }
    settings = settings_for(stub_api, CONTENT_DIR)
    chat = SlackChat(make_claim_client(settings), make_web_client(settings))
    found = chat.thread_messages("C0STUDY01", "1.0")
    assert [m.user_id for m in found] == ["UAKI00001"]
    assert stub_api.calls_to("conversations.replies")  # the body did come back …
    assert MARKER not in caplog.text  # … and was not logged


# ----------------------------------------------------------------------------- a DEBUG-level run

REPLY_TEXT = "XYZZY-reply-text " + "30% 3割 100万円 " * 3000  # a long member reply, as sent
URL_MARKER = "XYZZY-response-url"
OLD_SECRET = "old-signing-secret-rotated-away-987"
OUTSIDE_WINDOW = 10 * 60


@pytest.fixture
def debug_run(caplog):
    """The root logger at DEBUG, and Slack's libraries' loggers as a fresh process has them (no
    level, no filter): whatever keeps bodies out of the log is the bot's own doing."""
    saved = {}
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.startswith(("slack_sdk", "slack_bolt")):
            saved[name] = (logger.level, list(logger.filters))
            logger.setLevel(logging.NOTSET)
            logger.filters.clear()
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, (level, filters) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.filters[:] = filters


def test_a_debug_run_with_refused_requests_faults_and_a_rotated_secret_logs_no_text_url_token_or_secret(stub_api, db_url, debug_run):
    caplog = debug_run
    clock = Clock(datetime(2026, 11, 25, 8, 58, tzinfo=timezone.utc))
    bot = start_bot(stub_api, CONTENT_DIR, rng=random.Random(5), clock=clock, DATABASE_URL=db_url)
    try:
        bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1h", user_id="UADMIN001")
        clock.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=timezone.utc)
        bot.tick()
        drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
        url = bot.url + "/slack/events"
        now = int(time.time())
        reply = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T0001",
                "event_id": "EvP1",
                "event": {
                    "type": "message",
                    "channel": "C0STUDY01",
                    "user": "UALICE001",
                    "text": REPLY_TEXT,
                    "ts": "1764061210.000001",
                    "thread_ts": drill_ts,
                },
            }
        )
        command = command_body("schedule pause", user_id="UADMIN001", response_url=stub_api.response_url(URL_MARKER))

        # Refused at the door: a clock skewed either way, the secret before its rotation, no signature.
        for body, kind in ((reply, "application/json"), (command, FORM)):
            for sign in ({"timestamp": now - OUTSIDE_WINDOW}, {"timestamp": now + OUTSIDE_WINDOW}, {"secret": OLD_SECRET}):
                assert request(url, body, signed_headers(body, kind, **sign)).status == 401
            assert request(url, body, {"Content-Type": kind}).status == 401
        oversized = command_body("schedule pause " + "x" * (1 << 20), response_url=stub_api.response_url(URL_MARKER)).encode()
        assert raw_request(bot.url, "/slack/events", {"Content-Type": FORM, "Content-Length": str(len(oversized))}, oversized).status == 413
        for broken in (
            command.encode() + b"\xff",
            b'{"event": {"text": "' + REPLY_TEXT.encode() + b'", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
        ):
            assert (
                raw_request(bot.url, "/slack/events", {**signed_headers(broken, FORM), "Content-Length": str(len(broken))}, broken).status
                == 400
            )
        nul = json.loads(reply)
        nul["event"]["channel"] = "C0STUDY01\x00"
        assert bot.post_signed(json.dumps(nul), "application/json").status == 400

        # Served, with faults: the command's response_url fails, and so does the next post.
        stub_api.script("response_url", (500, {}, {"ok": False}))
        headers = signed_headers(command, FORM)
        assert request(url, command, headers).status == 200
        assert request(url, command, headers).status == 200  # the same request again: a replay
        assert bot.post_signed(reply, "application/json").status == 200
        stub_api.script("chat.postMessage", (500, {}, {"ok": False, "error": "internal_error"}))
        clock.now = datetime(2026, 11, 25, 10, 0, 5, tzinfo=timezone.utc)
        bot.tick()
        bot.lazy.settle()
    finally:
        bot.stop()

    assert any(r.name == "bot.web" for r in caplog.records)  # the refusals were logged …
    for secret in ("XYZZY-reply-text", "30% 3割", URL_MARKER, BOT_TOKEN, SIGNING_SECRET, OLD_SECRET, "Invalid request signature"):
        assert secret not in caplog.text, secret  # … and nothing of what was sent
    for record in caplog.records:
        if record.name.startswith(("bot.web", "slack_bolt")):
            assert "\n" not in record.getMessage() and record.exc_info is None


def test_bolts_own_lines_that_carry_a_body_keep_the_line_and_lose_the_body(debug_run):
    """A second line of defence: the lines in which Bolt quotes a whole request body."""
    from slack_bolt import App, BoltRequest

    from bot.slack.client import bolt_logger

    caplog = debug_run
    # A middleware that neither answers nor calls next: Bolt logs the request's body.
    app = App(
        signing_secret=SIGNING_SECRET,
        token="xoxb-x",
        token_verification_enabled=False,
        logger=bolt_logger(),
        before_authorize=lambda next: None,
    )
    body = command_body("text\nFORGED " + MARKER)
    assert app.dispatch(BoltRequest(body=body, headers=signed_headers(body, FORM, secret="wrong"))).status == 401
    assert "Invalid request signature detected" in caplog.text
    app.dispatch(BoltRequest(body=body, headers={k.lower(): v for k, v in signed_headers(body, FORM).items()}))
    assert "skipped calling either" in caplog.text
    assert MARKER not in caplog.text and "FORGED" not in caplog.text
