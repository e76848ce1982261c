"""The reveal's 📖 模範解答 through the real HTTP app: the drill post offers no model answer, a press
before the reveal is refused, and after the reveal any member pressing it sees the question's model
answer and weak answer privately, without the message in the channel changing."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.store.models import DrillRow
from bot.testing.botserver import drill_server
from bot.views.action_ids import Kind, action_id, encode

UTC = timezone.utc
ADMIN, CH = "UADMIN001", "C0STUDY01"


def _actions(message: dict) -> list[dict]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def _text(blocks: list[dict]) -> str:
    return "\n".join(
        b["text"]["text"] if "text" in b else " ".join(e.get("text", "") for e in b.get("elements", [])) for b in blocks
    ).replace("\u200b", "")


@pytest.fixture
def drill_bot(stub_api, db_url):
    server = drill_server(stub_api, db_url)
    yield server
    server.stop()


def test_model_answer_is_private_and_only_after_the_reveal(drill_bot, stub_api):
    bot = drill_bot
    assert "設定しました" in _text(bot.answer("schedule set sre 09:00 tz=UTC reveal=+1m", user_id=ADMIN)["blocks"])
    bot.clock_.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    bot.tick()
    post = stub_api.calls_to("chat.postMessage")[0]
    assert not any(e["action_id"].startswith("career.model_answer") for e in _actions(post.params))
    with bot.core.cycle.sessions() as s:
        row = s.scalars(select(DrillRow)).one()
    question = bot.core.catalog.by_slug("sre").question_by_id(row.question_id)
    assert question.model_answer and question.weak_answer

    # A press before the reveal (a forged or copied button) shows nothing of the answer.
    early = bot.press_answer(action_id(Kind.MODEL_ANSWER), encode(row.id), user_id="UMEMBER01", channel_id=CH)
    assert "公開後" in _text(early["blocks"]) and question.model_answer[:20] not in str(early)

    bot.clock_.now = datetime(2026, 11, 25, 9, 1, 5, tzinfo=UTC)
    bot.tick()
    reveal = next(c.params for c in stub_api.calls_to("chat.postMessage") if c.params.get("thread_ts") == post.response["ts"])
    button = next(e for e in _actions(reveal) if e["action_id"].startswith("career.model_answer"))
    assert button["text"]["text"] == "📖 模範解答"
    posts_before = len(stub_api.calls_to("chat.postMessage")) + len(stub_api.calls_to("chat.update"))

    shown = bot.press_answer(button["action_id"], button["value"], user_id="UMEMBER02", channel_id=CH)
    assert shown["response_type"] == "ephemeral" and shown["replace_original"] is False
    text = _text(shown["blocks"])
    assert question.model_answer[:30] in text and "NG例" in text and question.text[:20] in text
    # Nothing in the channel changed for anyone else.
    assert len(stub_api.calls_to("chat.postMessage")) + len(stub_api.calls_to("chat.update")) == posts_before

    # The same button pressed from another channel names no drill there.
    elsewhere = bot.press_answer(button["action_id"], button["value"], user_id="UMEMBER02", channel_id="C0OTHER01")
    assert "見つかりませんでした" in _text(elsewhere["blocks"]) and question.model_answer[:20] not in str(elsewhere)
