"""Ids and timestamps in signed payloads are checked for Slack's shape before anything reads them: a
NUL byte, a newline or an object where an id belongs gets one clean answer (a sentence for a slash
command, a 400 otherwise) and one log line, and never reaches the database."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.slack.payloads import MALFORMED
from bot.store.models import ReplyRow, ScheduleChangeRow
from bot.testing import ADMIN, CH, TEAM_ID
from bot.testing.botserver import press_in_view
from bot.testing.signing import action_body, command_body, reply


def state(bot) -> tuple:
    with bot.core.cycle.sessions() as s:
        changes, replies = s.query(ScheduleChangeRow).count(), s.query(ReplyRow).count()
    return changes, replies, bot.core.schedules.show(CH, bot.clock(), team_id=TEAM_ID).schedule.paused


def assert_refused_cleanly(caplog, before, after) -> None:
    assert after == before
    assert not [r for r in caplog.records if r.exc_info and r.name.startswith(("bot.", "slack_bolt"))]
    (line,) = [r for r in caplog.records if r.name == "bot.slack.payloads"]
    assert "\x00" not in line.getMessage() and "\n" not in line.getMessage()


@pytest.mark.parametrize(
    "fields",
    [
        {"channel_id": CH + "\x00"},
        {"channel_id": CH + "\n"},
        {"user_id": ADMIN + "\x00"},
        {"team_id": "T0001\x00"},
        {"user_id": "uadmin001"},
    ],
    ids=["nul-channel", "newline-channel", "nul-user", "nul-team", "lower-case-user"],
)
def test_a_slash_command_with_a_malformed_id_gets_one_sentence(posted_bot, caplog, fields):
    caplog.set_level(logging.DEBUG)
    before = state(posted_bot)
    ack = posted_bot.post_signed(command_body("schedule pause", **{"user_id": ADMIN, **fields}))
    assert ack.status == 200 and ack.json() == {"response_type": "ephemeral", "text": MALFORMED}
    assert_refused_cleanly(caplog, before, state(posted_bot))


def test_a_button_press_with_a_malformed_channel_or_user_gets_400(posted_bot, stub_api, caplog):
    caplog.set_level(logging.DEBUG)
    before = state(posted_bot)
    press = json.loads(dict(parse_qsl(action_body("career.share.0", "card|ciso", stub_api.response_url("share"))))["payload"])
    for forged in (
        {**press, "channel": {"id": CH + "\x00"}},
        {**press, "container": {"channel_id": "C\x00"}},
        {**press, "user": {"id": {"nested": 1}}},
    ):
        caplog.clear()
        assert posted_bot.post_signed(urlencode({"payload": json.dumps(forged)})).status == 400
        assert_refused_cleanly(caplog, before, state(posted_bot))
    assert [c for c in stub_api.calls if c.path.endswith("/response/share")] == []


@pytest.mark.parametrize(
    "change",
    [{"channel": CH + "\x00"}, {"user": "UALICE001\x00"}, {"thread_ts": "\x00"}, {"ts": "1764061210.000001\x00"}, {"ts": "1764061210.０"}],
    ids=["nul-channel", "nul-user", "nul-thread", "nul-ts", "full-width-ts"],
)
def test_a_reply_event_with_a_malformed_id_is_refused_and_records_nothing(posted_bot, caplog, change):
    caplog.set_level(logging.DEBUG)
    before = state(posted_bot)
    event = {**reply("1764061210.000001", "UALICE001", posted_bot.drill_ts), **change}
    assert posted_bot.event(event, "EvIds1").status == 400
    assert_refused_cleanly(caplog, before, state(posted_bot))
    # The same reply, well formed, is counted.
    assert posted_bot.event(reply("1764061210.000001", "UALICE001", posted_bot.drill_ts), "EvIds2").status == 200
    assert state(posted_bot)[1] == before[1] + 1


def test_a_home_toggle_whose_value_is_not_a_channel_changes_nothing(posted_bot, stub_api, caplog):
    """The 一時停止 button's value names its channel: a value that is not a channel id is no
    schedule, and the admin's Home says so."""
    caplog.set_level(logging.DEBUG)
    before = state(posted_bot)
    home = {"id": "VHOME0001", "type": "home", "blocks": []}
    assert press_in_view(posted_bot, "home_schedule_toggle", CH + "\x00|pause", home, ADMIN).status == 200
    posted_bot.lazy.settle()
    assert "このスケジュールは見つかりませんでした" in json.dumps(stub_api.published(ADMIN)[-1], ensure_ascii=False)
    assert state(posted_bot) == before
    assert not [r for r in caplog.records if r.exc_info and r.name.startswith(("bot.", "slack_bolt"))]
