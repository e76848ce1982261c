from __future__ import annotations

import random

from bot.domain.rotation import Card, Deck, draw

CARDS = [Card("ciso", f"q{n:02d}") for n in range(1, 21)] + [Card("cto", f"q{n:02d}") for n in range(1, 6)]


def test_every_question_once_before_any_repeats_across_restarts():
    deck = Deck()
    drawn = []
    for day in range(len(CARDS)):
        # A new random source each "day" stands for a restart: only the stored deck carries over.
        card, deck = draw(Deck(deck.cards, deck.position), CARDS, random.Random(day))
        drawn.append(card)
    assert sorted(drawn, key=str) == sorted(CARDS, key=str)
    nxt, deck2 = draw(deck, CARDS, random.Random(99))
    assert nxt != drawn[-1]  # a fresh deck never opens with the question just asked
    assert deck2.position == 1 and len(deck2.cards) == len(CARDS)


def test_removed_questions_are_skipped_and_new_ones_join_the_next_deck():
    _, deck = draw(Deck(), CARDS[:3], random.Random(1))
    remaining = [Card.parse(c) for c in deck.cards[1:]]
    card, deck = draw(deck, [remaining[1]], random.Random(1))  # remaining[0] was removed from content
    assert card == remaining[1]
    card, deck = draw(deck, CARDS[:3] + [Card("new", "q01")], random.Random(1))
    assert "new#q01" in deck.cards


def test_card_round_trip():
    assert Card.parse("security_engineer#3f2a9c1b0d") == Card("security_engineer", "3f2a9c1b0d")
    assert Card.parse("garbage") is None
    assert Card.parse("#abc") is None
