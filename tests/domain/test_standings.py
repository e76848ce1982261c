"""The leaderboard's rules and the export's CSV, as pure functions: periods, ranking and its tie
order, the weekly trend, the days an admin may ask for, and the file Excel opens."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.domain.command_text import ExportCommand, LeaderboardCommand, parse_command
from bot.domain.standings import (
    CSV_HEADER,
    Answer,
    ExportDrill,
    MemberRecord,
    csv_bytes,
    export_rows,
    parse_days,
    parse_period,
    period_start,
    rank,
    trend_start,
    weekly_trend,
)

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # Thursday 12:00 in Tokyo


@pytest.mark.parametrize(
    "text, expected",
    [
        ("leaderboard", LeaderboardCommand("week")),
        ("leaderboard week", LeaderboardCommand("week")),
        ("ランキング 今週", LeaderboardCommand("week")),
        ("ランキング 週", LeaderboardCommand("week")),
        ("leaderboard month", LeaderboardCommand("month")),
        ("ランキング 今月", LeaderboardCommand("month")),
        ("LEADERBOARD ALL", LeaderboardCommand("all")),
        ("ランキング 全期間", LeaderboardCommand("all")),
        ("ランキング 全部", LeaderboardCommand("all")),
        ("leaderboard yesterday", LeaderboardCommand("")),
        ("leaderboard week month", LeaderboardCommand("")),
        ("export", ExportCommand("")),
        ("export 7", ExportCommand("7")),
        ("エクスポート ９０日", ExportCommand("９０日")),
    ],
)
def test_leaderboard_and_export_commands_parse(text, expected):
    assert parse_command(text) == expected


def test_periods_are_rolling_windows_ending_now():
    assert parse_period(None) == "week" and parse_period("") == "week"
    assert parse_period("今月") == "month" and parse_period("nope") is None
    assert period_start("week", NOW) == NOW - timedelta(days=7)
    assert period_start("month", NOW) == NOW - timedelta(days=30)
    assert period_start("all", NOW) is None


T = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def answers(*items: tuple[str, int, int]) -> list[Answer]:
    """(member, drill, minutes after T)."""
    return [Answer(user, drill, T + timedelta(minutes=minutes)) for user, drill, minutes in items]


def test_more_drills_answered_ranks_higher_and_each_drill_counts_once():
    ranked = rank(answers(("UB", 1, 5), ("UB", 2, 5), ("UA", 1, 1), ("UA", 1, 2)), {})
    assert [(s.user_id, s.answered) for s in ranked] == [("UB", 2), ("UA", 1)]


def test_ties_go_to_the_longer_streak_then_to_who_reached_the_count_first_then_user_id():
    same_time = answers(("UZ", 1, 10), ("UY", 1, 10), ("UX", 1, 10), ("UW", 1, 10), ("UV", 1, 3))
    ranked = rank(same_time, {"UX": 4, "UW": 4, "UZ": 1})
    # UX and UW: streak 4 (same time → user id); UV reached 1 drill first; UZ's streak 1 beats UY's 0.
    assert [s.user_id for s in ranked] == ["UW", "UX", "UZ", "UV", "UY"]
    # The order never depends on the input's order.
    assert [s.user_id for s in rank(list(reversed(same_time)), {"UX": 4, "UW": 4, "UZ": 1})] == ["UW", "UX", "UZ", "UV", "UY"]


def test_only_the_top_ten_are_ranked():
    many = answers(*((f"U{n:02d}", 1, n) for n in range(15)))
    ranked = rank(many, {})
    assert len(ranked) == 10 and ranked[0].user_id == "U00" and ranked[-1].user_id == "U09"


def test_weekly_trend_counts_drills_and_answers_per_local_week_and_skips_weeks_before_the_first_drill():
    zone = "Asia/Tokyo"
    # Monday 2026-11-16 00:30 in Tokyo is still Sunday in UTC: it belongs to the week of 11/16.
    posted = {
        1: datetime(2026, 11, 15, 15, 30, tzinfo=UTC),
        2: datetime(2026, 11, 18, 0, 0, tzinfo=UTC),
        3: datetime(2026, 11, 24, 0, 0, tzinfo=UTC),
    }
    given = answers(("UA", 1, 0), ("UB", 1, 0), ("UA", 2, 0), ("UA", 3, 0), ("UA", 3, 9))
    trend = weekly_trend(posted, given, zone, NOW)
    assert [(w.start, w.drills, w.answers, w.current) for w in trend] == [
        (date(2026, 11, 16), 2, 3, False),
        (date(2026, 11, 23), 1, 1, True),
    ]
    assert trend_start(NOW, zone).astimezone(UTC) == datetime(2026, 10, 18, 15, 0, tzinfo=UTC)


def test_a_channel_without_drills_has_only_this_week_in_its_trend():
    trend = weekly_trend({}, [], "UTC", NOW)
    assert [(w.drills, w.answers, w.current) for w in trend] == [(0, 0, True)]


@pytest.mark.parametrize("text, days", [(None, 30), ("", 30), ("7", 7), ("１４", 14), ("90日", 90), ("30d", 30), ("366", 366), ("1", 1)])
def test_export_days(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["abc", "0", "367", "-5", "3.5", "99999", "１０ 日 後", "٣"])
def test_export_days_out_of_range_or_not_a_number(text):
    assert parse_days(text) is None


def test_csv_has_a_bom_crlf_one_row_per_drill_and_member_and_local_times():
    drills = [
        ExportDrill(2, datetime(2026, 11, 25, 0, 0, tzinfo=UTC), "Asia/Tokyo", "ciso", "CISO", 3),
        ExportDrill(1, datetime(2026, 11, 24, 15, 30, tzinfo=UTC), "Asia/Tokyo", "ciso", "CISO", 7),
    ]
    records = [
        MemberRecord(2, "UB", datetime(2026, 11, 25, 0, 5, tzinfo=UTC), True, 3),
        MemberRecord(2, "UA", datetime(2026, 11, 25, 12, 0, tzinfo=UTC), False, None),
        MemberRecord(1, "UA", None, False, 1),
    ]
    names = {"UA": '=HYPERLINK("x")', "UB": 'ボブ, "B"'}
    data = csv_bytes(export_rows(drills, records, names.__getitem__))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.count("\r\n") == 4 and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1:] == [
        # Drill 1 was posted at 00:30 on 11/25 in Tokyo; UA graded it 忘れた without replying.
        ["2026-11-25", "ciso", "CISO", "7", "UA", '\'=HYPERLINK("x")', "", "none", "1", "忘れた"],
        ["2026-11-25", "ciso", "CISO", "3", "UA", '\'=HYPERLINK("x")', "2026-11-25T21:00:00+09:00", "late", "", ""],
        ["2026-11-25", "ciso", "CISO", "3", "UB", 'ボブ, "B"', "2026-11-25T09:05:00+09:00", "on_time", "3", "普通"],
    ]
