"""A workspace's own questions (チームの質問) without HTTP: an admin's Home and the list within
Slack's limits however many there are, a member's Home, the router's answers, and the console,
which cannot open the proposal form and says where it opens."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from bot.composition import build_home
from bot.domain.role import Level, QuestionKind
from bot.domain.team_questions import Draft
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.testing import ADMIN, CONTENT_DIR
from bot.testing.db import sqlite_copy
from bot.testing.reading import blocks_text, buttons
from bot.testing.slack_text import assert_within_limits, problems
from bot.views import home_blocks as ui

UTC = timezone.utc
T = SINGLE_WORKSPACE


def draft(i: int, target: str = "cto") -> Draft:
    long = "とても長い回答ポイントの説明です" * 5  # 80 characters
    return Draft(
        target=target,
        text=f"チームで出したい面接の質問です（{i}）<!here> & *太字*",
        points=tuple(f"{long[:79]}{n}" for n in range(6)),
        follow_up="深掘りの質問です" * 25,
        model_answer="模範解答の文章です。" * 60,
        weak_answer="NG例の文章です。" * 60,
        level=Level.SENIOR,
        kind=QuestionKind.SITUATION,
    )


def propose_many(world, count: int) -> None:
    """`count` proposals, from as many members as the daily cap needs."""
    for i in range(count):
        assert world.bot.team_questions.propose(f"UMEMB{i // 10:04d}", draft(i), world.clock(), team_id=T) == {}


def test_an_admins_home_lists_the_oldest_proposals_within_slacks_limits_and_counts_the_rest(world):
    for i in range(60):
        world.set("cto", "07:00", channel=f"C0OTHER{i:02d}")
    propose_many(world, 15)
    data = build_home(world.bot).data(ADMIN, world.clock(), team_id=T)
    assert data.pending_total == 15 and len(data.pending) == 10 and data.pending[0][1] == "CTO"
    view = ui.home_view(data)
    text = blocks_text(view["blocks"])
    assert len(view["blocks"]) <= 100 and problems({"view": view}) == []
    assert "承認待ちの質問（15件）" in text and "ほかに 5 件の提案が承認を待っています。" in text
    assert text.count("✅ 承認") == 10 and "（0）" in text and "（9）" in text and "（10）" not in text
    assert "&lt;!here&gt; &amp; ＊太字＊" in text and "<!here>" not in text
    # Everything else is still there, the channels cut as before.
    assert text.count("<#C0OTHER") == ui.MAX_CHANNELS and "ほかに 40 チャンネル" in text and "🧭 職種" in text


def test_a_members_home_offers_the_proposal_form_and_no_proposals(world):
    propose_many(world, 2)
    view = ui.home_view(build_home(world.bot).data("UALICE001", world.clock(), team_id=T))
    assert "承認待ち" not in blocks_text(view["blocks"])
    (offer,) = [b for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "career.propose_open"]
    assert offer["accessory"]["text"]["text"] == "✍️ 質問を提案" and "質問を提案" in offer["text"]["text"]


def test_the_list_pages_twenty_questions_at_a_time_within_a_messages_limits(world):
    propose_many(world, 25)
    for q in world.bot.team_questions.pending(team_id=T):
        world.bot.team_questions.approve(ADMIN, q.key, q.version, world.clock(), team_id=T)
    first = world.command("questions list", user_id=ADMIN)
    assert_within_limits(first)
    text = blocks_text(first.blocks)
    assert "👥 チームの質問（25件）" in text and "出題中 25件・廃止 0件（1/2ページ）" in text
    assert "ほかに 5 件あります。`/career questions list 2` で次の20件を表示します。" in text
    assert len([b for b in buttons(first.blocks) if b["text"]["text"] == "🗄 廃止"]) == 20
    second = world.command("questions list 2", user_id=ADMIN)
    assert_within_limits(second)
    assert "（2/2ページ）" in blocks_text(second.blocks) and len(buttons(second.blocks)) == 10
    assert "（2/2ページ）" in blocks_text(world.command("questions list 9", user_id=ADMIN).blocks)


def test_the_router_answers_what_only_slack_can_open(world):
    assert "Slack で `/career propose [職種|common]` を実行するか" in world.command("propose cto").text
    assert "書き出せるチームの質問（すべての職種）はまだありません" in world.command("questions export", user_id=ADMIN).text
    assert "Slack でだけ使えます" in world.press({"action_id": "career.team_edit", "value": "1|0"}, user_id=ADMIN).text
    # `/career questions cto` is still the role's questions.
    assert "CTO" in blocks_text(world.command("questions cto").blocks)


def test_the_console_says_the_proposal_form_opens_in_slack(tmp_path):
    from bot.config import load_settings
    from bot.console_app import build_console

    out = io.StringIO()
    console = build_console(
        load_settings({"CONTENT_DIR": str(CONTENT_DIR)}),
        sqlite_copy(tmp_path / "c.sqlite3"),
        out=out,
        start=datetime(2026, 11, 25, tzinfo=UTC),
    )
    try:
        console.run(["/career propose cto", "/career 提案", "/career questions list"], interactive=False)
        text = out.getvalue()
        assert text.count("質問の提案は Slack で `/career propose [職種|common]` を実行するか") == 2
        assert "チームの質問（0件）" in text and "まだチームの質問はありません" in text
    finally:
        console.bot.engine.dispose()


def test_a_proposal_counts_against_the_members_own_local_day(world):
    bot = world.bot.team_questions
    for i in range(10):
        assert bot.propose("UALICE001", draft(i), world.clock(), team_id=T, zone="Asia/Tokyo") == {}
    assert "1日10件まで" in bot.propose("UALICE001", draft(10), world.clock(), team_id=T, zone="Asia/Tokyo")["text"]
    # 08:00 UTC is 17:00 in Tokyo: seven hours later it is the next day there.
    later = world.clock() + timedelta(hours=7)
    assert bot.propose("UALICE001", draft(10), later, team_id=T, zone="Asia/Tokyo") == {}
