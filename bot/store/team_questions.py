"""A workspace's own questions: proposals, decisions by compare-and-set on `version`, the
workspace's questions for its catalog, and imports waiting for confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.domain.role import Level, QuestionKind
from bot.domain.team_questions import Draft, Status, TeamQuestion
from bot.store.db import changed, to_db
from bot.store.models import QuestionImportRow, ScheduleRow, TeamQuestionRow


def _draft_values(draft: Draft) -> dict:
    return {
        "target": draft.target,
        "text": draft.text,
        "points": list(draft.points),
        "follow_up": draft.follow_up,
        "model_answer": draft.model_answer,
        "weak_answer": draft.weak_answer,
        "level": draft.level.value if draft.level else "",
        "kind": draft.kind.value if draft.kind else "",
    }


def _to_value(row: TeamQuestionRow) -> TeamQuestion:
    draft = Draft(
        target=row.target,
        text=row.text,
        points=tuple(row.points or ()),
        follow_up=row.follow_up or "",
        model_answer=row.model_answer or "",
        weak_answer=row.weak_answer or "",
        level=Level.parse(row.level or ""),
        kind=QuestionKind.parse(row.kind or ""),
    )
    return TeamQuestion(
        key=row.id,
        question_id=row.question_id or "",
        status=row.status,
        draft=draft,
        proposed_by=row.proposed_by,
        version=row.version,
        reason=row.reason or "",
    )


def propose(session: Session, user_id: str, draft: Draft, now: datetime, *, team_id: str) -> int:
    row = TeamQuestionRow(
        team_id=team_id,
        status=Status.PENDING,
        proposed_by=user_id,
        proposed_at=to_db(now),
        updated_at=to_db(now),
        version=0,
        reason="",
        **_draft_values(draft),
    )
    session.add(row)
    session.flush()
    return row.id


def add_approved(session: Session, question_id: str, user_id: str, draft: Draft, now: datetime, *, team_id: str) -> int:
    """A question that arrives approved (an import): proposed and decided by the admin at once."""
    key = propose(session, user_id, draft, now, team_id=team_id)
    session.execute(
        update(TeamQuestionRow)
        .where(TeamQuestionRow.id == key)
        .values(status=Status.APPROVED, question_id=question_id, decided_by=user_id, decided_at=to_db(now), version=1)
    )
    return key


def proposals_since(session: Session, user_id: str, since: datetime, *, team_id: str) -> int:
    """How many questions a member proposed from `since` on (the daily cap counts them)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(TeamQuestionRow)
            .where(TeamQuestionRow.team_id == team_id, TeamQuestionRow.proposed_by == user_id, TeamQuestionRow.proposed_at >= to_db(since))
        )
        or 0
    )


def get(session: Session, key: int, *, team_id: str) -> TeamQuestion | None:
    row = session.scalar(select(TeamQuestionRow).where(TeamQuestionRow.id == key, TeamQuestionRow.team_id == team_id))
    return _to_value(row) if row is not None else None


def by_question_id(session: Session, question_id: str, *, team_id: str) -> TeamQuestion | None:
    row = session.scalar(select(TeamQuestionRow).where(TeamQuestionRow.question_id == question_id, TeamQuestionRow.team_id == team_id))
    return _to_value(row) if row is not None else None


def of_team(session: Session, statuses: Sequence[Status], *, team_id: str) -> list[TeamQuestion]:
    """A workspace's questions in the given statuses, oldest first."""
    rows = session.scalars(
        select(TeamQuestionRow)
        .where(TeamQuestionRow.team_id == team_id, TeamQuestionRow.status.in_(list(statuses)))
        .order_by(TeamQuestionRow.id)
    )
    return [_to_value(row) for row in rows]


def decide(
    session: Session,
    key: int,
    version: int,
    status: Status,
    user_id: str,
    now: datetime,
    *,
    team_id: str,
    draft: Draft | None = None,
    question_id: str | None = None,
    reason: str = "",
    expected: Sequence[Status] = (Status.PENDING,),
) -> bool:
    """Move a question to `status` if it is still at `version` and in one of `expected`; False when
    another admin (or another press) changed it first."""
    values: dict = {"status": status, "decided_by": user_id, "decided_at": to_db(now), "updated_at": to_db(now), "version": version + 1}
    if draft is not None:
        values.update(_draft_values(draft))
    if question_id is not None:
        values["question_id"] = question_id
    if reason:
        values["reason"] = reason
    result = session.execute(
        update(TeamQuestionRow)
        .where(
            TeamQuestionRow.id == key,
            TeamQuestionRow.team_id == team_id,
            TeamQuestionRow.version == version,
            TeamQuestionRow.status.in_(list(expected)),
        )
        .values(**values)
    )
    return changed(result) == 1


def _stamps(session: Session, *conditions: Any) -> dict[str, tuple[int, int]]:
    query = select(TeamQuestionRow.team_id, func.count(), func.coalesce(func.sum(TeamQuestionRow.version), 0)).where(
        TeamQuestionRow.status.in_([Status.APPROVED, Status.RETIRED]), *conditions
    )
    return {team: (int(count), int(versions)) for team, count, versions in session.execute(query.group_by(TeamQuestionRow.team_id))}


def change_stamps(session: Session) -> dict[str, tuple[int, int]]:
    """Per workspace with asked or retired questions: how many, and the sum of their versions. Every
    decision and edit adds one to a version, so the stamp moves with each change whatever the
    replicas' clocks say; a catalog cache reloads a workspace whose stamp moved."""
    return _stamps(session)


def team_stamp(session: Session, *, team_id: str) -> tuple[int, int] | None:
    """One workspace's stamp (see change_stamps); None when it has no asked or retired question."""
    return _stamps(session, TeamQuestionRow.team_id == team_id).get(team_id)


def save_import(session: Session, user_id: str, text: str, now: datetime, *, team_id: str) -> int:
    row = QuestionImportRow(team_id=team_id, user_id=user_id, text=text, created_at=to_db(now))
    session.add(row)
    session.flush()
    return row.id


def take_import(session: Session, key: int, user_id: str, now: datetime, *, team_id: str) -> str | None:
    """The Markdown of an import this admin has not confirmed yet, marked done in the same step so a
    second press finds nothing (and its text dropped: it is not kept once used); None when there is
    none (confirmed already, or someone else's)."""
    row = session.scalar(
        select(QuestionImportRow).where(
            QuestionImportRow.id == key,
            QuestionImportRow.team_id == team_id,
            QuestionImportRow.user_id == user_id,
            QuestionImportRow.done_at.is_(None),
        )
    )
    if row is None:
        return None
    text = row.text  # read before the update, which the session applies to the row it holds
    done = session.execute(
        update(QuestionImportRow)
        .where(QuestionImportRow.id == key, QuestionImportRow.done_at.is_(None))
        .values(done_at=to_db(now), text="")
    )
    return text if changed(done) == 1 else None


def delete_imports_before(session: Session, before: datetime) -> int:
    """Every workspace's imports made before `before`, confirmed or not: their Markdown is not kept
    longer. Looked for first, so an idle tick writes nothing."""
    if session.scalar(select(QuestionImportRow.id).where(QuestionImportRow.created_at < to_db(before)).limit(1)) is None:
        return 0
    return changed(session.execute(delete(QuestionImportRow).where(QuestionImportRow.created_at < to_db(before))))


def known_admins(session: Session, *, team_id: str) -> set[str]:
    """Who has acted as an admin in the workspace: set one of its schedules, or decided one of its
    questions. The bot keeps no list of a workspace's admins; these are the ones it has seen."""
    setters = session.scalars(select(ScheduleRow.updated_by).where(ScheduleRow.team_id == team_id).distinct())
    deciders = session.scalars(
        select(TeamQuestionRow.decided_by).where(TeamQuestionRow.team_id == team_id, TeamQuestionRow.decided_by.is_not(None)).distinct()
    )
    return {user for user in (*setters, *deciders) if user}
