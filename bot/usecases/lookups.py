"""Use-cases for role lookups: find a role by any name, pick a practice question."""

from __future__ import annotations

import random

from bot.domain.catalog import Resolution, RoleCatalog
from bot.domain.role import Question, Role


class Lookups:
    def __init__(self, catalog: RoleCatalog, rng: random.Random | None = None):
        self.catalog = catalog
        self._rng = rng or random.Random()

    def find(self, query: str) -> Resolution:
        return self.catalog.resolve(query)

    def practice_question(self, role: Role, previous: int | None = None) -> Question:
        """A random question, not the one just shown when there is a choice."""
        choices = [q for q in role.questions if q.number != previous] or list(role.questions)
        return self._rng.choice(choices)
