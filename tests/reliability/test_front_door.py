"""The web process's front door: what reaches /slack/events is sized up from its Content-Length and
its Slack signature checked over the raw bytes before anything is read into Bolt. A refused request
gets its status and one short log line (no traceback, no body, nothing the sender chose); Slack's
own large requests still pass."""

from __future__ import annotations

import json
import logging

import pytest

from bot.store.models import ReplyRow
from bot.testing import ADMIN, CH, CONTENT_DIR, TEAM_ID
from bot.testing.botserver import start_bot
from bot.testing.http import raw_request
from bot.testing.signing import command_body, reply, signed_headers

FORM = "application/x-www-form-urlencoded"
MiB = 1024 * 1024
MARKER = "XYZZY-front-door-marker"
# What Slack sends for a 40,000-character reply: its text, and (in an edit) the same text again in
# the message's rich-text blocks.
LONG_TEXT = (MARKER + " " + "30% 3割 100万円 " * 4000)[:40_000]


def replies(bot) -> list[tuple[str, str]]:
    with bot.core.cycle.sessions() as s:
        return [(r.user_id, r.message_ts) for r in s.query(ReplyRow).order_by(ReplyRow.message_ts)]


def door_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.web"]


def assert_one_short_line(caplog, *absent: str) -> None:
    (line,) = door_lines(caplog)
    message = line.getMessage()
    assert line.exc_info is None and "\n" not in message and len(message) < 200
    for text in absent:
        assert text not in caplog.text
    # No traceback from the web app or Bolt (records of other threads, such as a Home refresh
    # another test left running, are not this request's).
    assert not [r for r in caplog.records if r.exc_info and r.name.startswith(("bot.web", "bot.slack.app", "slack_bolt"))]


def test_a_40000_character_reply_and_its_edit_pass_the_door(posted_bot):
    bot = posted_bot
    ts = "1764061210.000001"
    assert len(LONG_TEXT) == 40_000
    assert bot.event(reply(ts, "UALICE001", bot.drill_ts, text=LONG_TEXT), "EvLong1").status == 200
    blocks = [
        {
            "type": "rich_text",
            "block_id": "x",
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": LONG_TEXT + "!"}]}],
        }
    ]
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": CH,
        "hidden": True,
        "ts": "1764061290.000001",
        "event_ts": "1764061290.000001",
        "message": {"type": "message", "user": "UALICE001", "ts": ts, "thread_ts": bot.drill_ts, "text": LONG_TEXT + "!", "blocks": blocks},
        "previous_message": {
            "type": "message",
            "user": "UALICE001",
            "ts": ts,
            "thread_ts": bot.drill_ts,
            "text": LONG_TEXT,
            "blocks": blocks,
        },
    }
    assert 3 * 40_000 < len(json.dumps({"event": edit}).encode()) < MiB
    assert bot.event(edit, "EvLong2").status == 200
    assert replies(bot) == [("UALICE001", ts)]


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_a_body_over_1_mib_is_refused_from_its_length_alone(posted_bot, caplog, signed):
    caplog.set_level(logging.DEBUG)
    body = command_body("schedule off " + MARKER + "x" * MiB, user_id=ADMIN).encode()
    headers = signed_headers(body, FORM) if signed else {"Content-Type": FORM}
    response = raw_request(posted_bot.url, "/slack/events", {**headers, "Content-Length": str(len(body))}, body)
    assert response.status == 413
    assert_one_short_line(caplog, MARKER)
    assert posted_bot.core.schedules.show(CH, posted_bot.clock(), team_id=TEAM_ID).schedule is not None


# "²" is a digit to str.isdigit().
@pytest.mark.parametrize(
    "length", [None, "", "abc", "-1", "1e3", "\xb2"], ids=["missing", "empty", "word", "negative", "float", "superscript"]
)
def test_a_missing_or_unreadable_content_length_is_refused(posted_bot, caplog, length):
    caplog.set_level(logging.DEBUG)
    body = command_body("schedule off", user_id=ADMIN).encode()
    headers = {**signed_headers(body.decode(), FORM)}
    if length is not None:
        headers["Content-Length"] = length
    response = raw_request(posted_bot.url, "/slack/events", headers, body)
    assert response.status == 400
    assert_one_short_line(caplog, "schedule+off")
    assert posted_bot.core.schedules.show(CH, posted_bot.clock(), team_id=TEAM_ID).schedule is not None


# Bodies that used to reach Bolt's parser before any signature was checked, each logging a traceback.
NOT_UTF8 = b"payload=" + MARKER.encode() + b"\xff\xfe\xc3"
DEEP_JSON = b'{"type": "event_callback", "event": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001


@pytest.mark.parametrize("body", [NOT_UTF8, DEEP_JSON], ids=["not-utf8", "deep-json"])
def test_unsigned_malformed_bodies_are_refused_before_they_are_read(posted_bot, caplog, body):
    caplog.set_level(logging.DEBUG)
    response = raw_request(
        posted_bot.url,
        "/slack/events",
        {"Content-Type": FORM, "Content-Length": str(len(body)), "X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=" + "0" * 64},
        body,
    )
    assert response.status == 401
    assert_one_short_line(caplog, MARKER)


@pytest.mark.parametrize("body", [NOT_UTF8, DEEP_JSON], ids=["not-utf8", "deep-json"])
def test_signed_malformed_bodies_get_400_and_one_line(posted_bot, caplog, body):
    caplog.set_level(logging.DEBUG)
    headers = signed_headers(body, FORM)
    response = raw_request(posted_bot.url, "/slack/events", {**headers, "Content-Length": str(len(body))}, body)
    assert response.status == 400
    assert_one_short_line(caplog, MARKER)


FORGED_LINE = "2026-11-25 09:00:00 ERROR bot: FORGED"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "1\r" + FORGED_LINE, "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=" + FORGED_LINE},
        {"X-Slack-Request-Timestamp": "\xb2\xb3", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Signature": FORGED_LINE},
    ],
    ids=["timestamp", "signature", "superscript-timestamp", "no-timestamp"],
)
def test_a_refused_request_writes_nothing_the_sender_chose_into_the_log(posted_bot, caplog, headers):
    caplog.set_level(logging.DEBUG)
    body = command_body("schedule off " + MARKER, user_id=ADMIN).encode()
    response = raw_request(posted_bot.url, "/slack/events", {"Content-Type": FORM, "Content-Length": str(len(body)), **headers}, body)
    assert response.status == 401
    assert_one_short_line(caplog, MARKER, "FORGED")


@pytest.mark.parametrize("skew", [-301, 301], ids=["behind", "ahead"])
def test_a_signature_outside_the_5_minute_window_is_refused_and_the_line_names_the_skew(stub_api, caplog, skew):
    now = 1_800_000_000.0
    server = start_bot(stub_api, CONTENT_DIR, wall=lambda: now)
    try:
        caplog.set_level(logging.DEBUG)
        body = command_body("ciso")
        assert server.post_signed(body, timestamp=int(now) + skew).status == 401
        assert_one_short_line(caplog, "ciso")
        assert f"{abs(skew)} s" in door_lines(caplog)[0].getMessage()
        caplog.clear()
        assert server.post_signed(body, timestamp=int(now) + (300 if skew > 0 else -300)).status == 200
        assert door_lines(caplog) == []
    finally:
        server.stop()
