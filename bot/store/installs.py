"""Workspaces: the single-token deployment's rows given their real team, an install and an uninstall
recorded, and an uninstalled workspace stopped and, after the retention period, deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.announcements import ChannelPostStatus
from bot.domain.drill import OPEN, DrillStatus
from bot.store.db import changed, insert_for, to_db, utc
from bot.store.models import (
    CardRow,
    ChannelPostRow,
    DrillRow,
    FeedbackNoticeRow,
    HomeTabRow,
    MemberSettingRow,
    MockSendRow,
    MockSessionRow,
    QuestionImportRow,
    ReplyRow,
    ReviewRow,
    ScheduleChangeRow,
    ScheduleRow,
    TeamQuestionRow,
    WorkspaceRow,
)
from bot.store.schedules import StoredSchedule, to_stored

# Every table whose rows belong to one workspace, children before their parents: the order a
# workspace's rows are deleted in.
TEAM_TABLES = (
    ReplyRow,
    FeedbackNoticeRow,
    ChannelPostRow,
    ReviewRow,
    CardRow,
    MemberSettingRow,
    HomeTabRow,
    MockSendRow,
    MockSessionRow,
    DrillRow,
    ScheduleChangeRow,
    ScheduleRow,
    TeamQuestionRow,
    QuestionImportRow,
)

# The columns that make a member's row unique within a workspace: a marker row is given the real
# team only where that team has no such row already (see resolve_single_workspace).
_MEMBER_KEYS = {
    CardRow: ("user_id", "role_slug", "question_id"),
    ReviewRow: ("user_id", "role_slug", "question_id", "local_day"),
    MemberSettingRow: ("user_id",),
    HomeTabRow: ("user_id",),
    MockSessionRow: ("active_user",),
}

# Why a workspace's open drills and reminders stopped: their last_error.
UNINSTALLED = "app_uninstalled"


@dataclass(frozen=True)
class WorkspaceRecord:
    """A workspace's install and the deletion of its data: due at `purge_after`, done once
    (`purged_at`), cancelled by a reinstall before then. Times are aware (UTC)."""

    installed_at: datetime | None
    uninstalled_at: datetime | None
    purge_after: datetime | None
    purged_at: datetime | None


def resolve_single_workspace(session: Session, marker: str, *, team_id: str, enterprise_id: str | None) -> int:
    """Give every row still carrying the single workspace's `marker` its real workspace (and schedules
    their enterprise); returns how many rows changed, 0 when run again. A member row that the team
    already has under its real id (written by a newer process while an older one still wrote the
    marker) keeps the marker rather than break the team's uniqueness: nothing reads it any more."""
    moved = 0
    for model in TEAM_TABLES:
        query = update(model).where(model.team_id == marker)
        keys = _MEMBER_KEYS.get(model)
        if keys is not None:
            # The table aliased under its own name would be ambiguous in an UPDATE's subquery.
            other = model.__table__.alias("taken")
            query = query.where(
                ~select(other.c.team_id).where(other.c.team_id == team_id, *(other.c[k] == getattr(model, k) for k in keys)).exists()
            )
        values: dict[str, Any] = {"team_id": team_id}
        if model is ScheduleRow:
            values["enterprise_id"] = enterprise_id
        moved += changed(session.execute(query.values(**values)))
    return moved


def get_workspace(session: Session, for_update: bool = False, *, team_id: str) -> WorkspaceRow | None:
    """The row itself: for this store's own use, and for tests that read a column."""
    query = select(WorkspaceRow).where(WorkspaceRow.team_id == team_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def lock_workspace(session: Session, *, team_id: str, enterprise_id: str | None) -> WorkspaceRecord:
    """The workspace's record, created if new and locked for this transaction, so that an install
    and an uninstall (or Slack's retries of either, on any replica) apply one after the other."""
    insert = insert_for(session)
    session.execute(insert(WorkspaceRow).values(team_id=team_id, enterprise_id=enterprise_id).on_conflict_do_nothing())
    row = get_workspace(session, for_update=True, team_id=team_id)
    assert row is not None
    session.refresh(row)  # another transaction may have written it since this session first saw it
    return WorkspaceRecord(utc(row.installed_at), utc(row.uninstalled_at), utc(row.purge_after), utc(row.purged_at))


def set_installed(session: Session, now: datetime, *, team_id: str, enterprise_id: str | None) -> None:
    """Installed (again) at `now`: a deletion still pending is cancelled."""
    session.execute(
        update(WorkspaceRow)
        .where(WorkspaceRow.team_id == team_id)
        .values(enterprise_id=enterprise_id, installed_at=to_db(now), uninstalled_at=None, purge_after=None, purged_at=None)
    )


def set_uninstalled(session: Session, now: datetime, purge_after: datetime, *, team_id: str) -> None:
    """Uninstalled at `now`: its data is to be deleted at `purge_after`."""
    session.execute(
        update(WorkspaceRow)
        .where(WorkspaceRow.team_id == team_id)
        .values(uninstalled_at=to_db(now), purge_after=to_db(purge_after), purged_at=None)
    )


def pause_team_schedules(session: Session, *, team_id: str) -> list[StoredSchedule]:
    """Pause every running schedule of the workspace; returns those this call paused."""
    rows = session.scalars(
        select(ScheduleRow)
        .where(ScheduleRow.team_id == team_id, ScheduleRow.paused.is_(False))
        .order_by(ScheduleRow.channel_id)
        .with_for_update()
    ).all()
    for row in rows:
        row.paused = True
    session.flush()
    return [to_stored(row) for row in rows]


def stop_team_drills(session: Session, now: datetime, *, team_id: str) -> int:
    """Make sure none of the workspace's drills is posted, revealed, edited, read back or followed
    by feedback any more: every one not yet revealed becomes missed (one being posted or revealed
    right now included: its holder's finish then fails), and a revealed one is treated as marked
    and its feedback as done. Returns how many drills this call stopped before their reveal."""
    stopped = changed(
        session.execute(
            update(DrillRow)
            .where(DrillRow.team_id == team_id, DrillRow.status.in_((DrillStatus.PENDING, DrillStatus.POSTING, *OPEN)))
            .values(
                status=DrillStatus.MISSED,
                last_error=UNINSTALLED,
                backfill_due=False,
                feedback_done_at=func.coalesce(DrillRow.feedback_done_at, to_db(now)),
            )
        )
    )
    session.execute(
        update(DrillRow)
        .where(
            DrillRow.team_id == team_id,
            DrillRow.status == DrillStatus.REVEALED,
            or_(DrillRow.marked_at.is_(None), DrillRow.feedback_done_at.is_(None)),
        )
        .values(
            marked_at=func.coalesce(DrillRow.marked_at, to_db(now)), feedback_done_at=func.coalesce(DrillRow.feedback_done_at, to_db(now))
        )
    )
    return stopped


def skip_team_channel_posts(session: Session, *, team_id: str) -> int:
    """Skip the workspace's reminders and digests that are not sent yet (one being sent included)."""
    return changed(
        session.execute(
            update(ChannelPostRow)
            .where(ChannelPostRow.team_id == team_id, ChannelPostRow.status.in_((ChannelPostStatus.PENDING, ChannelPostStatus.SENDING)))
            .values(status=ChannelPostStatus.SKIPPED, last_error=UNINSTALLED)
        )
    )


def purge_candidates(session: Session, now: datetime) -> list[str]:
    """Workspaces whose data is due for deletion at `now` and not deleted yet."""
    return list(
        session.scalars(
            select(WorkspaceRow.team_id)
            .where(WorkspaceRow.purged_at.is_(None), WorkspaceRow.purge_after.is_not(None), WorkspaceRow.purge_after <= to_db(now))
            .order_by(WorkspaceRow.purge_after, WorkspaceRow.team_id)
        )
    )


def claim_purge(session: Session, now: datetime, *, team_id: str) -> bool:
    """Take the deletion of a workspace's data. One conditional UPDATE, so that of several replicas
    exactly one sees rowcount 1; it must be the transaction's first statement on SQLite (a read
    first would make its write fail, not wait, when another replica wrote meanwhile)."""
    result = session.execute(
        update(WorkspaceRow)
        .where(
            WorkspaceRow.team_id == team_id,
            WorkspaceRow.purged_at.is_(None),
            WorkspaceRow.purge_after.is_not(None),
            WorkspaceRow.purge_after <= to_db(now),
        )
        .values(purged_at=to_db(now))
    )
    return changed(result) == 1


def delete_team_rows(session: Session, *, team_id: str) -> dict[str, int]:
    """Delete every row the bot keeps for the workspace; how many went, per table. Slack's own
    installation rows are not the bot's to delete (the Slack layer deletes them on uninstall)."""
    return {model.__tablename__: changed(session.execute(delete(model).where(model.team_id == team_id))) for model in TEAM_TABLES}
