"""`/career leaderboard` through the router on a real database (SQLite and PostgreSQL), with time
injected: who answered most on time, streaks, the weekly trend, sharing, and no mentions anywhere."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.schedule_input import parse_schedule_set
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.testing import ADMIN
from bot.testing.reading import blocks_text
from bot.testing.world import World
from bot.views.action_ids import Kind, action_id

UTC = timezone.utc
DAY0 = datetime(2026, 11, 16, tzinfo=UTC)  # a Monday
ALICE, BOB, CAROL, DAVE = "UALICE001", "UBOB00001", "UCAROL001", "UDAVE0001"


def ten_days(group: World) -> None:
    """Alice answers days 3-9, Bob days 3-8, Carol every day but 5, Dave only after a reveal."""
    for n in range(10):
        on_time = [u for u, answers in ((ALICE, 3 <= n), (BOB, 3 <= n <= 8), (CAROL, n != 5)) if answers]
        group.day(n, on_time=on_time, late=[DAVE])
    group.clock.now = DAY0 + timedelta(days=9, hours=11)


def ranking_lines(message) -> list[str]:
    """The board's lines as a reader sees them (bold markers are formatting, not text)."""
    lines = blocks_text(message.blocks).replace("*", "").splitlines()
    return [line for line in lines if line.startswith(("🥇", "🥈", "🥉")) or line.split(".")[0].isdigit()]


def buttons(message) -> list[dict]:
    return [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def test_the_week_board_ranks_by_drills_answered_then_streak_and_names_members_without_mentions(group):
    ten_days(group)
    board = group.command("leaderboard week")
    assert board.ephemeral
    text = blocks_text(board.blocks)
    assert "ランキング｜直近7日間" in text
    # The last 7 days hold the drills of days 3-9. Carol and Bob both answered 6; Carol's streak
    # (days 6-9) beats Bob's (he missed the newest). Dave only replied after reveals: not listed.
    assert ranking_lines(board) == [
        "🥇 Alice　7問回答・🔥 連続 7回",
        "🥈 &lt;!channel&gt; &amp; co　6問回答・🔥 連続 4回",
        "🥉 ボブ　6問回答",
    ]
    assert "直近7日間の出題 7問・回答したメンバー 3人" in text
    assert "📈 週ごとの参加（月〜日の週。出題・延べ回答）: 11/16週 7問・14回答 ｜ 11/23週（今日まで） 3問・8回答" in text
    assert "今週" not in text  # the board counts the last 7 days: no calendar 「今週」 beside it
    everything = json.dumps(board.blocks, ensure_ascii=False) + board.text
    assert "<@" not in everything and "<!channel>" not in everything
    assert DAVE not in group.named  # names are asked for only for those shown
    (share,) = buttons(board)
    assert share["text"]["text"] == "チャンネルに共有" and share["value"] == "week"


def test_month_and_all_count_the_whole_history_and_japanese_words_work(group):
    ten_days(group)
    for text in ("leaderboard month", "ランキング 今月", "ランキング 全期間"):
        lines = ranking_lines(group.command(text))
        assert lines[0] == "🥇 &lt;!channel&gt; &amp; co　9問回答・🔥 連続 4回", text
        assert lines[1:] == ["🥈 Alice　7問回答・🔥 連続 7回", "🥉 ボブ　6問回答"], text
    assert "ランキング｜全期間" in blocks_text(group.command("ランキング 全部").blocks)


def test_sharing_posts_the_board_again_in_the_channel_without_buttons_or_mentions(group):
    ten_days(group)
    (share,) = buttons(group.command("leaderboard"))
    # A member replies after the board was shown: the shared board is computed when pressed.
    group.day(10, on_time=[BOB])
    shared = group.press(share, user_id=ADMIN)
    assert not shared.ephemeral and buttons(shared) == []
    text = blocks_text(shared.blocks)
    # Days 4-10 now: Bob's new answer and streak put him above Alice, who missed day 10.
    assert ranking_lines(shared) == ["🥇 ボブ　6問回答・🔥 連続 1回", "🥈 Alice　6問回答", "🥉 &lt;!channel&gt; &amp; co　5問回答"]
    assert "管理者さん さんが共有しました" in text
    assert "<@" not in json.dumps(shared.blocks, ensure_ascii=False) + shared.text


@pytest.mark.parametrize("value", ["year", "week|C0OTHER01", "", "<!channel>"])
def test_a_forged_share_value_gets_one_sentence_and_posts_nothing(group, value):
    ten_days(group)
    answer = group.press({"action_id": action_id(Kind.SHARE_LEADERBOARD) + ".0", "value": value})
    assert answer.ephemeral and "もう一度 `/career leaderboard` からお試しください" in blocks_text(answer.blocks)
    assert "<!channel>" not in json.dumps(answer.blocks, ensure_ascii=False)


def test_an_unknown_period_gets_the_usage_in_one_sentence(group):
    answer = group.command("leaderboard yesterday")
    assert answer.ephemeral and len(answer.blocks) == 1
    assert blocks_text(answer.blocks).startswith(
        "⚠️ 期間は week・month・all のどれかで指定してください。使い方: `/career leaderboard [week|month|all]`"
    )


def test_a_channel_without_drills_gets_a_friendly_sentence_not_an_empty_table(group):
    answer = group.command("leaderboard", channel_id="C0NEWROOM")
    text = blocks_text(answer.blocks)
    assert "このチャンネルではまだドリルが出題されていません。" in text
    assert buttons(answer) == [] and ranking_lines(answer) == []


def test_a_quiet_week_says_so_and_still_shows_the_trend(group):
    group.day(0, on_time=[ALICE])
    group.clock.now = DAY0 + timedelta(days=12)
    answer = group.command("leaderboard week")
    text = blocks_text(answer.blocks)
    assert "直近7日間に公開前の回答はまだありません。" in text
    assert "11/16週 1問・1回答 ｜ 11/23週（今日まで） 0問・0回答" in text
    assert buttons(answer) == []  # nothing to share
    assert ranking_lines(group.command("leaderboard all")) == ["🥇 Alice　1問回答・🔥 連続 1回"]


def test_the_board_is_for_this_channel_only(group):
    ten_days(group)
    group.bot.schedules.set(
        "C0OTHER01", ADMIN, parse_schedule_set(["ciso", "12:00", "reveal=+1h"], "UTC"), group.clock(), team_id=SINGLE_WORKSPACE
    )
    group.clock.now = DAY0 + timedelta(days=10, hours=12)
    group.bot.cycle.tick(group.clock.now)
    other = group.chat.of("question", "C0OTHER01")[-1]
    group.bot.replies.record("C0OTHER01", other.ts, "1900000000.000001", DAVE, group.clock.now)
    lines = ranking_lines(group.command("leaderboard all", channel_id="C0OTHER01"))
    assert lines == ["🥇 UDAVE0001　1問回答・🔥 連続 1回"]  # its drill is still open: it counts
    assert all("UDAVE0001" not in line for line in ranking_lines(group.command("leaderboard all")))
