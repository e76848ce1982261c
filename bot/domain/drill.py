"""What a drill post and its reveal say, as plain data for any chat adapter to render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DrillPost:
    role_slug: str
    role_title: str
    number: int
    total: int
    question: str  # inline Markdown from the role document
    reveal_at: datetime
    timezone: str
    revealed: bool = False


@dataclass(frozen=True)
class DrillReveal:
    post: DrillPost
    answer_points: tuple[str, ...]
    participants: tuple[str, ...]  # Slack user IDs, in the order they first replied


@dataclass(frozen=True)
class Stats:
    answered: int
    answered_here: int
    streak: int
    drills_here: int
