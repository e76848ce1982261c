"""Question rotation: every question of a schedule's role(s), in a shuffled order, before any repeats.

The deck is plain data (a list of "slug#question_id" cards and a position) so the store can persist it
and the order survives restarts. Content changes are tolerated: cards for removed questions are
skipped, and new questions join the next deck.
"""

from __future__ import annotations

import random
from collections.abc import Callable
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
    def parse(cls, text: str) -> Card | None:
        slug, sep, question_id = text.rpartition("#")
        if not sep or not slug or not question_id:
            return None
        return cls(slug, question_id)


@dataclass(frozen=True)
class Deck:
    cards: tuple[str, ...] = ()
    position: int = 0


def draw(deck: Deck, available: list[Card], rng: random.Random, wanted: Callable[[Card], bool] | None = None) -> tuple[Card, Deck]:
    """Take the next card still available; shuffle a fresh deck when this one is used up.

    With `wanted`, take the next available card it accepts; the available cards passed over stay
    in the deck, just after the one taken, to be drawn when they are wanted (a channel that asks
    the common questions every third drill keeps one deck for both)."""
    if not available:
        raise ValueError("no questions to draw from")
    accepts = wanted or (lambda card: True)
    if not any(accepts(c) for c in available):
        raise ValueError("no wanted questions to draw from")
    valid = {str(c) for c in available}
    cards, position = list(deck.cards), deck.position
    for index in range(position, len(cards)):
        card = cards[index]
        if card in valid and accepts(Card.parse(card)):  # type: ignore[arg-type]
            # The card taken moves to the front of what is left; the available cards passed over
            # follow it (a removed question's card is dropped, as a plain draw skips it).
            cards[position : index + 1] = [card, *(c for c in cards[position:index] if c in valid)]
            return Card.parse(card), Deck(tuple(cards), position + 1)  # type: ignore[return-value]
    last = cards[position - 1] if 0 < position <= len(cards) else None
    fresh = [str(c) for c in available]
    rng.shuffle(fresh)
    first = next(i for i, key in enumerate(fresh) if accepts(Card.parse(key)))  # type: ignore[arg-type]
    fresh.insert(0, fresh.pop(first))
    if fresh[0] == last:
        # Never ask yesterday's last question again as today's first.
        other = next((i for i, key in enumerate(fresh) if i > 0 and accepts(Card.parse(key))), None)  # type: ignore[arg-type]
        if other is not None:
            fresh[0], fresh[other] = fresh[other], fresh[0]
    return Card.parse(fresh[0]), Deck(tuple(fresh), 1)  # type: ignore[return-value]
