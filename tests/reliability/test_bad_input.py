"""Bad input, table-driven: slash commands, form bodies, events, interactivity payloads, content files
and settings. Each gets a clear answer or a clean rejection — no crash, no traceback to the user,
no state change, nobody pinged."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.config import ConfigError, load_settings
from bot.content.loader import load_directory
from bot.store.models import (
    CardRow,
    DrillRow,
    ReplyRow,
    ReviewRow,
    ScheduleChangeRow,
    ScheduleRow,
)
from bot.testing import CONTENT_DIR, SEED, TEAM_ID
from bot.testing.botserver import start_bot
from bot.testing.fakes import Clock
from bot.testing.slack_text import assert_within_limits
from bot.views import blocks as ui

ADMIN = "UADMIN001"
FORM = "application/x-www-form-urlencoded"
PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@UEVIL", "<https://evil", "<#CEVIL")


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    from bot.testing.slack_api import StubSlackApi

    stub = StubSlackApi().start()
    db = tmp_path_factory.mktemp("bad") / "bot.sqlite3"
    clock = Clock(datetime(2026, 11, 25, 8, 59, tzinfo=timezone.utc))
    server = start_bot(stub, CONTENT_DIR, rng=random.Random(1), clock=clock, DATABASE_URL=f"sqlite:///{db}")
    server.answer("schedule set ciso 09:00 tz=UTC reveal=+1h", user_id=ADMIN)
    clock.now = datetime(2026, 11, 25, 9, 0, 30, tzinfo=timezone.utc)
    server.tick()
    server.thread_ts = stub.calls_to("chat.postMessage")[0].response["ts"]
    yield server
    server.stop()
    stub.stop()


def state(bot) -> dict:
    with bot.core.cycle.sessions() as s:
        tables = {m.__tablename__: s.query(m).count() for m in (ScheduleRow, ScheduleChangeRow, DrillRow, ReplyRow, ReviewRow, CardRow)}
    return {"tables": tables, "schedule": bot.core.schedules.show("C0STUDY01", bot.clock(), team_id=TEAM_ID).schedule}


def assert_clean(bot, response, before, answer: dict | None = None) -> None:
    assert response is None or response.status in (200, 400, 401, 404), response.status
    shown = (response.text if response is not None else "") + json.dumps(answer or {}, ensure_ascii=False)
    shown += "".join(json.dumps(c.params, ensure_ascii=False) for c in bot.stub.calls)
    assert "Traceback" not in shown and 'File "' not in shown
    for ping in PINGS:
        assert ping not in shown, ping
    assert state(bot) == before


GIANT = "あ" * 40_000
NASTY = "\u202e\u200f<!channel>\x00\x07\x1b[31m"

COMMANDS = [
    "",
    "   ",
    GIANT,
    NASTY,
    "<!channel>",
    "<!here> ciso",
    "<@UEVIL0001>",
    "<https://evil.example|click here>",
    "<#CEVIL0001|general>",
    "ciso <!everyone>",
    "ciso questions <!channel>",
    "schedule show",  # the bare word opens the editor modal: tests/e2e/test_http_schedule_modal.py
    "schedule set",
    "schedule set ciso",
    "schedule set ciso 09:00 tz=",
    "schedule set ciso 09:00 reveal=+",
    "schedule set ciso 09:00 days=",
    "schedule set <!channel> 09:00",
    "schedule set ciso 9:0",
    "schedule set ciso -1:00",
    "schedule skip",
    "schedule skip tomorrow",
    "schedule skip 2026-13-01",
    "schedule explode",
    "drill",
    "drill explode <!here>",
    "ｓｃｈｅｄｕｌｅ ｓｅｔ",
    "🎉🎉🎉",
]


@pytest.mark.parametrize("text", COMMANDS, ids=[f"command-{i}" for i in range(len(COMMANDS))])
def test_slash_command_text(bot, text):
    """Typed by a member (who is not an admin): an answer, and nothing changes."""
    before = state(bot)
    bot.stub.clear()
    answer = bot.answer(text, user_id="UMEMBER01")
    assert_clean(bot, None, before, answer)
    assert answer["text"]


FORM_BODIES = [
    urlencode({"command": "/career", "user_id": "UMEMBER01", "channel_id": "C0STUDY01"}),  # no text
    urlencode({"command": "/career", "text": "ciso", "channel_id": "C0STUDY01"}),  # no user
    urlencode({"command": "/career", "text": "schedule set ciso 09:00", "user_id": "UMEMBER01"}),  # no channel
    urlencode({"text": "ciso", "user_id": "UMEMBER01"}),  # no command
    urlencode({"command": "/other", "text": "ciso", "user_id": "UMEMBER01"}),  # a command we do not own
    "%%%&&&===",
    "",
    "text=" + "x" * 200_000,
    "payload=not-json",
    "payload=" + "%7B" * 50,
]


@pytest.mark.parametrize("body", FORM_BODIES, ids=[f"form-{i}" for i in range(len(FORM_BODIES))])
def test_malformed_form_bodies(bot, body):
    before = state(bot)
    bot.stub.clear()
    assert_clean(bot, bot.post_signed(body), before)


def event_body(event) -> str:
    return json.dumps({"type": "event_callback", "event_id": "EvBad", "team_id": "T0001", "api_app_id": "A0001", "event": event})


EVENTS = [
    "{not json",
    "[]",
    "null",
    json.dumps({"type": "event_callback"}),  # no event
    event_body(None),
    event_body({"type": "message"}),
    event_body({"type": "message", "channel": "C0STUDY01", "user": "U1", "ts": "abc", "thread_ts": "1.1"}),
    event_body({"type": "message", "channel": "CUNKNOWN1", "user": "U1", "ts": "1800000000.1", "thread_ts": "1.1"}),
    event_body({"type": "message", "channel": "C0STUDY01", "user": "U1", "ts": "1800000000.2", "thread_ts": "1799999999.999"}),
    event_body({"type": "message", "channel": "C0STUDY01", "ts": "1800000000.3", "thread_ts": "THREAD"}),  # no user
    event_body({"type": "message", "subtype": "channel_join", "channel": "C0STUDY01", "user": "U1", "ts": "1800000000.4"}),
    event_body({"type": "message", "subtype": "message_deleted", "channel": "C0STUDY01"}),
    event_body({"type": "message", "subtype": "message_deleted", "channel": "C0STUDY01", "previous_message": "nope"}),
    event_body({"type": "message", "subtype": "message_changed", "channel": "C0STUDY01", "message": None}),
    event_body({"type": "reaction_added", "user": "U1", "reaction": "tada"}),
    event_body({"type": "app_mention", "channel": "C0STUDY01", "user": "U1", "text": "<!channel>", "ts": "1800000000.5"}),
]


@pytest.mark.parametrize("body", EVENTS, ids=[f"event-{i}" for i in range(len(EVENTS))])
def test_malformed_or_irrelevant_events(bot, body):
    before = state(bot)
    bot.stub.clear()
    response = bot.post_signed(body.replace("THREAD", bot.thread_ts), "application/json")
    assert_clean(bot, response, before)


def test_url_verification_with_a_mention_as_challenge(bot):
    before = state(bot)
    bot.stub.clear()
    response = bot.post_signed(json.dumps({"type": "url_verification", "challenge": "<!channel>"}), "application/json")
    assert response.status == 200 and "&lt;!channel&gt;" not in response.text  # echoed as Slack asks, JSON-escaped
    assert state(bot) == before
    assert bot.stub.calls == []


def payload_body(payload) -> str:
    return urlencode({"payload": json.dumps(payload) if not isinstance(payload, str) else payload})


def block_action(action, **extra) -> dict:
    return {"type": "block_actions", "user": {"id": "UMEMBER01"}, "team": {"id": "T0001"}, "actions": [action], **extra}


PAYLOADS = [
    {"type": "block_actions", "user": {"id": "UMEMBER01"}},  # no actions
    {"type": "block_actions", "user": {"id": "UMEMBER01"}, "actions": []},
    block_action({"action_id": "career.share.0"}),  # no value, no response_url
    block_action({"action_id": "career.share.0", "value": "card|<!channel>"}, response_url="RESPONSE"),
    block_action({"action_id": "career.open_role.0", "value": "x" * 100_000}, response_url="RESPONSE"),
    block_action({"action_id": "career.reveal_points.0", "value": "x|y|z"}, response_url="RESPONSE"),
    block_action({"action_id": "career.practice.0", "value": "<@UEVIL0001>|1"}, response_url="RESPONSE"),
    block_action({"action_id": "career.open_section.0", "value": "ciso_project_position|<!here>"}, response_url="RESPONSE"),
    block_action({"action_id": "unknown.thing", "value": "1"}, response_url="RESPONSE"),
    block_action({"action_id": "career.grade.0", "value": "1|2|3|4"}),  # no response_url
    block_action({"action_id": "career.review_new.99999999999", "value": "x"}, response_url="RESPONSE"),
    {"type": "view_submission", "user": {"id": "UMEMBER01"}, "view": {"callback_id": "x"}},
    {"type": "view_closed", "user": {"id": "UMEMBER01"}, "view": {}},
    {"type": "block_suggestion", "user": {"id": "UMEMBER01"}, "action_id": "x", "value": "<!channel>"},
    {"type": "shortcut", "callback_id": "nope", "user": {"id": "UMEMBER01"}},
    {"type": "nonsense"},
]


GRADE_PRESSES = [
    ("career.grade.0", "999999|3", "このドリルは見つかりませんでした。"),  # no such drill
    ("career.grade.0", "1|9", "何も記録していません"),  # no such grade
    ("career.grade.0", "<!channel>|1", "何も記録していません"),
    ("career.grade.0", "", "何も記録していません"),
    ("career.review_grade.0", "ciso_project_position|0000000000|3", "もう教材にありません"),  # a question no longer in the content
    ("career.review_grade.0", "nosuchrole|abc|3", "もう教材にありません"),
    ("career.review_grade.0", "ciso_project_position|<@UEVIL0001>", "何も記録していません"),
    ("career.review_points.0", "<!here>|x", "もう教材にありません"),
]


@pytest.mark.parametrize("action, value, sentence", GRADE_PRESSES, ids=[f"grade-{i}" for i in range(len(GRADE_PRESSES))])
def test_forged_or_stale_grades_get_one_private_sentence_and_change_nothing(bot, action, value, sentence):
    before = state(bot)
    bot.stub.clear()
    answer = bot.press_answer(action, value)
    assert answer["response_type"] == "ephemeral" and sentence in json.dumps(answer, ensure_ascii=False)
    assert len(answer["blocks"]) == 1  # one sentence
    assert_clean(bot, None, before, answer)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"payload-{i}" for i in range(len(PAYLOADS))])
def test_hand_crafted_interactivity(bot, payload):
    before = state(bot)
    bot.stub.clear()
    body = payload_body(json.loads(json.dumps(payload).replace("RESPONSE", bot.stub.response_url())))
    assert_clean(bot, bot.post_signed(body), before)


BAD_FILES = {
    "empty.md": b"",
    "only_front_matter.md": b"---\ntitle: x\nslug: x\n---\n",
    "binary.md": bytes(range(256)) * 4,
    "yaml_list.md": b"---\n- a\n- b\n---\n## 8. \xe9\x9d\xa2\xe6\x8e\xa5\n1. **Q**\n",
    "title_list.md": b"---\ntitle: [a, b]\nslug: t\n---\n",
    "tabs.md": b"---\ntitle:\tx\n\tslug: y\n---\n",
    # Big but valid: it loads, and its views still respect Slack's limits.
    "huge_questions.md": (
        "---\ntitle: Huge\nslug: huge\nmeta_description: 200 long questions\n---\n## 8. 面接\n"
        + "".join(f"{i}. **{'問' * 2000}{i}**\n" for i in range(1, 201))
    ).encode(),
    "question_without_text.md": "---\ntitle: Q\nslug: q\n---\n## 8. 面接\n1. \n".encode(),
}


def test_bad_content_files_are_reported_and_the_rest_load(tmp_path: Path):
    (tmp_path / "ciso.md").write_bytes(SEED.read_bytes())
    for name, data in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    result = load_directory(tmp_path)
    slugs = sorted(r.slug for r in result.roles)
    assert slugs == ["ciso_project_position", "huge"]
    failed = {p.path.name for p in result.errors}
    assert failed == {
        "empty.md",
        "only_front_matter.md",
        "binary.md",
        "yaml_list.md",
        "title_list.md",
        "tabs.md",
        "question_without_text.md",
    }
    for problem in result.errors:
        text = str(problem)
        assert text.startswith(str(problem.path)) and "\n" not in text and len(text) < 400
    huge = next(r for r in result.roles if r.slug == "huge")
    assert len(huge.questions) == 200
    assert_within_limits(ui.section_view(huge, "questions"))


@pytest.mark.parametrize(
    "env",
    [
        {"PORT": "-1"},
        {"PORT": "3000x"},
        {"WEB_CONCURRENCY": "0"},
        {"DRILL_TICK_SECONDS": "fast"},
        {"DRILL_LEASE_SECONDS": "5", "SLACK_TIMEOUT_SECONDS": "10"},
        {"SLACK_TIMEOUT_SECONDS": "0"},
        {"DEFAULT_TIMEZONE": "Tokyo"},
        {"ADMIN_USER_IDS": "U1;DROP TABLE"},
        {"SLACK_APP_TOKEN": "xoxb-wrong-kind"},
    ],
)
def test_bad_settings(env):
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    message = str(err.value)
    assert "\n" not in message and any(name in message for name in env)
