"""Members' replies in drills' threads: who replied and when (never the text), on time or late,
and the drill records (answered, streaks) that follow from them.

A reply is keyed by (drill, message ts), and a deleted one leaves a tombstone: Slack delivers an
event more than once, and out of order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain.drill import EXTRA_PREFIX, SHOWN, DrillStatus
from bot.domain.progress import ShownDrill, channel_streaks
from bot.store.db import insert_ignore, to_db
from bot.store.drills import team_of
from bot.store.models import DrillRow, ReplyRow


def add_reply(
    session: Session, drill_id: int, message_ts: str, user_id: str, at: datetime, late: bool, verdicts: str | None = None
) -> bool:
    return insert_ignore(
        session,
        ReplyRow,
        {
            "drill_id": drill_id,
            "team_id": team_of(drill_id),
            "message_ts": message_ts,
            "user_id": user_id,
            "replied_at": to_db(at),
            "late": late,
            "deleted": False,
            "verdicts": verdicts,
        },
    )


def delete_reply(session: Session, drill_id: int, message_ts: str) -> None:
    if not insert_ignore(
        session,
        ReplyRow,
        {
            "drill_id": drill_id,
            "team_id": team_of(drill_id),
            "message_ts": message_ts,
            "user_id": None,
            "replied_at": None,
            "late": False,
            "deleted": True,
        },
    ):
        # A deleted reply keeps no verdict either: it no longer speaks for its author.
        session.execute(
            update(ReplyRow).where(ReplyRow.drill_id == drill_id, ReplyRow.message_ts == message_ts).values(deleted=True, verdicts=None)
        )


def participants(session: Session, drill_id: int) -> list[str]:
    rows = session.execute(
        select(ReplyRow.user_id, func.min(ReplyRow.replied_at))
        .where(ReplyRow.drill_id == drill_id, ReplyRow.deleted.is_(False), ReplyRow.late.is_(False), ReplyRow.user_id.is_not(None))
        .group_by(ReplyRow.user_id)
        .order_by(func.min(ReplyRow.replied_at))
    ).all()
    return [r[0] for r in rows if r[0] is not None]  # the query keeps members only; said again for the types


def answered_on_time(session: Session, user_id: str, *, team_id: str) -> dict[int, str]:
    """The drills this member answered before the reveal, with their channels: what the reveal
    counted, and so what stats count."""
    rows = session.execute(
        select(ReplyRow.drill_id, DrillRow.channel_id)
        .join(DrillRow, DrillRow.id == ReplyRow.drill_id)
        .where(ReplyRow.team_id == team_id, ReplyRow.user_id == user_id, ReplyRow.deleted.is_(False), ReplyRow.late.is_(False))
        .distinct()
    ).all()
    return {r[0]: r[1] for r in rows}


def channel_answers(session: Session, channel_id: str, since: datetime | None = None, *, team_id: str) -> dict[str, set[int]]:
    """Who answered which of the workspace's drills in this channel on time (posted at or after
    `since`, if given)."""
    query = (
        select(ReplyRow.user_id, ReplyRow.drill_id)
        .join(DrillRow, DrillRow.id == ReplyRow.drill_id)
        .where(
            DrillRow.channel_id == channel_id,
            DrillRow.team_id == team_id,
            ReplyRow.user_id.is_not(None),
            ReplyRow.deleted.is_(False),
            ReplyRow.late.is_(False),
        )
        .distinct()
    )
    if since is not None:
        query = query.where(DrillRow.post_at >= to_db(since))
    answers: dict[str, set[int]] = {}
    for user_id, drill_id in session.execute(query).all():
        if user_id is not None:
            answers.setdefault(user_id, set()).add(drill_id)
    return answers


def current_streaks(session: Session, channel_id: str, *, team_id: str) -> dict[str, int]:
    """Every member's current streak in the workspace's drills of this channel (members at 0 left
    out): what the leaderboard and the weekly digest show."""
    return channel_streaks(shown_history(session, channel_id, team_id=team_id), channel_answers(session, channel_id, team_id=team_id))


def shown_history(session: Session, channel_id: str, limit: int = 400, *, team_id: str) -> list[ShownDrill]:
    """The workspace's drills in this channel that reached it, newest first."""
    rows = session.execute(
        select(DrillRow.id, DrillRow.status, DrillRow.occurrence)
        .where(DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, DrillRow.status.in_(SHOWN))
        .order_by(DrillRow.post_at.desc(), DrillRow.id.desc())
        .limit(limit)
    ).all()
    return [ShownDrill(r[0], DrillStatus(r[1]), r[2].startswith(EXTRA_PREFIX)) for r in rows]
