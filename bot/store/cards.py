"""Members' memories of questions: each self-grade (a review) and the FSRS card rebuilt from them.

Slack user ids are unique within a workspace only, so a member is (team_id, user_id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain.drill import SHOWN, DrillStatus
from bot.domain.memory import Grade, Memory, Review
from bot.store.db import insert_ignore, to_db, utc
from bot.store.models import CardRow, DrillRow, ReplyRow, ReviewRow, ScheduleRow


@dataclass(frozen=True)
class StoredCard:
    """A member's card of one question; times are aware (UTC)."""

    role_slug: str
    question_id: str
    stability: float | None
    difficulty: float | None
    due: datetime | None
    last_review: datetime | None
    reviews: int

    @property
    def memory(self) -> Memory:
        return Memory(self.stability, self.difficulty, self.due, self.last_review, self.reviews)


def _to_card(row: CardRow) -> StoredCard:
    return StoredCard(row.role_slug, row.question_id, row.stability, row.difficulty, utc(row.due), utc(row.last_review), row.reviews)


def _card(team_id: str, user_id: str, role_slug: str, question_id: str) -> tuple:
    return (CardRow.team_id == team_id, CardRow.user_id == user_id, CardRow.role_slug == role_slug, CardRow.question_id == question_id)


def lock_card(session: Session, user_id: str, role_slug: str, question_id: str, *, team_id: str) -> None:
    """Create the member's card for a question if new, and lock it for this transaction, so that
    two grades of one card (a double click, or two replicas) are applied one after the other."""
    insert_ignore(
        session, CardRow, {"team_id": team_id, "user_id": user_id, "role_slug": role_slug, "question_id": question_id, "reviews": 0}
    )
    session.execute(select(CardRow.id).where(*_card(team_id, user_id, role_slug, question_id)).with_for_update()).one()


def store_memory(session: Session, user_id: str, role_slug: str, question_id: str, memory: Memory, *, team_id: str) -> None:
    """The card as its reviews now make it."""
    session.execute(
        update(CardRow)
        .where(*_card(team_id, user_id, role_slug, question_id))
        .values(
            stability=memory.stability,
            difficulty=memory.difficulty,
            due=to_db(memory.due) if memory.due else None,
            last_review=to_db(memory.last_review) if memory.last_review else None,
            reviews=memory.reviews,
        )
    )


def put_review(
    session: Session,
    user_id: str,
    role_slug: str,
    question_id: str,
    day: date,
    grade: int,
    at: datetime,
    drill_id: int | None,
    *,
    team_id: str,
) -> int | None:
    """Record the member's grade for the day, replacing an earlier one that day. Returns the grade
    it replaced, or None if this is the day's first."""
    values = {
        "team_id": team_id,
        "user_id": user_id,
        "role_slug": role_slug,
        "question_id": question_id,
        "local_day": day,
        "rating": grade,
        "at": to_db(at),
        "drill_id": drill_id,
    }
    if insert_ignore(session, ReviewRow, values):
        return None
    key = (
        ReviewRow.team_id == team_id,
        ReviewRow.user_id == user_id,
        ReviewRow.role_slug == role_slug,
        ReviewRow.question_id == question_id,
        ReviewRow.local_day == day,
    )
    previous = session.scalars(select(ReviewRow.rating).where(*key)).one()
    session.execute(update(ReviewRow).where(*key).values(rating=grade, at=to_db(at), drill_id=func.coalesce(drill_id, ReviewRow.drill_id)))
    return previous


def reviews_of(session: Session, user_id: str, role_slug: str, question_id: str, *, team_id: str) -> list[Review]:
    rows = session.execute(
        select(ReviewRow.rating, ReviewRow.at)
        .where(
            ReviewRow.team_id == team_id,
            ReviewRow.user_id == user_id,
            ReviewRow.role_slug == role_slug,
            ReviewRow.question_id == question_id,
        )
        .order_by(ReviewRow.at, ReviewRow.id)
    ).all()
    return [Review(Grade(r[0]), utc(r[1])) for r in rows]  # type: ignore[arg-type]


def member_cards(session: Session, user_id: str, *, team_id: str) -> list[StoredCard]:
    """Every card of a member that has been reviewed, soonest due first."""
    rows = session.scalars(
        select(CardRow).where(CardRow.team_id == team_id, CardRow.user_id == user_id, CardRow.reviews > 0).order_by(CardRow.due, CardRow.id)
    ).all()
    return [_to_card(row) for row in rows]


def reviewed_on(session: Session, user_id: str, day: date, *, team_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ReviewRow)
            .where(ReviewRow.team_id == team_id, ReviewRow.user_id == user_id, ReviewRow.local_day == day)
        )
        or 0
    )


def recent_grades(session: Session, user_id: str, since: datetime, *, team_id: str) -> list[Grade]:
    rows = session.scalars(
        select(ReviewRow.rating).where(ReviewRow.team_id == team_id, ReviewRow.user_id == user_id, ReviewRow.at >= to_db(since))
    ).all()
    return [Grade(r) for r in rows]


def member_roles(session: Session, user_id: str, *, team_id: str) -> set[str]:
    """The roles drilled in the channels where this member replied to or graded a drill ("all" for
    a channel that rotates through every role)."""
    replied = (
        select(DrillRow.channel_id)
        .join(ReplyRow, ReplyRow.drill_id == DrillRow.id)
        .where(ReplyRow.team_id == team_id, ReplyRow.user_id == user_id)
    )
    graded = (
        select(DrillRow.channel_id)
        .join(ReviewRow, ReviewRow.drill_id == DrillRow.id)
        .where(ReviewRow.team_id == team_id, ReviewRow.user_id == user_id)
    )
    channels = set(session.scalars(replied.union(graded)).all())
    if not channels:
        return set()
    roles = set(session.scalars(select(ScheduleRow.role).where(ScheduleRow.channel_id.in_(channels), ScheduleRow.team_id == team_id)).all())
    drilled = (
        select(DrillRow.role_slug)
        .where(DrillRow.channel_id.in_(channels), DrillRow.team_id == team_id, DrillRow.role_slug.is_not(None))
        .distinct()
    )
    roles |= {s for s in session.scalars(drilled).all() if s}
    return roles


def channel_questions(session: Session, channel_id: str, *, team_id: str) -> list[tuple[str, str, datetime]]:
    """(role, question id, post time) of every question the workspace's drills have given this
    channel, or are giving it now."""
    rows = session.execute(
        select(DrillRow.role_slug, DrillRow.question_id, DrillRow.post_at).where(
            DrillRow.channel_id == channel_id,
            DrillRow.team_id == team_id,
            DrillRow.question_id.is_not(None),
            DrillRow.status.in_((DrillStatus.POSTING, *SHOWN)),
        )
    ).all()
    return [(r[0], r[1], utc(r[2])) for r in rows]  # type: ignore[misc]


def active_members(session: Session, channel_id: str, since: datetime, *, team_id: str) -> list[str]:
    """Members who graded one of the workspace's drills in this channel since `since`."""
    return list(
        session.scalars(
            select(ReviewRow.user_id)
            .join(DrillRow, DrillRow.id == ReviewRow.drill_id)
            .where(
                DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, ReviewRow.team_id == team_id, ReviewRow.at >= to_db(since)
            )
            .distinct()
        ).all()
    )


def cards_of_members(session: Session, user_ids: Sequence[str], *, team_id: str) -> list[StoredCard]:
    if not user_ids:
        return []
    rows = session.scalars(select(CardRow).where(CardRow.team_id == team_id, CardRow.user_id.in_(set(user_ids)), CardRow.reviews > 0)).all()
    return [_to_card(row) for row in rows]
