"""A signed request captured and sent again inside the 5-minute signature window is a replay: it gets
an empty 200 and changes nothing. Slash commands and interactive payloads are recorded for that;
events are not (Slack signs each delivery anew, and an event already recorded is known by its id),
nor are lookups answered from memory (they change nothing)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from bot.store.models import ReplyRow, ScheduleChangeRow, SeenRequestRow
from bot.testing import ADMIN, CH, CONTENT_DIR, TEAM_ID
from bot.testing.botserver import FORM, start_bot
from bot.testing.fakes import Clock
from bot.testing.http import request
from bot.testing.signing import action_body, command_body, reply, signed_headers

UTC = timezone.utc
T0 = 1_800_000_000.0  # the web process's wall clock at the start (epoch seconds)


class Wall:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def replay_bot(stub_api, db_url):
    clock = Clock(datetime(2026, 11, 25, 8, 58, tzinfo=UTC))
    wall = Wall(T0)
    server = start_bot(stub_api, CONTENT_DIR, rng=random.Random(5), clock=clock, wall=wall, DATABASE_URL=db_url)
    server.answer("schedule set ciso 09:00 tz=UTC reveal=+1h", user_id=ADMIN)
    yield server
    server.stop()


def count(bot, model) -> int:
    with bot.core.cycle.sessions() as s:
        return s.query(model).count()


def paused(bot) -> bool:
    return bot.core.schedules.show(CH, bot.clock(), team_id=TEAM_ID).schedule.paused


def answers_at(stub_api, name: str) -> int:
    return len([c for c in stub_api.calls if c.path.endswith(f"/response/{name}")])


def send(bot, body: str, headers: dict[str, str]):
    return request(bot.url + "/slack/events", body, headers)


def test_a_replayed_slash_command_gets_an_empty_200_and_changes_nothing(replay_bot, stub_api):
    bot = replay_bot
    captured = command_body("schedule pause", user_id=ADMIN, response_url=stub_api.response_url("pause"))
    headers = signed_headers(captured, FORM, timestamp=int(T0))
    assert send(bot, captured, headers).status == 200
    assert "一時停止しました" in str(stub_api.answer_at("pause"))
    bot.answer("schedule resume", user_id=ADMIN)
    changes = count(bot, ScheduleChangeRow)

    bot.wall.now = T0 + 240  # four minutes later: the signature is still good
    again = send(bot, captured, headers)
    bot.lazy.settle()
    assert again.status == 200 and again.body == b""
    assert paused(bot) is False and count(bot, ScheduleChangeRow) == changes
    assert answers_at(stub_api, "pause") == 1


def test_a_replayed_button_press_gets_an_empty_200_and_sends_nothing(replay_bot, stub_api):
    bot = replay_bot
    captured = action_body("career.share.0", "card|ciso", stub_api.response_url("share"))
    headers = signed_headers(captured, FORM, timestamp=int(T0))
    assert send(bot, captured, headers).status == 200
    stub_api.answer_at("share")
    again = send(bot, captured, headers)
    bot.lazy.settle()
    assert again.status == 200 and again.body == b""
    assert answers_at(stub_api, "share") == 1


def test_events_are_not_recorded_and_a_repeated_delivery_counts_once(replay_bot, stub_api):
    bot = replay_bot
    bot.clock.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    bot.tick()
    drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    seen = count(bot, SeenRequestRow)

    body = json.dumps(
        {"type": "event_callback", "team_id": "T0001", "event_id": "EvR1", "event": reply("1764061210.000001", "UALICE001", drill_ts)}
    )
    headers = signed_headers(body, "application/json", timestamp=int(T0))
    assert send(bot, body, headers).status == 200
    assert send(bot, body, headers).status == 200
    assert count(bot, ReplyRow) == 1
    assert count(bot, SeenRequestRow) == seen


def test_requests_served_are_forgotten_after_10_minutes(replay_bot, stub_api):
    bot = replay_bot
    captured = command_body("schedule pause", user_id=ADMIN, response_url=stub_api.response_url("pause"))
    headers = signed_headers(captured, FORM, timestamp=int(T0))
    assert send(bot, captured, headers).status == 200
    assert count(bot, SeenRequestRow) == 2  # the schedule set and this

    bot.wall.now = T0 + 6 * 60  # past the signature window: refused before it is looked up
    assert send(bot, captured, headers).status == 401
    bot.wall.now += 5 * 60
    bot.clock.now += timedelta(minutes=11)
    assert bot.answer("schedule show")["text"]
    assert count(bot, SeenRequestRow) == 1  # only the newest is kept


def test_a_lookup_is_not_recorded_and_answers_again(replay_bot, stub_api):
    """A lookup changes nothing: it is answered from memory in its ack, with no database write."""
    bot = replay_bot
    seen = count(bot, SeenRequestRow)
    captured = command_body("ciso", response_url=stub_api.response_url("ciso"))
    headers = signed_headers(captured, FORM, timestamp=int(T0))
    first, again = send(bot, captured, headers), send(bot, captured, headers)
    assert first.status == again.status == 200 and first.body == again.body and "CISO" in first.text
    assert count(bot, SeenRequestRow) == seen
