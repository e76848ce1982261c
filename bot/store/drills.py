"""Drills: one row per (channel, occurrence), created once by whichever process gets there first.

Use-cases read a drill as a `Drill` value and change it through the functions here. Taking a drill
to post, reveal or mark it (the leases) is in `bot.store.leases`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.drill import EXTRA_PREFIX, OPEN, SHOWN, DrillStatus
from bot.domain.schedule import Schedule, days_served
from bot.store.db import aware, changed, insert_ignore, to_db, utc
from bot.store.models import DrillRow


@dataclass(frozen=True)
class Drill:
    """A drill as stored; times are aware (UTC)."""

    id: int
    channel_id: str
    team_id: str  # whose workspace: its token posts and reveals
    occurrence: str
    status: DrillStatus
    post_at: datetime
    reveal_at: datetime
    timezone: str
    role_slug: str | None
    question_id: str | None
    question_number: int | None
    question_total: int | None
    message_ts: str | None
    reveal_ts: str | None
    attempts: int
    reveal_attempts: int
    posted_at: datetime | None
    revealed_at: datetime | None
    next_attempt_at: datetime | None
    marked_at: datetime | None
    backfill_due: bool
    feedback: bool | None  # the channel's switch when the drill was created (None: older drills)
    feedback_done_at: datetime | None
    last_error: str | None


def to_drill(row: DrillRow) -> Drill:
    return Drill(
        id=row.id,
        channel_id=row.channel_id,
        team_id=row.team_id,
        occurrence=row.occurrence,
        status=DrillStatus(row.status),
        post_at=aware(row.post_at),
        reveal_at=aware(row.reveal_at),
        timezone=row.timezone,
        role_slug=row.role_slug,
        question_id=row.question_id,
        question_number=row.question_number,
        question_total=row.question_total,
        message_ts=row.message_ts,
        reveal_ts=row.reveal_ts,
        attempts=row.attempts,
        reveal_attempts=row.reveal_attempts,
        posted_at=utc(row.posted_at),
        revealed_at=utc(row.revealed_at),
        next_attempt_at=utc(row.next_attempt_at),
        marked_at=utc(row.marked_at),
        backfill_due=bool(row.backfill_due),
        feedback=row.feedback,
        feedback_done_at=utc(row.feedback_done_at),
        last_error=row.last_error,
    )


def team_of(drill_id: Any):
    """SQL for the workspace of a drill: what a row hanging off it records, in the INSERT itself."""
    return select(DrillRow.team_id).where(DrillRow.id == drill_id).scalar_subquery()


# ----------------------------------------------------------------------------- creating


def existing_occurrences(session: Session, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (channel, occurrence) have a drill, whichever workspace's: the unique key is
    the channel's, so a shared channel gets one drill per occurrence."""
    if not keys:
        return set()
    channels = {c for c, _ in keys}
    occurrences = {o for _, o in keys}
    rows = session.execute(
        select(DrillRow.channel_id, DrillRow.occurrence).where(DrillRow.channel_id.in_(channels), DrillRow.occurrence.in_(occurrences))
    ).all()
    return {(r[0], r[1]) for r in rows}


def served_days(session: Session, schedules: Sequence[Schedule], now: datetime) -> dict[str, frozenset[date]]:
    """For each schedule, the recent local days (in its zone as it now stands) that a scheduled drill
    already served, whatever the schedule's time or zone was then: one query for all of them."""
    times = scheduled_post_times(session, [s.channel_id for s in schedules], now - timedelta(days=3))
    return {s.channel_id: days_served(times.get(s.channel_id, ()), s.timezone) for s in schedules}


def scheduled_post_times(session: Session, channel_ids: Sequence[str], since: datetime) -> dict[str, list[datetime]]:
    """When each channel's scheduled (not `drill now`) drills were due, since `since`: the days
    they served, whatever the schedule's zone was then (and whichever workspace ran them: a shared
    channel that changed hands gets no second drill that day)."""
    if not channel_ids:
        return {}
    rows = session.execute(
        select(DrillRow.channel_id, DrillRow.post_at).where(
            DrillRow.channel_id.in_(set(channel_ids)),
            DrillRow.post_at >= to_db(since),
            DrillRow.occurrence.not_like(f"{EXTRA_PREFIX}%"),
        )
    ).all()
    found: dict[str, list[datetime]] = {}
    for channel_id, post_at in rows:
        found.setdefault(channel_id, []).append(aware(post_at))
    return found


def create_drill(
    session: Session,
    channel_id: str,
    occurrence: str,
    post_at: datetime,
    reveal_at: datetime,
    timezone: str,
    now: datetime,
    status: DrillStatus = DrillStatus.PENDING,
    note: str | None = None,
    feedback: bool | None = None,
    *,
    team_id: str,
) -> bool:
    """Record a drill once per (channel, occurrence), as the workspace `team_id`'s (its schedule's)."""
    return insert_ignore(
        session,
        DrillRow,
        {
            "channel_id": channel_id,
            "team_id": team_id,
            "occurrence": occurrence,
            "status": status.value,
            "post_at": to_db(post_at),
            "reveal_at": to_db(reveal_at),
            "timezone": timezone,
            "attempts": 0,
            "last_error": note,
            "created_at": to_db(now),
            "feedback": feedback,
        },
    )


def mark_overdue_missed(session: Session, now: datetime) -> int:
    """A drill never attempted before its reveal time is recorded as missed, never silently
    dropped. One that was attempted goes through `post`, which first looks for what reached Slack."""
    result = session.execute(
        update(DrillRow)
        .where(DrillRow.reveal_at <= to_db(now), DrillRow.status == DrillStatus.PENDING, DrillRow.attempts == 0)
        .values(status=DrillStatus.MISSED, last_error=func.coalesce(DrillRow.last_error, "not posted before its reveal time"))
    )
    return changed(result)


# ----------------------------------------------------------------------------- reading


def get_drill(session: Session, drill_id: int) -> Drill | None:
    row = session.get(DrillRow, drill_id)
    return to_drill(row) if row is not None else None


def drill_by_thread(session: Session, channel_id: str, thread_ts: str, for_share: bool = False) -> Drill | None:
    """`for_share` holds the drill (PostgreSQL) until the transaction ends, so that the reveal's
    claim waits for a reply being recorded: whether that reply was on time, and whether the reveal
    counts it, are then decided in one order."""
    query = select(DrillRow).where(DrillRow.channel_id == channel_id, DrillRow.message_ts == thread_ts, DrillRow.status.in_(SHOWN))
    if for_share:
        query = query.with_for_update(read=True)
    row = session.scalars(query).first()
    return to_drill(row) if row is not None else None


def latest_open_drill(session: Session, channel_id: str, *, team_id: str) -> Drill | None:
    """The workspace's latest drill in the channel that is not revealed yet."""
    row = session.scalars(
        select(DrillRow)
        .where(
            DrillRow.channel_id == channel_id,
            DrillRow.team_id == team_id,
            DrillRow.status.in_((DrillStatus.PENDING, DrillStatus.POSTING, *OPEN)),
        )
        .order_by(DrillRow.post_at.desc(), DrillRow.id.desc())
    ).first()
    return to_drill(row) if row is not None else None


def week_drills(session: Session, channel_id: str, start: datetime, end: datetime, *, team_id: str) -> list[Drill]:
    """The workspace's drills in the channel whose question was shown, due in (start, end], oldest first."""
    rows = session.scalars(
        select(DrillRow)
        .where(
            DrillRow.channel_id == channel_id,
            DrillRow.team_id == team_id,
            DrillRow.status.in_(SHOWN),
            DrillRow.post_at > to_db(start),
            DrillRow.post_at <= to_db(end),
        )
        .order_by(DrillRow.post_at, DrillRow.id)
    ).all()
    return [to_drill(row) for row in rows]


def scheduled_ordinal(session: Session, drill: Drill, since: datetime) -> int | None:
    """Which scheduled drill of its channel this is since `since` (1 for the first), counting in
    post order; None for a drill asked with `drill now`, which is not counted."""
    if drill.occurrence.startswith(EXTRA_PREFIX):
        return None
    earlier = session.scalar(
        select(func.count())
        .select_from(DrillRow)
        .where(
            DrillRow.channel_id == drill.channel_id,
            DrillRow.team_id == drill.team_id,
            DrillRow.post_at >= to_db(since),
            ~DrillRow.occurrence.startswith(EXTRA_PREFIX),
            or_(DrillRow.post_at < to_db(drill.post_at), and_(DrillRow.post_at == to_db(drill.post_at), DrillRow.id < drill.id)),
        )
    )
    return int(earlier or 0) + 1


def backfill_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    """Adopted posts whose thread has not been read yet for the replies made meanwhile."""
    query = (
        select(DrillRow.id)
        .where(DrillRow.backfill_due.is_(True), DrillRow.status.in_(OPEN), DrillRow.message_ts.is_not(None))
        .order_by(DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


# ----------------------------------------------------------------------------- changing


def set_question(session: Session, drill_id: int, role_slug: str, question_id: str, number: int, total: int) -> None:
    """The question chosen for the drill, with its number and the role's count as shown when posted."""
    session.execute(
        update(DrillRow)
        .where(DrillRow.id == drill_id)
        .values(role_slug=role_slug, question_id=question_id, question_number=number, question_total=total)
    )


def set_reveal_at(session: Session, drill_id: int, at: datetime) -> None:
    session.execute(update(DrillRow).where(DrillRow.id == drill_id).values(reveal_at=to_db(at)))


def set_backfill_due(session: Session, drill_id: int, due: bool) -> None:
    session.execute(update(DrillRow).where(DrillRow.id == drill_id).values(backfill_due=due))


def set_feedback_done(session: Session, drill_id: int, now: datetime) -> None:
    session.execute(update(DrillRow).where(DrillRow.id == drill_id).values(feedback_done_at=to_db(now)))
