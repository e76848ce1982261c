"""Drill schedules: parsing what an admin types, and the maths of when a drill is due.

Everything takes `now` (tz-aware) as a parameter. An occurrence is identified by its local date in
the schedule's time zone, so a daily drill has exactly one occurrence per local day — on DST days too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_LABELS_JA = ("月", "火", "水", "木", "金", "土", "日")
_JA_DAYS = {label: i for i, label in enumerate(DAY_LABELS_JA)}
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


@dataclass(frozen=True)
class Schedule:
    channel_id: str
    role: str  # a role slug, or "all" to rotate across every role
    post_time: time
    timezone: str
    days: frozenset[int] = ALL_DAYS
    reveal: Reveal = Reveal(offset=timedelta(hours=8))
    skip_dates: frozenset[date] = frozenset()
    paused: bool = False
    # Occurrences whose post time is before this instant are not due: a schedule set at 09:30 for
    # 09:00 starts tomorrow, and a restart never re-creates what happened before the last change.
    effective_from: datetime = datetime(1970, 1, 1, tzinfo=timezone.utc)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Occurrence:
    local_date: date
    post_at: datetime  # UTC
    reveal_at: datetime  # UTC

    @property
    def key(self) -> str:
        return self.local_date.isoformat()


# ----------------------------------------------------------------------------- parsing

_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")
_OFFSET = re.compile(r"^\+(\d{1,4})\s*(m|min|分|h|時間)$", re.I)


def parse_clock(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise ScheduleError(f"時刻は HH:MM の形で指定してください（例: 09:00）。「{text}」は読めませんでした。")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ScheduleError(f"「{text}」は時刻として正しくありません。00:00〜23:59 で指定してください。")
    return time(hour, minute)


def parse_timezone(text: str) -> str:
    name = text.strip()
    try:
        if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", name):
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"タイムゾーン「{text}」は見つかりません。Asia/Tokyo のような IANA 名で指定してください。") from None
    return name


def parse_days(text: str) -> frozenset[int]:
    word = text.strip().lower()
    if word in ("daily", "everyday", "毎日", "all"):
        return ALL_DAYS
    if word in ("weekdays", "weekday", "平日"):
        return WEEKDAYS
    if word in ("weekends", "weekend", "週末", "土日"):
        return frozenset({5, 6})
    days = set()
    for part in re.split(r"[,、，]", word):
        part = part.strip()
        english = [i for i, full in enumerate(_FULL_DAY_NAMES) if len(part) >= 3 and full.startswith(part)]
        if english:
            days.add(english[0])
        elif part.rstrip("曜日") in _JA_DAYS:
            days.add(_JA_DAYS[part.rstrip("曜日")])
        else:
            raise ScheduleError(
                f"曜日「{part or text}」は読めませんでした。daily、weekdays、または mon,wed,fri のように指定してください。"
            )
    if not days:
        raise ScheduleError("曜日が空です。daily、weekdays、または mon,wed,fri のように指定してください。")
    return frozenset(days)


def parse_reveal(text: str) -> Reveal:
    word = text.strip()
    match = _OFFSET.match(word)
    if match:
        amount = int(match.group(1))
        unit = match.group(2).lower()
        offset = timedelta(hours=amount) if unit in ("h", "時間") else timedelta(minutes=amount)
        if offset <= timedelta(0) or offset > MAX_OFFSET:
            raise ScheduleError("解答の公開は投稿の 1 分後から 23 時間 59 分後までの間で指定してください。")
        return Reveal(offset=offset)
    if _TIME.match(word):
        return Reveal(at=parse_clock(word))
    raise ScheduleError(f"reveal は HH:MM か +30m / +2h の形で指定してください。「{text}」は読めませんでした。")


def parse_skip_date(text: str, today: date) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(f"日付は YYYY-MM-DD の形で指定してください（例: {today.isoformat()}）。") from None
    if day < today:
        raise ScheduleError(f"{day.isoformat()} はもう過ぎています。今日以降の日付を指定してください。")
    return day


@dataclass(frozen=True)
class ScheduleRequest:
    """What `/career schedule set …` asked for, before it is checked against the roles."""

    role: str
    post_time: time
    timezone: str
    days: frozenset[int] = ALL_DAYS
    reveal: Reveal = field(default_factory=lambda: Reveal(offset=timedelta(hours=8)))


def parse_schedule_set(words: list[str], default_timezone: str, default_reveal: Reveal | None = None) -> ScheduleRequest:
    positional = [w for w in words if "=" not in w]
    options: dict[str, str] = {}
    for word in words:
        if "=" in word:
            key, _, value = word.partition("=")
            key = key.strip().lower()
            if key not in ("tz", "days", "reveal"):
                raise ScheduleError(f"オプション「{key}」はありません。使えるのは tz=、days=、reveal= です。")
            options[key] = value
    if len(positional) != 2:
        raise ScheduleError("使い方: `/career schedule set <職種|all> <HH:MM> [tz=Asia/Tokyo] [days=weekdays] [reveal=+2h]`")
    role, clock = positional
    request = ScheduleRequest(
        role=role,
        post_time=parse_clock(clock),
        timezone=parse_timezone(options["tz"]) if "tz" in options else default_timezone,
        days=parse_days(options["days"]) if "days" in options else ALL_DAYS,
        reveal=parse_reveal(options["reveal"]) if "reveal" in options else (default_reveal or Reveal(offset=timedelta(hours=8))),
    )
    if request.reveal.at is not None and request.reveal.at <= request.post_time:
        raise ScheduleError(
            f"解答の公開（{request.reveal}）は投稿（{request.post_time:%H:%M}）より後の時刻にしてください。"
        )
    return request


# ----------------------------------------------------------------------------- time maths


def local_datetime(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The instant a wall-clock time happens on a day. In a DST gap the clock jumps forward, so
    02:30 on a spring-forward day is read with the pre-transition offset (03:30 local)."""
    return datetime.combine(day, clock, tzinfo=zone)


def occurrence_on(schedule: Schedule, day: date) -> Occurrence:
    zone = schedule.zone
    post_at = local_datetime(day, schedule.post_time, zone).astimezone(timezone.utc)
    if schedule.reveal.at is not None:
        reveal_at = local_datetime(day, schedule.reveal.at, zone).astimezone(timezone.utc)
    else:
        assert schedule.reveal.offset is not None
        reveal_at = post_at + schedule.reveal.offset
    return Occurrence(day, post_at, reveal_at)


def runs_on(schedule: Schedule, day: date) -> bool:
    return day.weekday() in schedule.days and day not in schedule.skip_dates


def next_occurrence(schedule: Schedule, now: datetime) -> Occurrence | None:
    """The next occurrence whose post time is after `now`, or None while paused."""
    if schedule.paused:
        return None
    today = now.astimezone(schedule.zone).date()
    for offset in range(0, 400):
        day = today + timedelta(days=offset)
        if not runs_on(schedule, day):
            continue
        occurrence = occurrence_on(schedule, day)
        if occurrence.post_at > now and occurrence.post_at >= schedule.effective_from:
            return occurrence
    return None


def due_occurrences(schedule: Schedule, now: datetime) -> list[Occurrence]:
    """Occurrences whose post time has come (yesterday's too, for reveals that cross midnight)."""
    if schedule.paused:
        return []
    today = now.astimezone(schedule.zone).date()
    due = []
    for day in (today - timedelta(days=1), today):
        if not runs_on(schedule, day):
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
