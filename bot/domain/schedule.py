"""Drill schedules and the maths of when a drill is due.

Everything takes `now` (tz-aware) as a parameter. A scheduled drill belongs to a local day in the
schedule's time zone, and each local day gets at most one: on DST days, and across a change of time
or zone too, where a drill already posted today counts as today's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.domain.role import Level

# A dataclass below has a field named `timezone`, which hides `datetime.timezone` inside the class body.
_UTC = timezone.utc

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS_JA = ("月", "火", "水", "木", "金", "土", "日")
ALL_DAYS = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
MAX_OFFSET = timedelta(hours=23, minutes=59)


class ScheduleError(ValueError):
    """Bad schedule input; the message is one Japanese sentence for the admin who typed it."""


@dataclass(frozen=True)
class Reveal:
    """When answers are revealed: a clock time the same day, or an offset after the post."""

    at: time | None = None
    offset: timedelta | None = None

    def __str__(self) -> str:
        if self.at is not None:
            return self.at.strftime("%H:%M")
        assert self.offset is not None
        minutes = int(self.offset.total_seconds() // 60)
        return f"+{minutes // 60}h" if minutes % 60 == 0 else f"+{minutes}m"

    def describe(self) -> str:
        """How a person reads it: 「21:00」 or 「投稿の30分後」."""
        if self.at is not None:
            return self.at.strftime("%H:%M")
        assert self.offset is not None
        minutes = int(self.offset.total_seconds() // 60)
        hours, rest = divmod(minutes, 60)
        amount = (f"{hours}時間" if hours else "") + (f"{rest}分" if rest else "")
        return f"投稿の{amount}後"


DEFAULT_REVEAL = Reveal(offset=timedelta(hours=8))


@dataclass(frozen=True)
class Remind:
    """A nudge in the drill's thread before its reveal: this long before it, or at a clock time
    (the last time the clock reads it before the reveal). `remind=off` is no Remind at all (None on
    the schedule)."""

    before: timedelta | None = None
    at: time | None = None

    def __str__(self) -> str:
        if self.at is not None:
            return self.at.strftime("%H:%M")
        assert self.before is not None
        minutes = int(self.before.total_seconds() // 60)
        return f"-{minutes // 60}h" if minutes % 60 == 0 else f"-{minutes}m"

    def describe(self) -> str:
        """How a person reads it: 「21:00」 or 「公開の1時間前」."""
        if self.at is not None:
            return self.at.strftime("%H:%M")
        assert self.before is not None
        minutes = int(self.before.total_seconds() // 60)
        hours, rest = divmod(minutes, 60)
        return "公開の" + (f"{hours}時間" if hours else "") + (f"{rest}分" if rest else "") + "前"


@dataclass(frozen=True)
class Digest:
    """The weekly digest: a weekday (Monday = 0) and a clock time in the schedule's zone."""

    day: int
    at: time

    def __str__(self) -> str:
        return f"{DAY_NAMES[self.day]}-{self.at:%H:%M}"

    def describe(self) -> str:
        return f"毎週{DAY_LABELS_JA[self.day]}曜 {self.at:%H:%M}"


@dataclass(frozen=True)
class Schedule:
    channel_id: str
    role: str  # a role slug, or "all" to rotate across every role
    post_time: time
    timezone: str
    days: frozenset[int] = ALL_DAYS
    reveal: Reveal = DEFAULT_REVEAL
    skip_dates: frozenset[date] = frozenset()
    paused: bool = False
    # Why the bot paused it by itself ("is_archived", "channel_not_found": the channel is gone);
    # None when a person paused it, or it runs. Resuming or setting it again clears it.
    paused_reason: str | None = None
    # Ask only questions whose answer points can be revealed, unless the admin asked for all.
    all_questions: bool = False
    # "adaptive": the questions the group struggles with come back; "rotation": a shuffled deck.
    order: str = "adaptive"
    # Members are told privately which answer points their reply covered.
    feedback: bool = True
    # The levels a drill may ask (empty: all), and every how many scheduled drills one of the
    # common questions is asked instead (0: never).
    levels: frozenset[Level] = frozenset()
    common_every: int = 0
    # A reminder in the thread before the reveal, and a weekly digest; both off unless asked for.
    remind: Remind | None = None
    digest: Digest | None = None
    # Occurrences whose post time is before this instant are not due: a schedule set at 09:30 for
    # 09:00 starts tomorrow, and a restart never re-creates what happened before the last change.
    effective_from: datetime = datetime(1970, 1, 1, tzinfo=_UTC)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Occurrence:
    local_date: date
    timezone: str
    post_at: datetime  # UTC
    reveal_at: datetime  # UTC

    @property
    def key(self) -> str:
        # The zone is part of the key: after a change of zone, the new zone's day is a new row
        # even when its date reads the same as a day already served in the old zone.
        return f"{self.local_date.isoformat()}@{self.timezone}"


def local_datetime(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The instant a wall-clock time happens on a day. In a DST gap the clock jumps forward, so
    02:30 on a spring-forward day is read with the pre-transition offset (03:30 local)."""
    return datetime.combine(day, clock, tzinfo=zone)


def same_clock_days_later(instant: datetime, days: int, zone_name: str) -> datetime:
    """The instant (UTC) at which the clock reads the same time `days` local days later (earlier
    when negative): a local week is 7 × 24 hours give or take the hour a clock change adds or
    removes."""
    zone = ZoneInfo(zone_name)
    local = instant.astimezone(zone)
    return local_datetime(local.date() + timedelta(days=days), local.time(), zone).astimezone(timezone.utc)


def wall_instants(day: date, clock: time, zone: ZoneInfo) -> tuple[datetime, ...]:
    """Every instant (UTC, earliest first) at which the clock reads `clock` on `day`: two for a time
    in the hour repeated when clocks go back, one otherwise (a time skipped by a DST gap is read
    as `local_datetime` reads it)."""
    found = []
    for fold in (0, 1):
        local = datetime.combine(day, clock, tzinfo=zone).replace(fold=fold)
        instant = local.astimezone(timezone.utc)
        if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None) and instant not in found:
            found.append(instant)
    return tuple(found) or (local_datetime(day, clock, zone).astimezone(timezone.utc),)


def occurrence_on(schedule: Schedule, day: date) -> Occurrence:
    zone = schedule.zone
    post_at = local_datetime(day, schedule.post_time, zone).astimezone(timezone.utc)
    if schedule.reveal.at is not None:
        reveal_at = local_datetime(day, schedule.reveal.at, zone).astimezone(timezone.utc)
        if reveal_at <= post_at:
            # A DST gap pushed the post past the reveal (02:30 → 03:30, reveal 03:00): the reveal
            # follows the post by the gap the admin asked for, so members still get their time.
            wall = datetime.combine(day, schedule.reveal.at) - datetime.combine(day, schedule.post_time)
            reveal_at = post_at + wall
    else:
        assert schedule.reveal.offset is not None
        reveal_at = post_at + schedule.reveal.offset
    return Occurrence(day, schedule.timezone, post_at, reveal_at)


def runs_on(schedule: Schedule, day: date) -> bool:
    return day.weekday() in schedule.days and day not in schedule.skip_dates


def days_served(post_times: Iterable[datetime], zone_name: str) -> frozenset[date]:
    """The local days (in the schedule's zone as it now stands) that already had a scheduled drill."""
    zone = ZoneInfo(zone_name)
    return frozenset(instant.astimezone(zone).date() for instant in post_times)


def next_occurrence(schedule: Schedule, now: datetime, served: frozenset[date] = frozenset()) -> Occurrence | None:
    """The next occurrence that will really be posted: after `now`, on a day not served yet."""
    if schedule.paused:
        return None
    today = now.astimezone(schedule.zone).date()
    for offset in range(0, 400):
        day = today + timedelta(days=offset)
        if not runs_on(schedule, day) or day in served:
            continue
        occurrence = occurrence_on(schedule, day)
        # Not before now, so a schedule set for this very minute names the post it is about to make.
        if occurrence.post_at >= now and occurrence.post_at >= schedule.effective_from:
            return occurrence
    return None


def due_occurrences(schedule: Schedule, now: datetime, served: frozenset[date] = frozenset()) -> list[Occurrence]:
    """Occurrences whose post time has come (yesterday's too, for reveals that cross midnight)."""
    if schedule.paused:
        return []
    today = now.astimezone(schedule.zone).date()
    due = []
    for day in (today - timedelta(days=1), today):
        if not runs_on(schedule, day) or day in served:
            continue
        occurrence = occurrence_on(schedule, day)
        if schedule.effective_from <= occurrence.post_at <= now:
            due.append(occurrence)
    return due


# ----------------------------------------------------------------------------- describing


def describe_days(days: frozenset[int]) -> str:
    if days == ALL_DAYS:
        return "毎日"
    if days == WEEKDAYS:
        return "平日"
    return "・".join(DAY_LABELS_JA[d] for d in sorted(days)) + "曜"


def days_setting(days: frozenset[int]) -> str:
    if days == ALL_DAYS:
        return "daily"
    if days == WEEKDAYS:
        return "weekdays"
    return ",".join(DAY_NAMES[d] for d in sorted(days))


def format_local(instant: datetime, zone_name: str) -> str:
    local = instant.astimezone(ZoneInfo(zone_name))
    return f"{local:%Y-%m-%d}（{DAY_LABELS_JA[local.weekday()]}）{local:%H:%M} {zone_name}"
