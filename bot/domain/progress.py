"""A member's drill record: how many drills they answered and their streak. Pure maths over what
the store says; only on-time replies count, exactly as the reveal names its participants."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.drill import DrillStatus


@dataclass(frozen=True)
class ShownDrill:
    """A drill whose question reached the channel, newest first in a history."""

    id: int
    status: DrillStatus
    extra: bool  # posted with `drill now`, outside the daily schedule


@dataclass(frozen=True)
class Stats:
    answered: int  # drills answered on time, in every channel
    answered_here: int  # … in this channel
    drills_here: int  # drills shown in this channel
    streak: int  # consecutive scheduled drills in this channel answered on time


def streak(history: Sequence[ShownDrill], answered: set[int]) -> int:
    """Consecutive scheduled drills answered on time in one channel, counting back from the newest.

    The streak is per channel: each study group keeps its own rhythm. Today's drill that is still
    open does not break it (there is time to answer), and an extra `drill now` question neither
    breaks it when skipped nor lengthens it when answered: the streak is about the daily drill."""
    count = 0
    for index, drill in enumerate(d for d in history if not d.extra):
        if drill.id in answered:
            count += 1
        elif index == 0 and drill.status != DrillStatus.REVEALED:
            continue
        else:
            break
    return count


def member_stats(history_here: Sequence[ShownDrill], answered_everywhere: dict[int, str], channel_id: str) -> Stats:
    """`answered_everywhere` maps each drill the member answered on time to its channel."""
    here = {drill_id for drill_id, channel in answered_everywhere.items() if channel == channel_id}
    return Stats(
        answered=len(answered_everywhere),
        answered_here=len(here),
        drills_here=len(history_here),
        streak=streak(history_here, here),
    )


def channel_streaks(history: Sequence[ShownDrill], answered: dict[str, set[int]]) -> dict[str, int]:
    """Every member's current streak in one channel: `answered` maps each member to the drills of
    this channel they answered on time. Members whose streak is 0 are left out."""
    streaks = {user_id: streak(history, drills) for user_id, drills in answered.items()}
    return {user_id: count for user_id, count in streaks.items() if count > 0}
