"""Answer feedback: whether a reply may be judged (the channel's and the member's switches), and the
verdict letters kept on replies, which each participant is told after the reveal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from bot.store.db import changed, insert_ignore_key, to_db
from bot.store.drills import Drill
from bot.store.models import MemberSettingRow, ReplyRow, ScheduleRow


def channel_feedback_enabled(session: Session, channel_id: str, *, team_id: str) -> bool:
    """On unless the workspace's schedule of the channel says `feedback=off` (a schedule another
    workspace set there since says nothing about this one's drills)."""
    value = session.scalar(select(ScheduleRow.feedback).where(ScheduleRow.channel_id == channel_id, ScheduleRow.team_id == team_id))
    return True if value is None else bool(value)


def drill_feedback_enabled(session: Session, drill: Drill) -> bool:
    """The switch as it stood when the drill was created (its schedule may be gone since)."""
    return (
        bool(drill.feedback) if drill.feedback is not None else channel_feedback_enabled(session, drill.channel_id, team_id=drill.team_id)
    )


def feedback_allowed(session: Session, drill: Drill, user_id: str) -> bool:
    """Both switches in one round trip (this runs before every recorded reply): the drill's channel
    has not turned feedback off (as it stood when the drill was created), and the member has not."""
    return _all_on(session, drill, user_id)


def reply_to_judge(session: Session, drill: Drill, user_id: str, message_ts: str) -> bool:
    """feedback_allowed, and the message is not recorded yet, still in one round trip: a message
    recorded already is Slack delivering its event again, and it was judged the first time."""
    recorded = select(ReplyRow.id).where(ReplyRow.drill_id == drill.id, ReplyRow.message_ts == message_ts).exists()
    return _all_on(session, drill, user_id, ~recorded)


def _all_on(session: Session, drill: Drill, user_id: str, *conditions) -> bool:
    # "Off" in any workspace counts: in a Slack Connect channel a member from another workspace
    # turned it off in their own, and their reply must not be judged here either.
    member = (
        select(func.min(case((MemberSettingRow.feedback.is_(False), 0), else_=1)))
        .where(MemberSettingRow.user_id == user_id)
        .scalar_subquery()
    )
    columns = [member, *conditions]
    if drill.feedback is None:
        columns.append(
            select(ScheduleRow.feedback)
            .where(ScheduleRow.channel_id == drill.channel_id, ScheduleRow.team_id == drill.team_id)
            .scalar_subquery()
        )
    values = [*session.execute(select(*columns)).one(), drill.feedback]
    # No row is "on"; SQLite gives a scalar subquery's boolean back as 0 or 1.
    return all(value is None or bool(value) for value in values)


def member_feedback_enabled(session: Session, user_id: str, *, team_id: str) -> bool | None:
    """The member's own choice, or None if they never made one (on)."""
    value = session.scalar(
        select(MemberSettingRow.feedback).where(MemberSettingRow.team_id == team_id, MemberSettingRow.user_id == user_id)
    )
    return None if value is None else bool(value)


def members_without_feedback(session: Session, user_ids: Sequence[str]) -> set[str]:
    if not user_ids:
        return set()
    # Off in any workspace, like feedback_allowed: a Slack Connect member's choice is in their own.
    return set(
        session.scalars(
            select(MemberSettingRow.user_id).where(MemberSettingRow.user_id.in_(set(user_ids)), MemberSettingRow.feedback.is_(False))
        ).all()
    )


def set_member_feedback(session: Session, user_id: str, enabled: bool, now: datetime, *, team_id: str) -> None:
    if not insert_ignore_key(
        session, MemberSettingRow, {"team_id": team_id, "user_id": user_id, "feedback": enabled, "updated_at": to_db(now)}
    ):
        session.execute(
            update(MemberSettingRow)
            .where(MemberSettingRow.team_id == team_id, MemberSettingRow.user_id == user_id)
            .values(feedback=enabled, updated_at=to_db(now))
        )


def set_reply_verdicts(session: Session, drill_id: int, message_ts: str, verdicts: str | None) -> bool:
    """An edit made before the reveal: the reply is judged again. False if there is no such live,
    on-time reply."""
    result = session.execute(
        update(ReplyRow)
        .where(ReplyRow.drill_id == drill_id, ReplyRow.message_ts == message_ts, ReplyRow.deleted.is_(False), ReplyRow.late.is_(False))
        .values(verdicts=verdicts)
    )
    return changed(result) == 1


def feedback_targets(session: Session, drill_id: int, user_id: str | None = None) -> dict[str, list[str]]:
    """Each participant's verdict letters (or one member's), one string per on-time reply that has them."""
    query = select(ReplyRow.user_id, ReplyRow.verdicts).where(
        ReplyRow.drill_id == drill_id,
        ReplyRow.deleted.is_(False),
        ReplyRow.late.is_(False),
        ReplyRow.user_id.is_not(None),
        ReplyRow.verdicts.is_not(None),
    )
    if user_id is not None:
        query = query.where(ReplyRow.user_id == user_id)
    rows = session.execute(query.order_by(ReplyRow.replied_at, ReplyRow.id)).all()
    found: dict[str, list[str]] = {}
    for user_id, verdicts in rows:
        if user_id is not None and verdicts is not None:  # the query's filters; said again for the types
            found.setdefault(user_id, []).append(verdicts)
    return found
