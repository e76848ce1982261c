"""Question rotation: every question of a schedule's role(s), in a shuffled order, before any repeats.

The deck is plain data (a list of "slug#question_id" cards and a position) so the store can persist it
and the order survives restarts. Content changes are tolerated: cards for removed questions are
skipped, and new questions join the next deck.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Card:
    """A question as decks, drills and members' memories refer to it: its role and its stable id
    (not its number, which shifts when a question is inserted)."""

    slug: str
    question_id: str

    def __str__(self) -> str:
        return f"{self.slug}#{self.question_id}"

    @classmethod
    def parse(cls, text: str) -> "Card | None":
        slug, sep, question_id = text.rpartition("#")
        if not sep or not slug or not question_id:
            return None
        return cls(slug, question_id)


@dataclass(frozen=True)
class Deck:
    cards: tuple[str, ...] = ()
    position: int = 0


def draw(deck: Deck, available: list[Card], rng: random.Random) -> tuple[Card, Deck]:
    """Take the next card still available; shuffle a fresh deck when this one is used up."""
    if not available:
        raise ValueError("no questions to draw from")
    valid = {str(c) for c in available}
    cards, position = list(deck.cards), deck.position
    while position < len(cards):
        card = cards[position]
        position += 1
        if card in valid:
            return Card.parse(card), Deck(tuple(cards), position)  # type: ignore[return-value]
    last = cards[-1] if cards else None
    fresh = [str(c) for c in available]
    rng.shuffle(fresh)
    if len(fresh) > 1 and fresh[0] == last:
        # Never ask yesterday's last question again as today's first.
        fresh[0], fresh[-1] = fresh[-1], fresh[0]
    return Card.parse(fresh[0]), Deck(tuple(fresh), 1)  # type: ignore[return-value]
