"""Which questions a scheduled drill may ask: the schedule's roles (or, every Nth drill, the common
questions), only those whose points the reveal can show unless it asks for all, and only at the
schedule's levels."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.role import Question, Role
from bot.domain.schedule import Schedule

ALL_ROLES = "all"
# A level filter must leave enough questions to practise and to drill without repeating at once.
MIN_FILTERED_QUESTIONS = 5


def askable(question: Question, schedule: Schedule) -> bool:
    """By default a drill asks only what its reveal can answer; and only at the schedule's levels."""
    if not (schedule.all_questions or question.answer_points):
        return False
    return not schedule.levels or question.level in schedule.levels


def count_askable(role: Role, schedule: Schedule) -> int:
    return sum(askable(q, schedule) for q in role.questions)


def asks_common(schedule: Schedule, ordinal: int | None) -> bool:
    """Whether the `ordinal`th scheduled drill since the schedule was set (1-based) asks a common
    question: the Nth, 2Nth, … with `common=N`. A drill asked with `drill now` has no ordinal."""
    return bool(schedule.common_every) and ordinal is not None and ordinal > 0 and ordinal % schedule.common_every == 0


def pool(roles: Sequence[Role], schedule: Schedule) -> list[tuple[Role, Question]]:
    return [(role, q) for role in roles for q in role.questions if askable(q, schedule)]
