from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.adaptive import (
    FORGETTING_THRESHOLD,
    REVIEW_GAP,
    REVIEW_SHARE,
    Asked,
    Pick,
    choose_adaptive,
)

START = datetime(2025, 4, 1, 0, 0, tzinfo=timezone.utc)  # 09:00 JST, the daily post
BANK = [f"backend#{n}" for n in range(1, 21)]
FORGOTTEN = {"backend#4", "backend#13"}  # the members keep forgetting these
EASY_STABILITY = 90.0  # days: rated easy, not due again within the simulation
FORGOTTEN_STABILITY = 1.0  # days: due again the day after it was asked


def day(n: int) -> datetime:
    return START + timedelta(days=n)


@dataclass
class Members:
    """A fake study group: FSRS-like forgetting per question from its stability (in days).

    Retrievability after t days is (1 + t / (9 S)) ** -1, so the mean forgetting 1 - R reaches
    FORGETTING_THRESHOLD (0.1) exactly when t reaches S. A question nobody has rated has no entry.
    """

    stability: dict[str, float]
    default: float = EASY_STABILITY
    last_rated: dict[str, datetime] = field(default_factory=dict)

    def rate(self, key: str, at: datetime) -> None:
        self.last_rated[key] = at

    def forgetting(self, now: datetime) -> dict[str, float]:
        out = {}
        for key, at in self.last_rated.items():
            t = (now - at) / timedelta(days=1)
            s = self.stability.get(key, self.default)
            out[key] = 1 - (1 + t / (9 * s)) ** -1
        return out


def simulate(candidates, members: Members, days: int, seed: str = "C123") -> list[tuple[int, Pick]]:
    history: list[Asked] = []
    posts = []
    for n in range(days):
        now = day(n)
        pick = choose_adaptive(candidates, members.forgetting(now), history, now, seed)
        history.append(Asked(pick.key, now))
        members.rate(pick.key, now)
        posts.append((n, pick))
    return posts


def ask_days(posts) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for n, pick in posts:
        out.setdefault(pick.key, []).append(n)
    return out


def gaps(days_asked: list[int]) -> list[int]:
    return [b - a for a, b in zip(days_asked, days_asked[1:], strict=False)]


def usual_group() -> Members:
    return Members({key: FORGOTTEN_STABILITY for key in FORGOTTEN})


def forgetful_group() -> Members:
    """Every question is forgotten a day after it was asked: reviews always want to happen."""
    return Members({}, default=FORGOTTEN_STABILITY)


# --- the simulated channel ---------------------------------------------------------------------


def test_forgotten_questions_come_back_sooner_than_easy_ones():
    asked = ask_days(simulate(BANK, usual_group(), 60))
    forgotten_gaps = [g for key in FORGOTTEN for g in gaps(asked[key])]
    easy_gaps = [g for key in BANK if key not in FORGOTTEN for g in gaps(asked[key])]

    assert all(len(asked[key]) >= 4 for key in FORGOTTEN)
    # Back as soon as the gap allows, or a day or two later when the last posts were reviews.
    assert max(forgotten_gaps) <= REVIEW_GAP.days + REVIEW_SHARE - 1
    assert easy_gaps  # easy questions are asked again too, once the bank has been covered...
    assert min(easy_gaps) > max(forgotten_gaps)  # ...but much later
    assert min(len(asked[key]) for key in FORGOTTEN) > max(len(asked[key]) for key in BANK if key not in FORGOTTEN)


def test_the_whole_bank_is_covered_while_reviews_happen():
    posts = simulate(BANK, usual_group(), len(BANK) + 10)
    covered_by = max(days_asked[0] for days_asked in ask_days(posts).values())
    reviews_before = sum(pick.review for n, pick in posts if n <= covered_by)

    assert set(ask_days(posts)) == set(BANK)
    assert reviews_before >= 2
    # Each day until the bank is covered is either a new question or a review: none is wasted...
    assert covered_by + 1 == len(BANK) + reviews_before
    # ...and the one-in-three rule bounds the delay.
    assert covered_by + 1 <= len(BANK) + len(BANK) // (REVIEW_SHARE - 1)


@pytest.mark.parametrize("members", [usual_group, forgetful_group])
def test_no_question_comes_back_within_the_review_gap(members):
    posts = simulate(BANK, members(), 60)
    all_gaps = [g for days_asked in ask_days(posts).values() for g in gaps(days_asked)]

    assert len(all_gaps) >= 30
    assert min(all_gaps) >= REVIEW_GAP.days


def test_at_most_one_review_in_three_posts_while_new_questions_remain():
    posts = simulate(BANK, forgetful_group(), 60)
    covered_by = max(days_asked[0] for days_asked in ask_days(posts).values())
    flags = [pick.review for n, pick in posts if n <= covered_by]
    windows = [sum(flags[i : i + REVIEW_SHARE]) for i in range(len(flags) - REVIEW_SHARE + 1)]

    assert max(windows) == 1
    assert sum(flags) >= 5  # the rule is what held reviews back: they were due all along
    # Once every question has been seen, repeats are all there is.
    assert all(pick.review for n, pick in posts if n > covered_by)


def test_review_flag_and_reason_match_the_history():
    posts = simulate(BANK, usual_group(), 60)
    seen: set[str] = set()
    for _, pick in posts:
        assert pick.review == (pick.key in seen)
        assert (pick.reason == "unseen") == (not pick.review)
        seen.add(pick.key)


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_same_sequence():
    first = simulate(BANK, usual_group(), 60, seed="C123")
    again = simulate(BANK, usual_group(), 60, seed="C123")
    assert first == again


def test_another_seed_gives_another_order_of_new_questions():
    def new_order(seed):
        return [pick.key for _, pick in simulate(BANK, usual_group(), 30, seed=seed) if not pick.review]

    assert sorted(new_order("C123")) == sorted(new_order("C999")) == sorted(BANK)
    assert new_order("C123") != new_order("C999")


def test_the_unseen_order_does_not_depend_on_the_content_order():
    reversed_bank = list(reversed(BANK))
    assert choose_adaptive(BANK, {}, [], day(0), "C1") == choose_adaptive(reversed_bank, {}, [], day(0), "C1")


def test_history_order_does_not_matter():
    history = [Asked("backend#1", day(0)), Asked("backend#2", day(1)), Asked("backend#1", day(9))]
    forgetting = {"backend#1": 0.3, "backend#2": 0.5}
    pick = choose_adaptive(BANK, forgetting, history, day(10), "C1")
    assert pick == choose_adaptive(BANK, forgetting, list(reversed(history)), day(10), "C1")


# --- the rule, step by step --------------------------------------------------------------------


def test_empty_candidates_raise():
    with pytest.raises(ValueError):
        choose_adaptive([], {}, [], day(0), "C1")


def test_first_post_is_an_unseen_question():
    pick = choose_adaptive(BANK, {}, [], day(0), "C1")
    assert pick.key in BANK
    assert pick.review is False
    assert pick.reason == "unseen"


def test_due_question_is_reviewed_before_new_ones():
    history = [Asked("backend#1", day(0)), Asked("backend#2", day(1))]
    pick = choose_adaptive(BANK, {"backend#1": 0.62, "backend#2": 0.05}, history, day(8), "C1")
    assert pick == Pick("backend#1", True, "review: mean forgetting 0.62")


def test_threshold_and_gap_are_inclusive():
    history = [Asked("backend#1", day(0))]
    pick = choose_adaptive(BANK, {"backend#1": FORGETTING_THRESHOLD}, history, START + REVIEW_GAP, "C1")
    assert pick.key == "backend#1"
    assert pick.review is True


def test_a_forgotten_question_waits_out_the_review_gap():
    history = [Asked("backend#1", day(0))]
    pick = choose_adaptive(BANK, {"backend#1": 0.9}, history, START + REVIEW_GAP - timedelta(minutes=1), "C1")
    assert pick.key != "backend#1"
    assert pick.reason == "unseen"


def test_below_threshold_is_not_due():
    history = [Asked("backend#1", day(0))]
    pick = choose_adaptive(BANK, {"backend#1": 0.09}, history, day(30), "C1")
    assert pick.reason == "unseen"


def test_most_forgotten_first_then_least_recently_asked_then_content_order():
    bank = ["a#1", "a#2", "a#3", "a#4", "a#5"]
    history = [Asked("a#3", day(0)), Asked("a#2", day(1)), Asked("a#1", day(2)), Asked("a#4", day(2))]
    now = day(20)
    assert choose_adaptive(bank, {"a#1": 0.3, "a#2": 0.5, "a#3": 0.4}, history, now, "C1").key == "a#2"
    assert choose_adaptive(bank, {"a#1": 0.5, "a#2": 0.5, "a#3": 0.5}, history, now, "C1").key == "a#3"
    assert choose_adaptive(bank, {"a#4": 0.5, "a#1": 0.5}, history, now, "C1").key == "a#1"


def test_no_review_right_after_a_review_while_new_questions_remain():
    history = [
        Asked("backend#1", day(0)),
        Asked("backend#2", day(1)),
        Asked("backend#3", day(2)),
        Asked("backend#1", day(9)),  # a review
    ]
    forgetting = {"backend#2": 0.7}
    assert choose_adaptive(BANK, forgetting, history, day(10), "C1").reason == "unseen"
    history.append(Asked("backend#5", day(10)))
    assert choose_adaptive(BANK, forgetting, history, day(11), "C1").reason == "unseen"
    history.append(Asked("backend#6", day(11)))
    assert choose_adaptive(BANK, forgetting, history, day(12), "C1") == Pick("backend#2", True, "review: mean forgetting 0.70")


def test_a_due_question_is_asked_despite_a_recent_review_when_nothing_is_new():
    bank = [f"a#{n}" for n in range(1, 11)]
    history = [Asked(key, day(n)) for n, key in enumerate(bank)] + [Asked("a#1", day(10))]
    pick = choose_adaptive(bank, {"a#5": 0.2}, history, day(12), "C1")
    assert pick == Pick("a#5", True, "review: mean forgetting 0.20")


def test_when_all_seen_and_nothing_due_the_least_recently_asked_comes_back():
    bank = [f"a#{n}" for n in range(1, 11)]
    history = [Asked(key, day(n)) for n, key in enumerate(reversed(bank))]
    pick = choose_adaptive(bank, {"a#1": 0.05}, history, day(10), "C1")
    assert pick == Pick("a#10", True, "oldest")


def test_a_bank_smaller_than_the_gap_cycles_through_its_questions():
    bank = ["a#1", "a#2", "a#3"]
    posts = simulate(bank, forgetful_group(), 12)
    keys = [pick.key for _, pick in posts]

    assert sorted(keys[:3]) == sorted(bank)
    assert keys[3:] == keys[:3] * 3  # least recently asked first: a steady cycle
    assert all(pick.review for _, pick in posts[3:])


# --- stale history ------------------------------------------------------------------------------


def test_keys_no_longer_in_the_content_are_never_picked():
    history = [Asked("gone#1", day(0)), Asked("backend#1", day(1))]
    pick = choose_adaptive(BANK, {"gone#1": 0.99, "backend#1": 0.2}, history, day(30), "C1")
    assert pick == Pick("backend#1", True, "review: mean forgetting 0.20")


def test_a_review_of_a_removed_question_still_counts_towards_one_in_three():
    history = [
        Asked("gone#1", day(0)),
        Asked("backend#1", day(1)),
        Asked("gone#1", day(9)),  # a review of a question since removed from the content
    ]
    pick = choose_adaptive(BANK, {"backend#1": 0.4}, history, day(10), "C1")
    assert pick.reason == "unseen"
    assert pick.key != "backend#1"
