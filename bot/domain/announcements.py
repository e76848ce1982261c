"""When the bot speaks in a channel besides the drill itself, and what it says: a drill's pre-reveal
reminder and the channel's weekly digest.

Pure maths over the schedule and `now` (tz-aware); no Slack, no database. The reminder names nobody
and counts nobody: it says how long is left and invites an answer. The digest is a week's summary
as plain data for a chat adapter to render.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.domain.schedule import (
    Digest,
    Occurrence,
    Remind,
    Schedule,
    local_datetime,
    occurrence_on,
    runs_on,
    same_clock_days_later,
    wall_instants,
)

# A digest is posted only this long after its time at the latest. After a longer outage (a
# deployment gone wrong over the weekend), a summary of "this week" would arrive in the middle of
# the next one, so it is skipped instead. Three hours covers a restart or a short outage.
DIGEST_GRACE = timedelta(hours=3)
WEEK_DAYS = 7
TOP_STREAKS = 5
HARDEST = 3
QUESTION_CHARS = 40  # a question's text in the digest, shortened to one line


class ChannelPostStatus(str, enum.Enum):
    """A reminder's or digest's life: pending → sending → sent, or skipped. `sending` is a claim: a
    process holds the post while it talks to the chat service, until its lease runs out."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"

    def __str__(self) -> str:
        return self.value


# ----------------------------------------------------------------------------- the reminder


def reminder_at(remind: Remind, posted_at: datetime, reveal_at: datetime, zone_name: str) -> datetime | None:
    """When a drill's reminder is due: `before` the reveal, or at the last time the clock reads
    `at` before the reveal (in the drill's zone): 23:00 for a drill posted at 21:00 and revealed at
    05:00 the next day, and the second 01:30 on the day clocks go back. None when that instant is
    not strictly between the post and the reveal: a reminder before the question, or at the reveal
    itself, would say nothing useful."""
    if remind.before is not None:
        instant = reveal_at - remind.before
    else:
        assert remind.at is not None
        zone = ZoneInfo(zone_name)
        day = reveal_at.astimezone(zone).date()
        # The reveal's day or the day before (a reveal after midnight). A reveal is at most a day
        # after its post, so no earlier day can fall after the post.
        earlier = [i for d in (day - timedelta(days=1), day) for i in wall_instants(d, remind.at, zone) if i < reveal_at]
        instant = max(earlier)
    return instant if posted_at < instant < reveal_at else None


@dataclass(frozen=True)
class Reminder:
    """What a drill's reminder says: how long is left before the answer points are revealed."""

    left: timedelta
    reveal_at: datetime
    timezone: str

    @property
    def left_text(self) -> str:
        return describe_left(self.left)


def describe_left(left: timedelta) -> str:
    """「1時間」「45分」「2時間30分」: whole minutes, rounded up, so "あと0分" is never said."""
    minutes = max(1, -(-int(left.total_seconds()) // 60))
    hours, rest = divmod(minutes, 60)
    return (f"{hours}時間" if hours else "") + (f"{rest}分" if rest else "")


# ----------------------------------------------------------------------------- the digest's timing


def latest_digest_at(digest: Digest, zone_name: str, now: datetime) -> datetime:
    """The most recent digest instant at or before `now`, in UTC."""
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - digest.day) % 7)
    instant = local_datetime(day, digest.at, zone).astimezone(timezone.utc)
    if instant > now:
        instant = local_datetime(day - timedelta(days=7), digest.at, zone).astimezone(timezone.utc)
    return instant


def week_key(instant: datetime, zone_name: str) -> str:
    """The ISO week of the digest's local date, e.g. "2026-W48": one digest per channel per week."""
    year, week, _ = instant.astimezone(ZoneInfo(zone_name)).date().isocalendar()
    return f"{year}-W{week:02d}"


def digest_due(digest: Digest, zone_name: str, now: datetime, effective_from: datetime) -> datetime | None:
    """The digest instant to post for now, or None: not within the grace period after it (too
    stale), or before the schedule took effect (setting `digest=fri-18:00` at 18:30 on a Friday
    starts next week rather than summing up a week the setting did not cover)."""
    instant = latest_digest_at(digest, zone_name, now)
    if now - instant > DIGEST_GRACE or instant < effective_from:
        return None
    return instant


def is_stale(due_at: datetime, now: datetime) -> bool:
    return now - due_at > DIGEST_GRACE


def digest_period(instant: datetime, zone_name: str, previous: datetime | None, turned_on: bool = False) -> tuple[datetime, datetime]:
    """The period a digest at `instant` sums up, (start, end]: the drills due after the previous
    digest's instant up to its own. Periods come from recorded instants, never from a duration, so
    every drill falls in exactly one across clock changes, zone changes and new digest times.
    `previous` is the last digest that closed a period (sent, or with nothing to list); one
    skipped for being late closes none, so its drills go to the next one. The first digest looks
    back seven local days, and so does the first after the digest was turned on again (`turned_on`),
    though never before the previous digest, whose drills were listed already."""
    week_before = same_clock_days_later(instant, -WEEK_DAYS, zone_name)
    if previous is None:
        return week_before, instant
    return (max(previous, week_before) if turned_on else previous), instant


def coming_days(schedule: Schedule, instant: datetime) -> tuple[Occurrence, ...]:
    """The drills the schedule will post in the seven local days after the digest, skip dates and
    the schedule's days honoured (a Monday 08:00 digest lists that day's 09:00 drill); none while it
    is paused."""
    if schedule.paused:
        return ()
    start = instant.astimezone(schedule.zone).date()
    end = same_clock_days_later(instant, WEEK_DAYS, schedule.timezone)
    found = []
    for offset in range(0, WEEK_DAYS + 1):
        day = start + timedelta(days=offset)
        if runs_on(schedule, day):
            occurrence = occurrence_on(schedule, day)
            if instant < occurrence.post_at <= end and occurrence.post_at >= schedule.effective_from:
                found.append(occurrence)
    return tuple(found)


# ----------------------------------------------------------------------------- the digest's contents


@dataclass(frozen=True)
class DigestDrill:
    """One drill shown in the week: its question, where it was posted, and who answered on time."""

    role_title: str
    number: int
    question: str  # plain text, shortened to one line
    posted_at: datetime
    message_ts: str
    answered: int
    extra: bool = False  # posted with `drill now`


@dataclass(frozen=True)
class HardQuestion:
    drill: DigestDrill
    mean_rating: float  # 1 忘れた … 4 簡単
    ratings: int


@dataclass(frozen=True)
class StreakLine:
    name: str  # a display name, never a mention; raw (the view escapes it)
    streak: int


@dataclass(frozen=True)
class WeeklyDigest:
    channel_id: str
    week: str  # "2026-W48"
    # The period listed, (start, end]: from the previous digest's instant to this one's (UTC).
    start: datetime
    end: datetime
    timezone: str
    drills: tuple[DigestDrill, ...]
    hardest: tuple[HardQuestion, ...]
    streaks: tuple[StreakLine, ...]
    coming: tuple[Occurrence, ...]
    paused: bool = False
    more_drills: int = 0  # drills of the week left out of the list (a very busy week)

    @property
    def one_week(self) -> bool:
        """Whether the period spans a week of local dates at most: "this week" in words. After a
        digest skipped for being late, or a new digest day, it can span more."""
        zone = ZoneInfo(self.timezone)
        return (self.end.astimezone(zone).date() - self.start.astimezone(zone).date()).days <= WEEK_DAYS


def shorten(text: str, limit: int = QUESTION_CHARS) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def hardest_questions(
    drills: Sequence[tuple[int, DigestDrill]], ratings: Mapping[int, Sequence[int]], limit: int = HARDEST
) -> tuple[HardQuestion, ...]:
    """The week's drills by the mean of their self-grades, lowest (hardest) first; only drills that
    someone graded. Ties: more grades first, then the earlier drill, so the order is stable."""
    rated = [
        HardQuestion(drill, sum(ratings[drill_id]) / len(ratings[drill_id]), len(ratings[drill_id]))
        for drill_id, drill in drills
        if ratings.get(drill_id)
    ]
    rated.sort(key=lambda h: (h.mean_rating, -h.ratings, h.drill.posted_at))
    return tuple(rated[:limit])


def top_streaks(streaks: Mapping[str, int], limit: int = TOP_STREAKS) -> list[tuple[str, int]]:
    """The longest current streaks, longest first; ties by user id so the order is stable."""
    ranked = sorted(((user, n) for user, n in streaks.items() if n > 0), key=lambda item: (-item[1], item[0]))
    return ranked[:limit]
