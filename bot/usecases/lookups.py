"""Use-cases for role lookups: find a role by any name, pick a practice question."""

from __future__ import annotations

import random

from bot.domain.catalog import Resolution, RoleCatalog
from bot.domain.drill_pool import MIN_FILTERED_QUESTIONS
from bot.domain.role import Level, Question, Role


class TooFewQuestions(Exception):
    """A level filter leaves fewer than MIN_FILTERED_QUESTIONS questions: the sentence to show."""


def with_levels(questions: tuple[Question, ...], levels: frozenset[Level]) -> list[Question]:
    """The questions at any of `levels` (all of them when `levels` is empty)."""
    return [q for q in questions if not levels or q.level in levels]


class Lookups:
    def __init__(self, catalog: RoleCatalog, rng: random.Random | None = None):
        self.catalog = catalog
        self._rng = rng or random.Random()

    def find(self, query: str) -> Resolution:
        return self.catalog.resolve(query)

    def practice_question(self, role: Role, previous: int | None = None, levels: frozenset[Level] = frozenset()) -> Question:
        """A random question at one of `levels`, not the one just shown when there is a choice.
        Raises TooFewQuestions when the levels leave fewer than MIN_FILTERED_QUESTIONS."""
        pool = with_levels(role.questions, levels)
        if levels and len(pool) < MIN_FILTERED_QUESTIONS:
            named = "・".join(level.value for level in Level if level in levels)
            raise TooFewQuestions(
                f"{role.short_title or role.title}には{named}の質問が{len(pool)}問しかないため、このレベルでは出題できません。"
                f"レベルを増やすか、level= を外してお試しください。"
            )
        choices = [q for q in pool if q.number != previous] or pool
        return self._rng.choice(choices)
