"""Forged requests change nothing; non-admins change no schedule by any path; secrets never leak."""

from __future__ import annotations

import json
import random
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest

from bot.store.models import DrillRow, ReplyRow, ScheduleChangeRow, ScheduleRow
from bot.testing import CONTENT_DIR, TEAM_ID
from bot.testing.botserver import start_bot
from bot.testing.fakes import Clock
from bot.testing.http import request
from bot.testing.signing import BOT_TOKEN, SIGNING_SECRET, command_body, signed_headers

ADMIN = "UADMIN001"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def bot(stub_api, db_url):
    server = start_bot(
        stub_api, CONTENT_DIR, rng=random.Random(1), clock=Clock(datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)), DATABASE_URL=db_url
    )
    yield server
    server.stop()


def table_counts(bot) -> dict[str, int]:
    with bot.core.cycle.sessions() as s:
        return {m.__tablename__: s.query(m).count() for m in (ScheduleRow, ScheduleChangeRow, DrillRow, ReplyRow)}


# Bolt accepts a signature whose timestamp is within 5 minutes of its clock. The forged ones are 10
# minutes off, so no second boundary between signing and checking can bring them back inside.
OUTSIDE_WINDOW = 10 * 60


def forged(body: str, content_type: str, how: str) -> dict[str, str]:
    if how == "stale":
        return signed_headers(body, content_type, timestamp=int(time.time()) - OUTSIDE_WINDOW)
    if how == "future":
        return signed_headers(body, content_type, timestamp=int(time.time()) + OUTSIDE_WINDOW)
    if how == "other-secret":
        return signed_headers(body, content_type, secret="not-the-secret")
    headers = signed_headers(body, content_type)
    if how == "missing":
        del headers["X-Slack-Signature"]
    elif how == "no-timestamp":
        del headers["X-Slack-Request-Timestamp"]
    elif how == "tampered":
        headers["X-Slack-Signature"] = headers["X-Slack-Signature"][:-4] + "0000"
    return headers


@pytest.mark.parametrize("how", ["stale", "future", "other-secret", "missing", "no-timestamp", "tampered"])
def test_forged_requests_get_401_and_write_nothing(bot, stub_api, how):
    bot.answer("schedule set ciso 09:00 tz=UTC", user_id=ADMIN)
    before = table_counts(bot)
    calls = len(stub_api.calls)
    bodies = [
        (command_body("schedule off", user_id=ADMIN), FORM),
        (command_body("drill now", user_id=ADMIN), FORM),
        (
            json.dumps(
                {
                    "type": "event_callback",
                    "event_id": "Ev1",
                    "event": {"type": "message", "channel": "C0STUDY01", "user": "U1", "ts": "1.2", "thread_ts": "1.1"},
                }
            ),
            "application/json",
        ),
        (
            urlencode(
                {
                    "payload": json.dumps(
                        {
                            "type": "block_actions",
                            "user": {"id": ADMIN},
                            "actions": [{"action_id": "career.share.0", "value": "card|cto"}],
                            "response_url": stub_api.response_url(),
                        }
                    )
                }
            ),
            FORM,
        ),
    ]
    for body, content_type in bodies:
        assert request(bot.url + "/slack/events", body, forged(body, content_type, how)).status == 401
    assert table_counts(bot) == before
    assert len(stub_api.calls) == calls


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions", "actions": [{"action_id": "career.schedule_set.0", "value": "ciso 09:00"}]},
        {"type": "block_actions", "actions": [{"action_id": "career.open_section.0", "value": "schedule off"}]},
        {"type": "view_submission", "view": {"callback_id": "schedule", "state": {"values": {"role": {"v": {"value": "cto"}}}}}},
        {"type": "shortcut", "callback_id": "schedule_off"},
        {"type": "message_action", "callback_id": "drill_now"},
    ],
)
def test_non_admins_cannot_change_schedules_with_hand_crafted_interactivity(bot, stub_api, payload):
    bot.answer("schedule set ciso 09:00 tz=UTC", user_id=ADMIN)
    before = table_counts(bot)
    body = urlencode(
        {
            "payload": json.dumps(
                {
                    **payload,
                    "user": {"id": "UMEMBER01"},
                    "team": {"id": "T0001"},
                    "response_url": stub_api.response_url(),
                    "trigger_id": "1",
                }
            )
        }
    )
    response = bot.post_signed(body)
    assert response.status in (200, 400, 404)  # nothing listens for these: a clean rejection
    assert "Traceback" not in response.text and "Error" not in response.text
    assert table_counts(bot) == before
    assert bot.core.schedules.show("C0STUDY01", bot.clock(), team_id=TEAM_ID).schedule.role == "ciso_project_position"


@pytest.mark.parametrize(
    "text",
    [
        "schedule set cto 10:00",
        "schedule pause",
        "schedule resume",
        "schedule off",
        "schedule skip 2026-12-31",
        "drill now",
        "drill reveal",
    ],
)
def test_non_admin_commands_are_refused_politely(bot, text):
    bot.answer("schedule set ciso 09:00 tz=UTC", user_id=ADMIN)
    before = table_counts(bot)
    answer = bot.answer(text, user_id="UMEMBER01")
    assert "管理者だけです" in answer["text"]
    assert table_counts(bot) == before


def test_secrets_never_in_logs_errors_or_health(bot, stub_api, caplog):
    caplog.set_level("DEBUG")
    bot.command("ciso")
    bot.answer("schedule set ciso 09:00 tz=UTC", user_id=ADMIN)
    stub_api.script("chat.postMessage", (500, {}, {"ok": False, "error": "internal_error"}))
    bot.tick()
    bot.press("career.share.0", "nonsense")
    health = request(bot.url + "/healthz").text
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in caplog.text
        assert secret not in health
    assert BOT_TOKEN[:12] not in caplog.text
