"""A channel's drill records as the leaderboard, the export and the weekly digest read them: which
drills reached the channel, who answered them on time and when, and the self-grades given.

In a Slack Connect channel each workspace's drills, and the replies and grades that hang off them,
are its own: every read here is keyed by the workspace asking as well as by the channel or drill
(drills.team_id), so that one workspace never reads another's records through a shared channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.drill import SHOWN
from bot.store.db import aware, to_db, utc
from bot.store.models import DrillRow, ReplyRow, ReviewRow


def channel_drill_teams(session: Session, channel_id: str) -> set[str]:
    """The workspaces whose drills the channel holds (two for a shared channel that changed hands)."""
    return set(session.scalars(select(DrillRow.team_id).where(DrillRow.channel_id == channel_id).distinct()).all())


def shown_drill_times(session: Session, channel_id: str, since: datetime | None = None, *, team_id: str) -> dict[int, datetime]:
    """When each of the workspace's drills in this channel that reached it was due (posted at or
    after `since`)."""
    query = select(DrillRow.id, DrillRow.post_at).where(
        DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, DrillRow.status.in_(SHOWN)
    )
    if since is not None:
        query = query.where(DrillRow.post_at >= to_db(since))
    return {r[0]: utc(r[1]) for r in session.execute(query).all()}  # type: ignore[misc]


def channel_answer_times(
    session: Session, channel_id: str, since: datetime | None = None, *, team_id: str
) -> list[tuple[str, int, datetime]]:
    """(member, drill, first on-time reply) for the workspace's drills in this channel posted at or
    after `since`: what the reveal counted, with when."""
    query = (
        select(ReplyRow.user_id, ReplyRow.drill_id, func.min(ReplyRow.replied_at))
        .join(DrillRow, DrillRow.id == ReplyRow.drill_id)
        .where(
            DrillRow.channel_id == channel_id,
            DrillRow.team_id == team_id,
            ReplyRow.user_id.is_not(None),
            ReplyRow.deleted.is_(False),
            ReplyRow.late.is_(False),
        )
        .group_by(ReplyRow.user_id, ReplyRow.drill_id)
    )
    if since is not None:
        query = query.where(DrillRow.post_at >= to_db(since))
    return [(r[0], r[1], utc(r[2])) for r in session.execute(query).all()]  # type: ignore[misc]


def export_drills(
    session: Session, channel_id: str, since: datetime, *, team_id: str
) -> list[tuple[int, datetime, str, str | None, int | None]]:
    """(id, post_at, timezone, role_slug, question_number) of the workspace's drills in this channel
    that reached it and were posted at or after `since`, oldest first."""
    rows = session.execute(
        select(DrillRow.id, DrillRow.post_at, DrillRow.timezone, DrillRow.role_slug, DrillRow.question_number)
        .where(DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, DrillRow.status.in_(SHOWN), DrillRow.post_at >= to_db(since))
        .order_by(DrillRow.post_at, DrillRow.id)
    ).all()
    return [(r[0], aware(r[1]), r[2], r[3], r[4]) for r in rows]


def export_replies(session: Session, drill_ids: Sequence[int], *, team_id: str) -> list[tuple[int, str, bool, datetime]]:
    """(drill, member, late, first reply) per drill, member and lateness: who replied and when,
    never what (deleted replies left out), on the workspace's drills."""
    if not drill_ids:
        return []
    rows = session.execute(
        select(ReplyRow.drill_id, ReplyRow.user_id, ReplyRow.late, func.min(ReplyRow.replied_at))
        .where(
            ReplyRow.drill_id.in_(set(drill_ids)), ReplyRow.team_id == team_id, ReplyRow.user_id.is_not(None), ReplyRow.deleted.is_(False)
        )
        .group_by(ReplyRow.drill_id, ReplyRow.user_id, ReplyRow.late)
    ).all()
    return [(r[0], r[1], bool(r[2]), utc(r[3])) for r in rows]  # type: ignore[misc]


def export_ratings(session: Session, drill_ids: Sequence[int], *, team_id: str) -> dict[tuple[int, str], int]:
    """The latest self-grade each member gave on each of the workspace's drills' reveal."""
    if not drill_ids:
        return {}
    rows = session.execute(
        select(ReviewRow.drill_id, ReviewRow.user_id, ReviewRow.rating)
        .where(ReviewRow.drill_id.in_(set(drill_ids)), ReviewRow.team_id == team_id)
        .order_by(ReviewRow.at, ReviewRow.id)
    ).all()
    return {(r[0], r[1]): r[2] for r in rows if r[0] is not None}


def participant_counts(session: Session, drill_ids: Sequence[int], *, team_id: str) -> dict[int, int]:
    """How many members answered each of the workspace's drills on time (what its reveal counted)."""
    if not drill_ids:
        return {}
    rows = session.execute(
        select(ReplyRow.drill_id, func.count(func.distinct(ReplyRow.user_id)))
        .where(
            ReplyRow.drill_id.in_(set(drill_ids)),
            ReplyRow.team_id == team_id,
            ReplyRow.deleted.is_(False),
            ReplyRow.late.is_(False),
            ReplyRow.user_id.is_not(None),
        )
        .group_by(ReplyRow.drill_id)
    ).all()
    return {r[0]: int(r[1]) for r in rows}


def drill_ratings(session: Session, drill_ids: Sequence[int], *, team_id: str) -> dict[int, list[int]]:
    """The self-grades given on each of the workspace's drills' reveal (1 忘れた … 4 簡単)."""
    if not drill_ids:
        return {}
    found: dict[int, list[int]] = {}
    query = select(ReviewRow.drill_id, ReviewRow.rating).where(ReviewRow.drill_id.in_(set(drill_ids)), ReviewRow.team_id == team_id)
    for drill_id, rating in session.execute(query).all():
        if drill_id is not None:
            found.setdefault(drill_id, []).append(int(rating))
    return found
