"""What the bot posts in a channel besides the drill itself: a drill's pre-reveal reminder and the
weekly digest, each one row under a unique (channel, kind, key), recorded when it falls due.

Taking one to send (the lease) is in `bot.store.leases`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.domain.announcements import ChannelPostStatus
from bot.domain.drill import DrillStatus
from bot.domain.schedule import Remind
from bot.store.db import aware, insert_ignore, to_db, utc
from bot.store.models import ChannelPostRow, DrillRow, ScheduleRow
from bot.store.schedules import to_remind


@dataclass(frozen=True)
class ChannelPost:
    """A reminder (key: its drill's id) or a digest (key: the ISO week), as stored."""

    id: int
    channel_id: str
    team_id: str
    kind: str
    key: str
    drill_id: int | None
    due_at: datetime
    status: ChannelPostStatus
    attempts: int


def get_channel_post(session: Session, post_id: int) -> ChannelPost | None:
    row = session.get(ChannelPostRow, post_id)
    if row is None:
        return None
    return ChannelPost(
        row.id, row.channel_id, row.team_id, row.kind, row.key, row.drill_id, aware(row.due_at), ChannelPostStatus(row.status), row.attempts
    )


def reminder_candidates(session: Session, now: datetime, limit: int = 1000) -> list[tuple[int, str, datetime, datetime, str, Remind, str]]:
    """Open drills in channels whose schedule has a reminder, with no reminder recorded yet:
    (drill id, channel, when it was posted, its reveal, its zone, the channel's reminder, the
    drill's workspace)."""
    recorded = select(ChannelPostRow.id).where(ChannelPostRow.kind == "reminder", ChannelPostRow.drill_id == DrillRow.id).exists()
    rows = session.execute(
        select(
            DrillRow.id,
            DrillRow.channel_id,
            func.coalesce(DrillRow.posted_at, DrillRow.post_at),
            DrillRow.reveal_at,
            DrillRow.timezone,
            ScheduleRow.remind_before_minutes,
            ScheduleRow.remind_time,
            DrillRow.team_id,
        )
        # The drill's own workspace's schedule: a shared channel's other workspace may have set one since.
        .join(ScheduleRow, and_(ScheduleRow.channel_id == DrillRow.channel_id, ScheduleRow.team_id == DrillRow.team_id))
        .where(
            DrillRow.status == DrillStatus.POSTED,
            DrillRow.reveal_at > to_db(now),
            DrillRow.message_ts.is_not(None),
            or_(ScheduleRow.remind_before_minutes.is_not(None), ScheduleRow.remind_time.is_not(None)),
            ~recorded,
        )
        .order_by(DrillRow.reveal_at, DrillRow.id)
        .limit(limit)
    ).all()
    found = []
    for drill_id, channel_id, posted_at, reveal_at, zone, before, at, team_id in rows:
        remind = to_remind(before, at)
        if remind is not None:
            found.append((drill_id, channel_id, utc(posted_at), utc(reveal_at), zone, remind, team_id))
    return found  # type: ignore[return-value]


def add_channel_post(
    session: Session, channel_id: str, kind: str, key: str, due_at: datetime, now: datetime, drill_id: int | None = None, *, team_id: str
) -> bool:
    """Record a reminder or digest of the workspace `team_id` (its drill's, or its schedule's) as
    due; False if it was already recorded (by any process)."""
    return insert_ignore(
        session,
        ChannelPostRow,
        {
            "channel_id": channel_id,
            "team_id": team_id,
            "kind": kind,
            "key": key,
            "drill_id": drill_id,
            "due_at": to_db(due_at),
            "status": ChannelPostStatus.PENDING,
            "attempts": 0,
            "created_at": to_db(now),
        },
    )


def has_channel_post(session: Session, channel_id: str, kind: str, key: str) -> bool:
    """Whether the channel has this reminder or digest, whichever workspace's: its unique key."""
    return (
        session.scalar(
            select(ChannelPostRow.id).where(ChannelPostRow.channel_id == channel_id, ChannelPostRow.kind == kind, ChannelPostRow.key == key)
        )
        is not None
    )


def previous_digest_at(session: Session, channel_id: str, before: datetime, nothing_listed: str, *, team_id: str) -> datetime | None:
    """The instant of the channel's last digest before `before` that closed its period: one sent,
    or one skipped with nothing to list (`nothing_listed`, its recorded reason). One skipped for
    being late, or refused by Slack, closes nothing."""
    closed = or_(
        ChannelPostRow.status == ChannelPostStatus.SENT,
        and_(ChannelPostRow.status == ChannelPostStatus.SKIPPED, ChannelPostRow.last_error == nothing_listed),
    )
    return utc(
        session.scalar(
            select(func.max(ChannelPostRow.due_at)).where(
                ChannelPostRow.channel_id == channel_id,
                ChannelPostRow.team_id == team_id,
                ChannelPostRow.kind == "digest",
                ChannelPostRow.due_at < to_db(before),
                closed,
            )
        )
    )


def digest_unsettled(session: Session, channel_id: str, start: datetime, end: datetime, *, team_id: str) -> bool:
    """Whether a digest of (start, end] must wait: a drill due in it is not posted yet (another
    process may be posting it), or an earlier digest of the channel is still being sent."""
    drill = select(DrillRow.id).where(
        DrillRow.channel_id == channel_id,
        DrillRow.team_id == team_id,
        DrillRow.status.in_((DrillStatus.PENDING, DrillStatus.POSTING)),
        DrillRow.post_at > to_db(start),
        DrillRow.post_at <= to_db(end),
    )
    digest = select(ChannelPostRow.id).where(
        ChannelPostRow.channel_id == channel_id,
        ChannelPostRow.team_id == team_id,
        ChannelPostRow.kind == "digest",
        ChannelPostRow.status.in_((ChannelPostStatus.PENDING, ChannelPostStatus.SENDING)),
        ChannelPostRow.due_at < to_db(end),
    )
    return bool(session.scalar(select(or_(drill.exists(), digest.exists()))))
