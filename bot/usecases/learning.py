"""Self-grading and spaced review: a member grades a question (after a drill's reveal, or in their
private review queue), their FSRS card is rebuilt from their reviews, and the queue offers what is
due. Only who, which question, which grade and when are stored; never what anyone wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.catalog import RoleCatalog
from bot.domain.drill import DrillStatus
from bot.domain.memory import Grade, Memory, end_of_local_day, grade_counts, local_day, replay
from bot.domain.role import Question, Role
from bot.store import cards, drills
from bot.usecases.delivery import question_of

log = logging.getLogger(__name__)

STATS_WINDOW = timedelta(days=30)


class CannotGrade(Exception):
    """A grade that cannot be taken (an unknown or unrevealed drill, a question no longer in the
    content, a forged button). The message is one Japanese sentence for the member."""


@dataclass(frozen=True)
class Graded:
    role: Role
    question: Question
    grade: Grade
    replaced: Grade | None  # the grade given earlier the same day, which this one replaced
    memory: Memory
    zone: str  # the member's time zone, for saying when it comes back
    elsewhere: bool = False  # kept in another workspace (a Slack Connect channel's): not in the member's own queue


@dataclass(frozen=True)
class Item:
    """A question in a member's review queue."""

    role: Role
    question: Question
    due: datetime | None  # None: a question the member has not graded yet


@dataclass(frozen=True)
class Card:
    role: Role
    question: Question
    memory: Memory


@dataclass(frozen=True)
class Queue:
    next: Item | None  # what to review now
    due_today: int  # still due before the end of the member's day, `next` included
    done_today: int  # graded today (reveals and reviews alike)
    next_due: datetime | None  # the soonest due after today, when nothing more is due today
    zone: str
    now: datetime


@dataclass(frozen=True)
class RoleProgress:
    role: Role
    rated: int  # questions of this role the member has graded
    mastered: int  # … whose memory lasts three weeks or more


@dataclass(frozen=True)
class LearningStats:
    due_today: int
    roles: tuple[RoleProgress, ...]
    grades: dict[Grade, int]  # the last 30 days, questions since removed from the content included
    zone: str
    removed: int = 0  # questions the member graded that are no longer in the content


class Learning:
    def __init__(self, sessions: sessionmaker[Session], catalog: RoleCatalog, zone_of: Callable[[str, str], str]):
        self.sessions = sessions
        self.catalog = catalog
        self.zone_of = zone_of  # (user id, team id) -> the member's time zone (Slack profile), or the default

    # ------------------------------------------------------------------ grading

    def grade_drill(self, user_id: str, channel_id: str, drill_id: int, grade: Grade, now: datetime, *, team_id: str) -> Graded:
        """A grade pressed on a drill's reveal. Any member may grade, replied or not. The grade is
        kept with the drill's replies, in the workspace that runs the drill: in a Slack Connect
        channel a member of another workspace (`team_id`) grades into the drill's workspace, so
        that their own workspace's stats count neither their reply nor their grade."""
        with self.sessions() as session:
            drill = drills.get_drill(session, drill_id)
            if drill is None or drill.channel_id != channel_id:
                raise CannotGrade("このドリルは見つかりませんでした。")
            if drill.status not in (DrillStatus.REVEALING, DrillStatus.REVEALED):
                raise CannotGrade("このドリルの回答ポイントはまだ公開されていません。公開後に自己評価してください。")
            # The drill's questions are those of the workspace that runs it (its own questions too).
            role = self.catalog.for_team(team_id=drill.team_id).by_slug(drill.role_slug or "")
            question = question_of(role, drill.question_id, drill.question_number)
            if role is None or question is None:
                raise CannotGrade("この質問はもう教材にありません。評価は記録しませんでした。")
            owner = drill.team_id
        return self._grade(user_id, role, question, grade, now, drill_id, owner, zone_team=team_id)

    def grade_question(self, user_id: str, role_slug: str, question_id: str, grade: Grade, now: datetime, *, team_id: str) -> Graded:
        """A grade pressed in the member's private review queue."""
        role = self.catalog.for_team(team_id=team_id).by_slug(role_slug)
        question = role.question_by_id(question_id) if role else None
        if role is None or question is None:
            raise CannotGrade("この質問はもう教材にありません。評価は記録しませんでした。")
        return self._grade(user_id, role, question, grade, now, None, team_id)

    def _grade(
        self,
        user_id: str,
        role: Role,
        question: Question,
        grade: Grade,
        now: datetime,
        drill_id: int | None,
        team_id: str,
        zone_team: str | None = None,
    ) -> Graded:
        """Stored under `team_id`; the member's time zone is asked of their own workspace
        (`zone_team`, when that is another)."""
        zone = self.zone_of(user_id, zone_team or team_id)
        with self.sessions.begin() as session:
            cards.lock_card(session, user_id, role.slug, question.id, team_id=team_id)
            previous = cards.put_review(
                session, user_id, role.slug, question.id, local_day(now, zone), int(grade), now, drill_id, team_id=team_id
            )
            # FSRS has no undo: the card is rebuilt from the member's reviews, today's as it now stands.
            memory = replay(cards.reviews_of(session, user_id, role.slug, question.id, team_id=team_id), zone)
            cards.store_memory(session, user_id, role.slug, question.id, memory, team_id=team_id)
        return Graded(
            role,
            question,
            grade,
            Grade(previous) if previous is not None else None,
            memory,
            zone,
            elsewhere=zone_team not in (None, team_id),
        )

    # ------------------------------------------------------------------ the review queue

    def queue(self, user_id: str, now: datetime, fresh: bool = False, *, team_id: str) -> Queue:
        """What the member should review now: the soonest due of their cards, or, when nothing is
        due (or `fresh` asks for something new), a question they have not graded yet from the roles
        of their channels (every role if they have none)."""
        zone = self.zone_of(user_id, team_id)
        end = end_of_local_day(now, zone)
        with self.sessions() as session:
            mine = self._cards(session, user_id, team_id)
            done = cards.reviewed_on(session, user_id, local_day(now, zone), team_id=team_id)
            roles = cards.member_roles(session, user_id, team_id=team_id)
        due = [item for item in mine if _due_today(item.memory, now, end, zone)]
        later = [max(item.memory.due, end) for item in mine if item not in due and item.memory.due is not None]
        next_due = min(later) if later else None
        if due and not fresh:
            first = due[0]
            return Queue(Item(first.role, first.question, first.memory.due), len(due), done, next_due, zone, now)
        seen = {(item.role.slug, item.question.id) for item in mine}
        return Queue(self._unseen(roles, seen, user_id, local_day(now, zone).toordinal(), team_id), len(due), done, next_due, zone, now)

    def _cards(self, session: Session, user_id: str, team_id: str) -> list[Card]:
        """The member's graded questions, soonest due first. A card whose question left the content
        is ignored."""
        return self._cards_and_removed(session, user_id, team_id)[0]

    def _cards_and_removed(self, session: Session, user_id: str, team_id: str) -> tuple[list[Card], int]:
        """The member's graded questions still in the content, and how many they graded that left it
        (their grades still count in the last 30 days: stats say where they went)."""
        found, removed = [], 0
        catalog = self.catalog.for_team(team_id=team_id)
        for row in cards.member_cards(session, user_id, team_id=team_id):
            role = catalog.by_slug(row.role_slug)
            question = role.question_by_id(row.question_id) if role else None
            # A workspace's retired question is no longer asked, reviews included.
            if role is not None and question is not None and question not in role.retired:
                found.append(Card(role, question, row.memory))
            else:
                removed += 1
        return found, removed

    def _unseen(self, roles: set[str], seen: set[tuple[str, str]], user_id: str, day: int, team_id: str) -> Item | None:
        catalog = self.catalog.for_team(team_id=team_id)
        pool: Sequence[Role] = catalog.roles if not roles or "all" in roles else [r for r in catalog.roles if r.slug in roles]
        candidates = [(r, q) for r in pool for q in r.questions if q.answer_points and (r.slug, q.id) not in seen]
        if not candidates:
            candidates = [(r, q) for r in catalog.roles for q in r.questions if q.answer_points and (r.slug, q.id) not in seen]
        if not candidates:
            return None
        # A different new question each day, the same one all day: stable while the member decides.
        index = (day + sum(map(ord, user_id))) % len(candidates)
        role, question = candidates[index]
        return Item(role, question, None)

    # ------------------------------------------------------------------ stats

    def stats(self, user_id: str, now: datetime, *, team_id: str) -> LearningStats:
        zone = self.zone_of(user_id, team_id)
        end = end_of_local_day(now, zone)
        with self.sessions() as session:
            mine, removed = self._cards_and_removed(session, user_id, team_id)
            grades = cards.recent_grades(session, user_id, now - STATS_WINDOW, team_id=team_id)
        progress = []
        for role in self.catalog.roles:
            memories = [item.memory for item in mine if item.role.slug == role.slug]
            if memories:
                progress.append(RoleProgress(role, len(memories), sum(1 for m in memories if m.mastered)))
        due = sum(1 for item in mine if _due_today(item.memory, now, end, zone))
        return LearningStats(due, tuple(progress), grade_counts(grades), zone, removed)


def _due_today(memory: Memory, now: datetime, end: datetime, zone: str) -> bool:
    """Due before the member's day ends, and not already graded today: on the 25-hour day when DST
    ends, a one-day interval can end before midnight, and the queue must not offer it again."""
    graded_today = memory.last_review is not None and local_day(memory.last_review, zone) == local_day(now, zone)
    return memory.due_by(end) and not graded_today
