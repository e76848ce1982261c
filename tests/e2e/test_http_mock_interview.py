"""A one-to-one mock interview through the real HTTP app against the stand-in Web API: `/career mock
ciso 2` → a DM with question 1 → an answer (`message`, `channel_type: im`) → the feedback and the
follow-up → the follow-up's answer → 📖 and the grades → a grade → question 2 → … → the summary;
then the same from the AI-app surface (the Messages tab's suggested prompts, a prompt chosen)."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from bot.store.models import CardRow, MockSessionRow, ReviewRow
from bot.testing import CONTENT_DIR
from bot.testing.botserver import open_home, start_bot
from bot.testing.db import sqlite_copy
from bot.testing.fakes import Clock
from bot.testing.slack_text import problems
from bot.views.plaintext import render

UTC = timezone.utc
MEMBER = "U0MEMBER1"
OTHER = "U0OTHER01"
DM = "D0MEMBER1"  # the stand-in's conversations.open: "D" + the user id without its "U"
MARKER = "XYZZY模擬面接の秘密"  # what the member wrote: nowhere in the database or the log
T0 = datetime(2026, 12, 7, 0, 0, 30, tzinfo=UTC)


@pytest.fixture
def mock_bot(stub_api, tmp_path):
    clock = Clock(T0)
    server = start_bot(
        stub_api, CONTENT_DIR, rng=random.Random(3), clock=clock, DATABASE_URL=sqlite_copy(tmp_path / "bot.sqlite3"), LOG_LEVEL="DEBUG"
    )
    server.clock_ = clock
    yield server
    server.stop()


def dm_event(ts: str, text: str, user: str = MEMBER, channel: str = DM, **extra) -> dict:
    return {"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts, **extra}


def dm_posts(stub_api, channel: str = DM) -> list[dict]:
    return [c.params for c in stub_api.calls_to("chat.postMessage") if c.params.get("channel") == channel]


def texts(params: dict) -> str:
    """What the member reads: the message as the console renders it, the buttons' labels included."""
    shown, _buttons = render(params.get("blocks") or [])
    return shown.strip()


def buttons(params: dict) -> list[dict]:
    return [e for b in params.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


class Session:
    """The member's side of the DM: each message a new ts, the clock moved as a person would."""

    def __init__(self, bot, stub_api, user: str = MEMBER, channel: str = DM):
        self.bot, self.stub, self.user, self.channel = bot, stub_api, user, channel
        self.n = 0

    def say(self, text: str, seconds: float = 20, **extra) -> None:
        self.bot.clock_.now += timedelta(seconds=seconds)
        self.n += 1
        ts = f"{self.bot.clock_.now.timestamp():.0f}.{self.n:06d}"
        assert self.bot.event(dm_event(ts, text, self.user, self.channel, **extra), f"EvM{self.user}{self.n}").status == 200
        self.bot.lazy.settle()

    def quiet(self) -> None:
        """The member stops typing: a few seconds later the tick sends the feedback."""
        self.bot.clock_.now += timedelta(seconds=6)
        self.bot.tick()

    def posts(self) -> list[dict]:
        return dm_posts(self.stub, self.channel)

    def grade(self, label: str, user: str | None = None) -> dict:
        model = next(p for p in reversed(self.posts()) if p["text"].startswith("📖"))
        button = next(b for b in buttons(model) if label in b["text"]["text"])
        answer = self.bot.press_answer(button["action_id"], button["value"], user_id=user or self.user, channel_id=self.channel)
        self.bot.lazy.settle()
        return answer


def test_a_mock_interview_in_the_dm_from_the_command_to_the_summary(mock_bot, stub_api, caplog):
    caplog.set_level(logging.DEBUG)
    bot = mock_bot
    started = bot.answer("mock ciso 2", user_id=MEMBER)
    assert "模擬面接（2問）をボットとのDMで始めました" in texts(started)
    me = Session(bot, stub_api)
    first = me.posts()
    assert len(first) == 1 and "🎤 模擬面接 Q1/2（CISO）" in texts(first[0]) and "目安：1〜2分で" in texts(first[0])

    catalog = bot.core.catalog
    with bot.core.cycle.sessions() as s:
        row = s.scalars(select(MockSessionRow)).one()
    role = catalog.by_slug(row.role_slug)
    q1 = role.question_by_id(row.turns[0]["question_id"])

    # The answer in two messages: the feedback waits for the member to stop.
    me.say(f"{q1.points[0]}を重視しています。{MARKER}")
    me.say(f"{q1.points[1]}にも取り組みました。")
    assert len(me.posts()) == 1
    me.quiet()
    feedback = me.posts()[1]
    assert texts(feedback).startswith("🔍 Q1 の回答と回答ポイント")
    marks = [line.split(" ", 1)[0] for line in texts(feedback).splitlines()[1 : 1 + len(q1.points)]]
    assert marks[:2] == ["✓", "✓"] and len(marks) == len(q1.points)
    posts = me.posts()
    if q1.follow_up:
        assert "🎤 面接官：" in texts(feedback)
        me.say("深掘りへの答えです。以上です")
        posts = me.posts()
    model = posts[-1]
    assert texts(model).startswith("📖 Q1 の模範解答") and "😵 忘れた" in texts(model)

    # Another member cannot press this session's buttons.
    refused = me.grade("普通", user=OTHER)
    assert "あなたのものではない" in texts(refused)
    graded = me.grade("普通")
    assert graded["replace_original"] is True and "✅ 自己評価：普通" in texts(graded)
    question2 = me.posts()[-1]
    assert "🎤 模擬面接 Q2/2（CISO）" in texts(question2)

    me.say("スキップ")
    assert me.posts()[-1]["text"].startswith("📖 Q2 の模範解答")
    me.grade("忘れた")
    summary = me.posts()[-1]
    shown = texts(summary)
    assert "🎤 模擬面接の結果（CISO・2問）" in shown and "自己評価：普通" in shown and "スキップ｜自己評価：忘れた" in shown
    assert "もう一度（別の質問で）" in shown and "復習をはじめる" in shown

    # Every message was a normal one in the DM, escaped and within Slack's limits.
    assert stub_api.calls_to("chat.postEphemeral") == []
    assert all(problems(p) == [] for p in me.posts())
    # The grades updated the member's cards exactly as reviews do.
    with bot.core.cycle.sessions() as s:
        assert len(s.scalars(select(ReviewRow).where(ReviewRow.user_id == MEMBER)).all()) == 2
        assert len(s.scalars(select(CardRow).where(CardRow.user_id == MEMBER)).all()) == 2
        assert s.scalars(select(MockSessionRow.phase)).one() == "ended"
    # What the member wrote is nowhere: not in the database, not in the log.
    with bot.core.engine.connect() as c:
        for table in ("mock_sessions", "mock_sends", "seen_requests", "reviews", "cards"):
            assert MARKER not in str(c.execute(text(f"SELECT * FROM {table}")).all())
    assert MARKER not in caplog.text and MARKER.encode("unicode_escape").decode() not in caplog.text


def test_the_ai_app_surface_sets_prompts_and_a_chosen_prompt_runs_the_session_there(mock_bot, stub_api):
    bot = mock_bot
    assert open_home(bot, MEMBER, "EvTab1", tab="messages").status == 200
    bot.lazy.settle()
    prompts = stub_api.calls_to("assistant.threads.setSuggestedPrompts")
    assert len(prompts) == 1 and prompts[0].params["channel_id"] == "D0HOME001"
    chosen = next(p for p in prompts[0].params["prompts"] if p["title"] == "CTOの模擬面接（5問）")
    me = Session(bot, stub_api, channel="D0HOME001")
    me.say(chosen["message"])
    assert len(me.posts()) == 1 and "🎤 模擬面接 Q1/5（CTO）" in texts(me.posts()[0])
    me.say("終了")
    assert "🎤 模擬面接の結果（CTO・1問）" in texts(me.posts()[-1])


def test_a_dm_answer_retried_by_slack_is_taken_once(mock_bot, stub_api):
    bot = mock_bot
    bot.answer("mock cto 1", user_id=MEMBER)
    bot.clock_.now += timedelta(seconds=30)
    event = dm_event("1765065630.000900", "結論から申し上げます。以上です")
    assert bot.event(event, "EvRetry1").status == 200
    assert bot.event(event, "EvRetry1", retry=1).status == 200  # the same delivery, again
    bot.lazy.settle()
    feedback = [p for p in dm_posts(stub_api) if p["text"].startswith("🔍")]
    assert len(feedback) == 1
    with bot.core.cycle.sessions() as s:
        assert s.scalars(select(MockSessionRow.seen_ts)).one() == ["1765065630.000900"]


def pick_on_home(bot, slug: str, user: str = MEMBER) -> None:
    """The member chooses a role in the App Home's 🎤 模擬面接 picker (a select: no value, no response_url)."""
    import json
    from urllib.parse import urlencode

    payload = {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "study"},
        "user": {"id": user, "username": "member", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "legacy",
        "container": {"type": "view", "view_id": "VHOME0001"},
        "trigger_id": "4.5.7",
        "view": {"id": "VHOME0001", "type": "home", "blocks": [], "hash": "h1"},
        "actions": [
            {
                "action_id": "career.mock_start",
                "block_id": "home_mock",
                "type": "static_select",
                "action_ts": f"1700000009.{len(slug):06d}",
                "selected_option": {"text": {"type": "plain_text", "text": slug}, "value": slug},
            }
        ],
    }
    assert bot.post_signed(urlencode({"payload": json.dumps(payload)})).status == 200
    bot.lazy.settle()


def test_the_app_homes_picker_starts_one_in_the_dm_and_asks_before_abandoning_it(mock_bot, stub_api):
    bot = mock_bot
    assert open_home(bot, MEMBER, "EvHome1").status == 200
    bot.lazy.settle()
    home = stub_api.calls_to("views.publish")[-1].params
    view = home["view"] if isinstance(home["view"], dict) else __import__("json").loads(home["view"])
    picker = next(b for b in view["blocks"] if b.get("block_id") == "home_mock")
    assert "🎤" in picker["text"]["text"] and "cto" in {o["value"] for o in picker["accessory"]["options"]}

    pick_on_home(bot, "cto")
    assert "🎤 模擬面接 Q1/5（CTO）" in texts(dm_posts(stub_api)[-1])
    pick_on_home(bot, "ciso_project_position")
    prompt = dm_posts(stub_api)[-1]
    assert "進行中の模擬面接があります（CTO・5問中1問目）" in texts(prompt)
    abandon = next(b for b in buttons(prompt) if "終了して新しく始める" in b["text"]["text"])
    answer = bot.press_answer(abandon["action_id"], abandon["value"], user_id=MEMBER, channel_id=DM)
    bot.lazy.settle()
    assert "前の模擬面接を終了しました" in texts(answer)
    shown = [texts(p) for p in dm_posts(stub_api)]
    assert any("🎤 模擬面接の結果（CTO・1問）" in t for t in shown) and "🎤 模擬面接 Q1/5（CISO）" in shown[-1]
