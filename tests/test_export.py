"""`/career export` through the router on a real database (SQLite and PostgreSQL), with time
injected: admins only, one CSV row per (drill, member), sent to the admin's DM, never any text."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from bot.domain.memory import Grade
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import ChatError
from bot.testing import ADMIN, CH
from bot.testing.reading import blocks_text
from bot.testing.world import World

ALICE, BOB, CAROL = "UALICE001", "UBOB00001", "UCAROL001"
HEADER = ["日付", "職種ID", "職種", "問題番号", "メンバーID", "表示名", "回答日時", "回答", "自己評価", "自己評価ラベル"]


def three_days(group: World) -> list[int]:
    """Day 0: Alice on time (and grades 普通), Bob only after the reveal. Day 1: Alice twice on
    time, Carol grades 忘れた without replying. Day 2: nobody."""
    first = group.day(0, on_time=[ALICE], late=[BOB])
    group.bot.learning.grade_drill(ALICE, CH, first, Grade.GOOD, group.clock(), team_id=SINGLE_WORKSPACE)
    second = group.day(1, on_time=[ALICE, ALICE])
    group.bot.learning.grade_drill(CAROL, CH, second, Grade.AGAIN, group.clock(), team_id=SINGLE_WORKSPACE)
    third = group.day(2)
    group.clock.now = group.start + timedelta(days=2, hours=12)
    return [first, second, third]


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))


def test_an_admin_gets_one_row_per_drill_and_member_in_a_dm(group):
    three_days(group)
    answer = group.command("export", user_id=ADMIN)
    assert answer.ephemeral and blocks_text(answer.blocks) == "✅ DM に CSV を送りました（4行、直近30日間）。"
    (sent,) = group.chat.of("file")
    assert sent.channel == ADMIN and sent.key == f"career-drill-{CH}-2026-11-18.csv"
    assert sent.file.count(b"\r\n") == 5
    rows = rows_of(sent.file)
    assert rows[0] == HEADER
    numbers = {row[0]: row[3] for row in rows[1:]}
    assert rows[1:] == [
        [
            "2026-11-16",
            "ciso_project_position",
            "CISO",
            numbers["2026-11-16"],
            ALICE,
            "Alice",
            "2026-11-16T09:10:00+00:00",
            "on_time",
            "3",
            "普通",
        ],
        ["2026-11-16", "ciso_project_position", "CISO", numbers["2026-11-16"], BOB, "ボブ", "2026-11-16T10:05:00+00:00", "late", "", ""],
        [
            "2026-11-17",
            "ciso_project_position",
            "CISO",
            numbers["2026-11-17"],
            ALICE,
            "Alice",
            "2026-11-17T09:10:00+00:00",
            "on_time",
            "",
            "",
        ],
        ["2026-11-17", "ciso_project_position", "CISO", numbers["2026-11-17"], CAROL, "<!channel> & co", "", "none", "1", "忘れた"],
    ]
    assert all(n.isdigit() for n in numbers.values())


def test_the_days_bound_the_drills_exported(group):
    three_days(group)
    # The last day holds only day 2's drill, which nobody answered or graded: nothing is sent.
    answer = group.command("export 1", user_id=ADMIN)
    assert blocks_text(answer.blocks) == "直近1日間に書き出せる記録（回答や自己評価）がなかったため、CSV は送っていません。"
    assert group.chat.of("file") == []
    answer = group.command("エクスポート ２日", user_id=ADMIN)
    assert "（2行、直近2日間）" in blocks_text(answer.blocks)
    assert {row[0] for row in rows_of(group.chat.of("file")[-1].file)[1:]} == {"2026-11-17"}


def test_a_member_who_is_not_an_admin_is_refused_and_nothing_is_uploaded(group):
    three_days(group)
    for text in ("export", "export abc"):
        answer = group.command(text, user_id=ALICE)
        assert (
            blocks_text(answer.blocks)
            == "すみません、ドリルの記録を CSV で書き出せるのは管理者だけです。必要な場合は管理者に相談してください。"
        )
    assert group.chat.of("file") == []


@pytest.mark.parametrize("days", ["abc", "0", "367", "30 60", "<!channel>"])
def test_a_bad_number_of_days_gets_one_sentence_and_nothing_is_uploaded(group, days):
    three_days(group)
    answer = group.command(f"export {days}", user_id=ADMIN)
    assert len(answer.blocks) == 1
    assert blocks_text(answer.blocks) == "⚠️ 日数は 1〜366 の数字で指定してください（例: `/career export 30`）。"
    assert group.chat.of("file") == []


@pytest.mark.parametrize(
    "error, sentence",
    [
        (ChatError("missing_scope", retryable=False), "アプリにファイル送信（files:write）と DM（im:write）の権限があるか"),
        (ChatError("connection_error: TimeoutError"), "CSV を DM に送れませんでした。少し待ってからもう一度お試しください。"),
    ],
)
def test_a_failed_upload_says_so_in_one_sentence(group, error, sentence):
    three_days(group)
    group.chat.failures.append(error)
    answer = group.command("export", user_id=ADMIN)
    assert sentence in blocks_text(answer.blocks) and len(answer.blocks) == 1
    assert group.chat.of("file") == []


def test_export_answers_after_the_ack_and_is_in_help(group):
    assert not group.bot.router.answers_from_memory("export")
    assert not group.bot.router.answers_from_memory("leaderboard")
    help_text = blocks_text(group.command("help").blocks)
    assert "`/career leaderboard [week|month|all]`" in help_text and "`/career export [日数]`" in help_text
