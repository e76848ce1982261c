"""Adaptive choice of a study group's next daily question.

The rule mixes new questions with reviews of the ones the group is forgetting:

- no question comes back within REVIEW_GAP of its last ask in the channel;
- a seen question is due for the group when its members' mean forgetting (1 - retrievability, as
  FSRS computes it at `now`) reaches FORGETTING_THRESHOLD, i.e. they dropped below the desired
  retention of 0.9;
- while there are unseen questions, at most one post in REVIEW_SHARE is a review, so the whole
  bank is still covered;
- unseen questions come in an order fixed by a seed, and once every question has been seen the
  most forgotten (or else the least recently asked) one is asked again.

Pure: the caller passes the clock (`now`), the members' forgetting and the channel's history.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

REVIEW_GAP = timedelta(days=7)  # no question comes back within 7 days
REVIEW_SHARE = 3  # at most about one review in three posts
FORGETTING_THRESHOLD = 0.1  # due when mean(1 - R) >= this (FSRS desired retention 0.9)


@dataclass(frozen=True)
class Asked:
    key: str  # the question's key, "role_slug#question_id"
    at: datetime  # when the channel was given it (tz-aware UTC)


@dataclass(frozen=True)
class Pick:
    key: str
    review: bool  # True when the question had been asked in this channel before
    reason: str  # short English reason for logs


def choose_adaptive(
    candidates: Sequence[str],
    forgetting: Mapping[str, float],
    history: Sequence[Asked],
    now: datetime,
    seed: str,
) -> Pick:
    """Pick the channel's next question among `candidates` (see the module docstring for the rule).

    `forgetting[key]` is the mean of (1 - retrievability at `now`) over the channel's active members
    who rated that question; a key absent from it has no ratings. `history` holds the channel's
    earlier posts in any order; keys no longer in `candidates` are never picked but still count
    towards the one-review-in-REVIEW_SHARE rule. Same inputs, same Pick.
    """
    content = list(dict.fromkeys(candidates))  # content order, duplicates dropped
    if not content:
        raise ValueError("no candidate questions to choose from")
    position = {key: i for i, key in enumerate(content)}
    seeded = sorted(content)
    random.Random(seed).shuffle(seeded)
    seeded_rank = {key: i for i, key in enumerate(seeded)}

    posts = sorted(history, key=lambda a: (a.at, a.key))
    last_asked: dict[str, datetime] = {}
    was_review: list[bool] = []
    for post in posts:
        was_review.append(post.key in last_asked)
        last_asked[post.key] = post.at  # sorted by time, so the last one wins

    seen = [key for key in content if key in last_asked]
    unseen = [key for key in content if key not in last_asked]
    # A stamp after `now` (clock skew) counts as within the gap too.
    eligible = [key for key in content if key not in last_asked or now - last_asked[key] >= REVIEW_GAP]
    eligible_set = set(eligible)

    review_allowed = not any(was_review[-(REVIEW_SHARE - 1) :]) if REVIEW_SHARE > 1 else True

    due = [key for key in seen if key in eligible_set and forgetting.get(key, 0.0) >= FORGETTING_THRESHOLD]
    due.sort(key=lambda key: (-forgetting[key], last_asked[key], position[key]))

    def review_of(key: str) -> Pick:
        return Pick(key, True, f"review: mean forgetting {forgetting[key]:.2f}")

    if review_allowed and due:
        return review_of(due[0])
    if unseen:
        # Unseen questions were never asked, so they are all eligible.
        return Pick(min(unseen, key=seeded_rank.__getitem__), False, "unseen")
    # Every candidate has been asked before: repeating one is the only choice.
    if due:
        return review_of(due[0])
    oldest_first = lambda key: (last_asked[key], seeded_rank[key])  # noqa: E731
    if eligible:
        return Pick(min(eligible, key=oldest_first), True, "oldest")
    # A bank smaller than the gap, asked daily: nothing has rested REVIEW_GAP yet.
    return Pick(min(content, key=oldest_first), True, "oldest (all asked within the review gap)")
