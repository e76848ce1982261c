"""The learning loop through the real HTTP app: a drill is posted and revealed, members grade it
with the reveal's buttons, one walks through their private review queue, and stats show it."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.store.models import CardRow, ReviewRow
from bot.testing import ADMIN, CONTENT_DIR
from bot.testing.botserver import drill_server, start_bot
from bot.testing.botserver import post_and_reveal as revealed
from bot.testing.fakes import Clock
from bot.testing.reading import blocks_text, buttons

UTC = timezone.utc
ALICE, BOB = "UALICE001", "UBOB00001"
ZONES = {ALICE: "Asia/Tokyo"}  # Bob's profile has no time zone: DEFAULT_TIMEZONE (UTC) is used
MARKER = "XYZZY秘密のマーカー文字列"


@pytest.fixture
def learning_bot(stub_api, db_url):
    stub_api.handlers["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.params.get("user"), "is_admin": False, "tz": ZONES.get(call.params.get("user"))},
    }
    server = drill_server(stub_api, db_url)
    yield server
    server.stop()


def post_and_reveal(bot, stub_api) -> dict:
    """Schedule, post, Alice's reply (with MARKER), reveal: the reveal message as Slack received it."""
    return revealed(bot, stub_api, text=MARKER)


def test_members_grade_a_reveal_review_it_later_and_see_it_in_stats(learning_bot, stub_api):
    bot = learning_bot
    reveal = post_and_reveal(bot, stub_api)
    grade = {b["text"]["text"]: b for b in buttons(reveal["blocks"]) if b["action_id"].startswith("career.grade.")}
    assert list(grade) == ["😵 忘れた", "😓 苦労したが思い出せた", "🙂 普通に思い出せた", "😎 簡単"]

    # Alice (Tokyo) grades 普通: a private answer, a new message (the reveal stays for everyone).
    alice = bot.press_answer(grade["🙂 普通に思い出せた"]["action_id"], grade["🙂 普通に思い出せた"]["value"], user_id=ALICE)
    assert alice["response_type"] == "ephemeral" and alice["replace_original"] is False
    # Good on a new card: stability 2.3 days → back in 2 days, 11月27日 in Tokyo.
    assert "「普通」で記録しました。この質問は 11月27日 ごろに復習に出ます。" in blocks_text(alice["blocks"])

    # Bob did not reply, and may grade anyway; he double-clicks 忘れた, then changes his mind.
    for _ in range(2):
        bob = bot.press_answer(grade["😵 忘れた"]["action_id"], grade["😵 忘れた"]["value"], user_id=BOB)
    assert "11月26日 ごろに復習に出ます" in blocks_text(bob["blocks"])
    bob = bot.press_answer(grade["😎 簡単"]["action_id"], grade["😎 簡単"]["value"], user_id=BOB)
    assert "「忘れた」から「簡単」に変更しました" in blocks_text(bob["blocks"])
    with bot.core.cycle.sessions() as s:
        reviews = s.execute(select(ReviewRow.user_id, ReviewRow.rating).order_by(ReviewRow.user_id)).all()
        cards = s.execute(select(CardRow.user_id, CardRow.reviews).order_by(CardRow.user_id)).all()
    assert [tuple(r) for r in reviews] == [(ALICE, 3), (BOB, 4)]
    assert [tuple(c) for c in cards] == [(ALICE, 1), (BOB, 1)]

    # Two days later Alice runs /career review (from a DM with the bot) and walks the due question.
    bot.clock_.now = datetime(2026, 11, 27, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo
    card = bot.answer("review", user_id=ALICE, channel_id="D0ALICE01")
    assert card["response_type"] == "ephemeral"
    assert "復習（今日の残り 1問）" in blocks_text(card["blocks"])
    (show,) = buttons(card["blocks"])
    points = bot.press_answer(show["action_id"], show["value"], user_id=ALICE, channel_id="D0ALICE01")
    assert points["replace_original"] is True and "回答ポイント" in blocks_text(points["blocks"])
    easy = buttons(points["blocks"])[3]
    done = bot.press_answer(easy["action_id"], easy["value"], user_id=ALICE, channel_id="D0ALICE01")
    text = blocks_text(done["blocks"])
    assert done["replace_original"] is True
    assert "「簡単」で記録しました" in text and "今日の復習はこれで全部です。今日は 1問 自己評価しました。" in text

    stats = blocks_text(bot.answer("stats", user_id=ALICE)["blocks"])
    assert "回答したドリル: 1回" in stats and "連続回答: 1回" in stats
    assert (
        "今日の復習: 0問" in stats
        and "評価 1問、定着 0問" in stats
        and "最近30日の自己評価（2回）: 忘れた 0、苦労した 0、普通 1、簡単 1" in stats
    )


def test_a_forged_grade_press_gets_one_private_sentence(learning_bot, stub_api):
    bot = learning_bot
    reveal = post_and_reveal(bot, stub_api)
    first = buttons(reveal["blocks"])[0]
    forged = bot.press_answer(first["action_id"], first["value"], user_id=ALICE, channel_id="C0ELSEWHERE")
    assert forged["response_type"] == "ephemeral" and "このドリルは見つかりませんでした。" in blocks_text(forged["blocks"])
    garbled = bot.press_answer(first["action_id"], "1|<!channel>", user_id=ALICE)
    assert "何も記録していません" in blocks_text(garbled["blocks"]) and "<!channel>" not in str(garbled)
    with bot.core.cycle.sessions() as s:
        assert s.scalars(select(ReviewRow)).all() == []


# What a grade button carries is "<drill id>|<1-4>", written by the bot; anything else is refused,
# however int() would read it.
TAMPERED = ["{id}| 3", "{id}|+3", "{id}|03", "{id}|3 ", "{id}|\uff13", "{id}|\u0663", "+{id}|3", "0{id}|3", "{id}\uff10|3", "{id}|3|3"]


@pytest.mark.parametrize(
    "value",
    TAMPERED,
    ids=["space", "plus", "zero", "trailing-space", "full-width", "arabic-indic", "plus-id", "zero-id", "full-width-id", "extra"],
)
def test_a_tampered_grade_value_is_refused_and_records_nothing(learning_bot, stub_api, value):
    bot = learning_bot
    reveal = post_and_reveal(bot, stub_api)
    good = buttons(reveal["blocks"])[2]
    drill_id = good["value"].split("|")[0]
    assert good["value"] == f"{drill_id}|3"  # what the 普通 button carries
    answer = bot.press_answer(good["action_id"], value.format(id=drill_id), user_id=ALICE)
    assert answer["response_type"] == "ephemeral" and "何も記録していません" in blocks_text(answer["blocks"])
    with bot.core.cycle.sessions() as s:
        assert s.scalars(select(ReviewRow)).all() == [] and s.scalars(select(CardRow)).all() == []


def test_a_grade_pressed_without_a_channel_is_refused_and_records_nothing(learning_bot, stub_api):
    """The grade buttons live on the reveal in the drill's channel; a press that names no channel
    (sent as if from a modal of the App Home) grades nothing."""
    from bot.testing.botserver import press_in_view

    bot = learning_bot
    reveal = post_and_reveal(bot, stub_api)
    hard = buttons(reveal["blocks"])[1]
    modal = {"id": "VMODAL001", "type": "modal", "title": {"type": "plain_text", "text": "復習"}, "blocks": []}
    assert press_in_view(bot, "home_modal." + hard["action_id"], hard["value"], modal, ALICE).status == 200
    (update,) = stub_api.wait_for("views.update")
    assert update.params["view_id"] == "VMODAL001"
    assert "何も記録していません" in json.dumps(update.params["view"], ensure_ascii=False)
    with bot.core.cycle.sessions() as s:
        assert s.scalars(select(ReviewRow)).all() == [] and s.scalars(select(CardRow)).all() == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_message_text_is_stored_or_logged(learning_bot, stub_api, db_url, caplog):
    """(f) What members write passes through the bot but is never kept: not in the database file,
    not in its write-ahead log, not in the logs at any level."""
    import logging

    caplog.set_level(logging.DEBUG)
    bot = learning_bot
    reveal = post_and_reveal(bot, stub_api)
    good = buttons(reveal["blocks"])[2]
    bot.press_answer(good["action_id"], good["value"], user_id=ALICE)
    bot.clock_.now += timedelta(days=3)
    card = bot.answer("review", user_id=ALICE)
    assert "復習" in blocks_text(card["blocks"])
    bot.core.engine.dispose()
    path = Path(bot.core.engine.url.database)
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert len(stored) > 0 and b"UALICE001" in stored  # who is kept …
    assert b"XYZZY" not in stored  # … never what they wrote
    assert "XYZZY" not in caplog.text


def test_stats_in_a_dm_give_the_overall_record_and_say_where_the_channels_own_is(learning_bot, stub_api):
    bot = learning_bot
    post_and_reveal(bot, stub_api)
    stats = blocks_text(bot.answer("stats", user_id=ALICE, channel_id="D0ALICE01")["blocks"])
    assert "回答したドリル: 1回（すべてのチャンネルの合計。公開前の回答だけを数えます）" in stats
    assert "ドリルのあるチャンネルで `/career stats` を実行すると表示されます" in stats
    assert "このチャンネル" not in stats


def test_stats_account_for_grades_of_a_question_since_removed_from_the_content(stub_api, db_url, tmp_path):
    """A question leaves the content (here with its role) after Alice graded it: her stats say where
    the grade went instead of 「まだ自己評価した質問はありません」 beside 「最近30日の自己評価（1回）」."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    clock = Clock(datetime(2026, 11, 25, 8, 58, tzinfo=UTC))
    bot = start_bot(stub_api, content, rng=random.Random(5), clock=clock, DATABASE_URL=db_url)
    try:
        bot.clock_ = clock
        assert "設定しました" in blocks_text(bot.answer("schedule set cto 09:00 tz=UTC reveal=+1m", user_id=ADMIN)["blocks"])
        clock.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
        bot.tick()
        clock.now = datetime(2026, 11, 25, 9, 1, 5, tzinfo=UTC)
        bot.tick()
        reveal = next(c.params for c in stub_api.calls_to("chat.postMessage") if c.params.get("thread_ts"))
        good = buttons(reveal["blocks"])[2]
        assert "「普通」で記録しました" in blocks_text(bot.press_answer(good["action_id"], good["value"], user_id=ALICE)["blocks"])
    finally:
        bot.stop()

    (content / "cto.md").unlink()
    stub_api.clear()  # the new process numbers its response_urls from 1 again
    clock.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    bot = start_bot(stub_api, content, rng=random.Random(5), clock=clock, DATABASE_URL=db_url)
    try:
        stats = blocks_text(bot.answer("stats", user_id=ALICE, channel_id="D0ALICE01")["blocks"])
    finally:
        bot.stop()
    assert "まだ自己評価した質問はありません" not in stats
    assert "削除された質問: 評価 1問（教材から外れたため、復習には出ません）" in stats
    assert "最近30日の自己評価（1回）: 忘れた 0、苦労した 0、普通 1、簡単 0" in stats
