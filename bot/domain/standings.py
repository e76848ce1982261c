"""A channel's standings and its records as a CSV: pure rules over what the store says.

The leaderboard counts what the reveal counts: drills answered before their reveal. Its periods
are rolling windows ending now ("week" is the last 7 days, "month" the last 30), so a leaderboard
read on a Monday morning is not empty; the participation trend is per local calendar week
(Monday to Sunday in the channel's time zone), the way a study group talks about its weeks.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.text import normalize_key

PERIODS = ("week", "month", "all")
PERIOD_DAYS = {"week": 7, "month": 30}
PERIOD_LABELS = {"week": "直近7日間", "month": "直近30日間", "all": "全期間"}
PERIOD_WORDS = {
    "week": "week",
    "weekly": "week",
    "今週": "week",
    "週": "week",
    "週間": "week",
    "1週間": "week",
    "month": "month",
    "monthly": "month",
    "今月": "month",
    "月": "month",
    "月間": "month",
    "1ヶ月": "month",
    "1か月": "month",
    "all": "all",
    "alltime": "all",
    "全期間": "all",
    "全部": "all",
    "すべて": "all",
    "累計": "all",
    "通算": "all",
}
TOP = 10
TREND_WEEKS = 6

EXPORT_DEFAULT_DAYS = 30
EXPORT_MAX_DAYS = 366


def parse_period(word: str | None) -> str | None:
    """ "week", "month" or "all" (the default when nothing is given); None for anything else."""
    if word is None or not word.strip():
        return "week"
    return PERIOD_WORDS.get(normalize_key(word))


def period_start(period: str, now: datetime) -> datetime | None:
    """The first instant of the period (drills posted at or after it count); None for all time."""
    days = PERIOD_DAYS.get(period)
    return now - timedelta(days=days) if days else None


# ----------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class Answer:
    """A member's on-time answer to one drill, at their first on-time reply."""

    user_id: str
    drill_id: int
    at: datetime


@dataclass(frozen=True)
class Standing:
    user_id: str
    answered: int  # drills answered on time in the period
    streak: int  # current streak in the channel (bot.domain.progress.streak)
    reached_at: datetime  # when they reached that count: their latest counted answer


def rank(answers: Iterable[Answer], streaks: Mapping[str, int], limit: int = TOP) -> list[Standing]:
    """The members who answered in the period, best first, at most `limit`.

    Ties are ordered stably: more drills answered first, then the longer current streak, then the
    member who reached that count earlier, then by user id (so two equal records never swap)."""
    reached: dict[str, datetime] = {}
    drills: dict[str, set[int]] = {}
    for answer in answers:
        drills.setdefault(answer.user_id, set()).add(answer.drill_id)
        if answer.user_id not in reached or answer.at > reached[answer.user_id]:
            reached[answer.user_id] = answer.at
    standings = [Standing(user_id, len(ids), streaks.get(user_id, 0), reached[user_id]) for user_id, ids in drills.items()]
    standings.sort(key=lambda s: (-s.answered, -s.streak, s.reached_at, s.user_id))
    return standings[:limit]


# ----------------------------------------------------------------------------- participation trend


@dataclass(frozen=True)
class WeekTrend:
    start: date  # the Monday, in the channel's time zone
    drills: int  # drills that reached the channel that week
    answers: int  # on-time answers to them, one per member and drill
    current: bool = False


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def trend_start(now: datetime, zone: str, weeks: int = TREND_WEEKS) -> datetime:
    """Monday 00:00 (local) of the first week the trend shows, as an aware instant."""
    monday = week_start(now.astimezone(ZoneInfo(zone)).date()) - timedelta(weeks=weeks - 1)
    return datetime.combine(monday, time(0), tzinfo=ZoneInfo(zone))


def weekly_trend(
    posted: Mapping[int, datetime], answers: Iterable[Answer], zone: str, now: datetime, weeks: int = TREND_WEEKS
) -> list[WeekTrend]:
    """Drills posted and answers to them per local week, oldest first, ending with this week.
    Weeks before the channel's first drill are left out (a new group has no empty history)."""
    tz = ZoneInfo(zone)
    this_week = week_start(now.astimezone(tz).date())
    starts = [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    drill_week = {drill_id: week_start(at.astimezone(tz).date()) for drill_id, at in posted.items()}
    drills = {start: 0 for start in starts}
    counted = {start: 0 for start in starts}
    for week in drill_week.values():
        if week in drills:
            drills[week] += 1
    for answer in {(a.user_id, a.drill_id) for a in answers}:
        answered = drill_week.get(answer[1])
        if answered in counted:
            counted[answered] += 1
    trend = [WeekTrend(start, drills[start], counted[start], current=start == this_week) for start in starts]
    while len(trend) > 1 and trend[0].drills == 0:
        trend.pop(0)
    return trend


@dataclass(frozen=True)
class Entry:
    """One line of the leaderboard: the member as shown without a mention (their display name)."""

    user_id: str
    name: str
    answered: int
    streak: int


@dataclass(frozen=True)
class Board:
    period: str  # week | month | all
    since: datetime | None
    zone: str
    entries: list[Entry]  # the top members, best first
    members: int  # members who answered on time in the period
    drills: int  # drills that reached the channel in the period
    trend: list[WeekTrend]
    ever: bool  # the channel has had a drill at all

    @property
    def label(self) -> str:
        return PERIOD_LABELS[self.period]


# ----------------------------------------------------------------------------- export


def parse_days(text: str | None) -> int | None:
    """`/career export [days]`: 30 when nothing is given; 1..366 as digits (full width too, with
    an optional 日 / 日間 / d); None for anything else."""
    if text is None or not text.strip():
        return EXPORT_DEFAULT_DAYS
    word = unicodedata.normalize("NFKC", text).strip().lower()
    for suffix in ("日間", "日", "days", "day", "d"):
        if word.endswith(suffix):
            word = word[: -len(suffix)].strip()
            break
    if not word.isascii() or not word.isdigit() or len(word) > 4:
        return None
    days = int(word)
    return days if 1 <= days <= EXPORT_MAX_DAYS else None


@dataclass(frozen=True)
class ExportDrill:
    id: int
    post_at: datetime
    zone: str  # the drill's own time zone, as it was posted
    role_slug: str
    role_title: str
    question_number: int | None


@dataclass(frozen=True)
class MemberRecord:
    """What a member did on one drill: their first reply (on time, else late) and self-grade."""

    drill_id: int
    user_id: str
    replied_at: datetime | None  # None: graded without replying
    on_time: bool
    rating: int | None  # 1-4, the latest grade given on this drill's reveal


CSV_HEADER = ("日付", "職種ID", "職種", "問題番号", "メンバーID", "表示名", "回答日時", "回答", "自己評価", "自己評価ラベル")
RATING_LABELS = {1: "忘れた", 2: "苦労した", 3: "普通", 4: "簡単"}


def export_rows(drills: Sequence[ExportDrill], records: Iterable[MemberRecord], name_of: Callable[[str], str]) -> list[tuple[str, ...]]:
    """One row per (drill, member), in the order the drills were posted, then by member id. Dates
    and times are local to the drill's time zone; `回答` is on_time, late or none (graded only)."""
    by_drill: dict[int, list[MemberRecord]] = {}
    for record in records:
        by_drill.setdefault(record.drill_id, []).append(record)
    rows: list[tuple[str, ...]] = []
    for drill in sorted(drills, key=lambda d: (d.post_at, d.id)):
        tz = ZoneInfo(drill.zone)
        for record in sorted(by_drill.get(drill.id, ()), key=lambda r: r.user_id):
            if record.replied_at is None:
                replied, status = "", "none"
            else:
                replied, status = record.replied_at.astimezone(tz).isoformat(timespec="seconds"), "on_time" if record.on_time else "late"
            rows.append(
                (
                    drill.post_at.astimezone(tz).date().isoformat(),
                    drill.role_slug,
                    safe_cell(drill.role_title),
                    "" if drill.question_number is None else str(drill.question_number),
                    record.user_id,
                    safe_cell(name_of(record.user_id)),
                    replied,
                    status,
                    "" if record.rating is None else str(record.rating),
                    RATING_LABELS.get(record.rating or 0, ""),
                )
            )
    return rows


def safe_cell(text: str) -> str:
    """A display name such as `=HYPERLINK(…)` stays text when a spreadsheet opens the file."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(rows: Iterable[Sequence[str]], header: Sequence[str] = CSV_HEADER) -> bytes:
    """UTF-8 with a byte order mark (so Excel in Japan reads it as UTF-8) and CRLF line endings."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
