"""Leases: the due lists of the tick's steps, and the claims that let one process at a time post,
reveal, mark or send something, finish it, or release it for a later tick.

A claim is a conditional UPDATE, atomic in both SQLite and PostgreSQL: of several processes racing
for the same row exactly one sees rowcount 1. A claim whose holder's lease has run out may be taken
over.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.drill import DrillStatus
from bot.store.db import insert_ignore, to_db
from bot.store.drills import team_of
from bot.store.models import ChannelPostRow, DrillRow, FeedbackNoticeRow

# ----------------------------------------------------------------------------- drills


def _ready(now: datetime):
    return or_(DrillRow.next_attempt_at.is_(None), DrillRow.next_attempt_at <= to_db(now))


def postable_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    query = (
        select(DrillRow.id)
        .where(
            DrillRow.post_at <= to_db(now),
            or_(DrillRow.reveal_at > to_db(now), DrillRow.attempts > 0),
            or_(DrillRow.status == DrillStatus.PENDING, and_(DrillRow.status == DrillStatus.POSTING, DrillRow.claimed_at < to_db(lease_cutoff))),
            _ready(now),
        )
        .order_by(DrillRow.post_at, DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def revealable_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    query = (
        select(DrillRow.id)
        .where(
            DrillRow.reveal_at <= to_db(now),
            or_(DrillRow.status == DrillStatus.POSTED, and_(DrillRow.status == DrillStatus.REVEALING, DrillRow.claimed_at < to_db(lease_cutoff))),
            _ready(now),
        )
        .order_by(DrillRow.reveal_at, DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def markable_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    """Revealed drills whose original question still says the points are coming."""
    query = (
        select(DrillRow.id)
        .where(
            DrillRow.status == DrillStatus.REVEALED,
            DrillRow.marked_at.is_(None),
            or_(DrillRow.mark_claimed_at.is_(None), DrillRow.mark_claimed_at < to_db(lease_cutoff)),
            _ready(now),
        )
        .order_by(DrillRow.revealed_at, DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim(session: Session, drill_id: int, from_status: DrillStatus, to_status: DrillStatus, owner: str, now: datetime, lease_cutoff: datetime, counter: str = "attempts") -> bool:
    """Move a drill into a working state if nobody holds it (or their lease has run out).

    The conditional UPDATE is atomic in both SQLite and PostgreSQL: of several processes racing for
    the same drill exactly one sees rowcount 1."""
    result = session.execute(
        update(DrillRow)
        .where(
            DrillRow.id == drill_id,
            or_(DrillRow.status == from_status, and_(DrillRow.status == to_status, DrillRow.claimed_at < to_db(lease_cutoff))),
            _ready(now),
        )
        .values({"status": to_status, "claimed_by": owner, "claimed_at": to_db(now), counter: getattr(DrillRow, counter) + 1})
    )
    return result.rowcount == 1


def finish(session: Session, drill_id: int, owner: str, from_status: DrillStatus, **values: Any) -> bool:
    result = session.execute(
        update(DrillRow).where(DrillRow.id == drill_id, DrillRow.status == from_status, DrillRow.claimed_by == owner).values(**values)
    )
    return result.rowcount == 1


def claim_mark(session: Session, drill_id: int, now: datetime, lease_cutoff: datetime) -> bool:
    result = session.execute(
        update(DrillRow)
        .where(
            DrillRow.id == drill_id, DrillRow.marked_at.is_(None),
            or_(DrillRow.mark_claimed_at.is_(None), DrillRow.mark_claimed_at < to_db(lease_cutoff)),
            _ready(now),
        )
        .values(mark_claimed_at=to_db(now))
    )
    return result.rowcount == 1


def finish_mark(session: Session, drill_id: int, now: datetime, done: bool) -> None:
    values: dict[str, Any] = {"marked_at": to_db(now)} if done else {"mark_claimed_at": None}
    session.execute(update(DrillRow).where(DrillRow.id == drill_id).values(**values))


def defer_drill(session: Session, drill_id: int, until: datetime) -> None:
    """No call for this drill before `until` (a 429's Retry-After, after its reveal: the edit of the
    question, the answer feedback). Never brought forward: a later wait already kept stands."""
    session.execute(
        update(DrillRow)
        .where(DrillRow.id == drill_id, or_(DrillRow.next_attempt_at.is_(None), DrillRow.next_attempt_at < to_db(until)))
        .values(next_attempt_at=to_db(until))
    )


# ----------------------------------------------------------------------------- answer feedback


def feedback_due_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    query = (
        select(DrillRow.id)
        .where(DrillRow.status == DrillStatus.REVEALED, DrillRow.feedback_done_at.is_(None), DrillRow.message_ts.is_not(None), _ready(now))
        .order_by(DrillRow.revealed_at, DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim_notice(session: Session, drill_id: int, user_id: str, owner: str, now: datetime, lease_cutoff: datetime) -> bool:
    """Take the right to send one member's feedback: a new claim, or one whose holder's lease ran
    out before it finished. Never one that was sent or given up on."""
    if insert_ignore(session, FeedbackNoticeRow, {"drill_id": drill_id, "team_id": team_of(drill_id), "user_id": user_id, "claimed_by": owner, "claimed_at": to_db(now)}):
        return True
    result = session.execute(
        update(FeedbackNoticeRow)
        .where(
            FeedbackNoticeRow.drill_id == drill_id, FeedbackNoticeRow.user_id == user_id,
            FeedbackNoticeRow.sent_at.is_(None), FeedbackNoticeRow.error.is_(None),
            or_(FeedbackNoticeRow.claimed_at.is_(None), FeedbackNoticeRow.claimed_at < to_db(lease_cutoff)),
        )
        .values(claimed_by=owner, claimed_at=to_db(now))
    )
    return result.rowcount == 1


def notice_unfinished(session: Session, drill_id: int, user_id: str) -> bool:
    row = session.scalars(select(FeedbackNoticeRow).where(FeedbackNoticeRow.drill_id == drill_id, FeedbackNoticeRow.user_id == user_id)).first()
    return row is not None and row.sent_at is None and row.error is None


def finish_notice(session: Session, drill_id: int, user_id: str, owner: str, stamp: datetime, **values: Any) -> bool:
    """Only the holder of this very claim may finish or release it: one whose lease ran out and was
    taken over must not clear the new holder's claim."""
    result = session.execute(
        update(FeedbackNoticeRow)
        .where(
            FeedbackNoticeRow.drill_id == drill_id, FeedbackNoticeRow.user_id == user_id,
            FeedbackNoticeRow.claimed_by == owner, FeedbackNoticeRow.claimed_at == stamp,
        )
        .values(**values)
    )
    return result.rowcount == 1


# ----------------------------------------------------------------------------- reminders and digests


def channel_post_due_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    query = (
        select(ChannelPostRow.id)
        .where(
            ChannelPostRow.due_at <= to_db(now),
            or_(ChannelPostRow.status == "pending", and_(ChannelPostRow.status == "sending", ChannelPostRow.claimed_at < to_db(lease_cutoff))),
            or_(ChannelPostRow.next_attempt_at.is_(None), ChannelPostRow.next_attempt_at <= to_db(now)),
        )
        .order_by(ChannelPostRow.due_at, ChannelPostRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim_channel_post(session: Session, post_id: int, owner: str, now: datetime, lease_cutoff: datetime) -> bool:
    """Take a reminder or digest to send: one pending, or one whose holder's lease ran out. Atomic
    like the drill's claim: of several processes racing for it, exactly one sees rowcount 1."""
    result = session.execute(
        update(ChannelPostRow)
        .where(
            ChannelPostRow.id == post_id,
            or_(ChannelPostRow.status == "pending", and_(ChannelPostRow.status == "sending", ChannelPostRow.claimed_at < to_db(lease_cutoff))),
            or_(ChannelPostRow.next_attempt_at.is_(None), ChannelPostRow.next_attempt_at <= to_db(now)),
        )
        .values(status="sending", claimed_by=owner, claimed_at=to_db(now), attempts=ChannelPostRow.attempts + 1)
    )
    return result.rowcount == 1


def finish_channel_post(session: Session, post_id: int, owner: str, stamp: datetime, **values: Any) -> bool:
    """Only the holder of this very claim may finish or release it."""
    result = session.execute(
        update(ChannelPostRow)
        .where(ChannelPostRow.id == post_id, ChannelPostRow.status == "sending", ChannelPostRow.claimed_by == owner, ChannelPostRow.claimed_at == to_db(stamp))
        .values(**values)
    )
    return result.rowcount == 1
