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


def test_a_wanted_draw_keeps_the_cards_it_passes_over_for_later():
    """A channel that asks a common question every third drill keeps one deck: drawing a common
    card passes over role cards without losing them, and every card comes once per deck."""
    common = [Card("common", f"c{i}") for i in range(3)]
    roles = [Card("cto", f"q{i}") for i in range(6)]
    available = roles + common
    deck, drawn = Deck(), []
    for n in range(1, 10):
        wants_common = n % 3 == 0
        card, deck = draw(deck, available, random.Random(n), wanted=lambda c, w=wants_common: (c.slug == "common") == w)
        assert (card.slug == "common") == wants_common
        drawn.append(str(card))
    assert sorted(drawn) == sorted(str(c) for c in available)  # each once before any repeats
