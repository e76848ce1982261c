"""A drill's life and what its messages say, as plain data for any chat adapter to render."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class DrillStatus(str, enum.Enum):
    """pending → posting → posted → revealing → revealed, or missed. The -ing states are claims: a
    process holds the drill while it talks to the chat service, until its lease runs out."""

    PENDING = "pending"
    POSTING = "posting"
    POSTED = "posted"
    REVEALING = "revealing"
    REVEALED = "revealed"
    MISSED = "missed"

    def __str__(self) -> str:
        return self.value


# Drills whose question is in the channel: the ones members can answer and that count in stats.
SHOWN = (DrillStatus.POSTED, DrillStatus.REVEALING, DrillStatus.REVEALED)
OPEN = (DrillStatus.POSTED, DrillStatus.REVEALING)

# A drill an admin asked for with `drill now` is keyed "now:<instant>"; a scheduled one by its day.
EXTRA_PREFIX = "now:"


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
    team: bool = False  # one of the workspace's own questions (チームの質問)


@dataclass(frozen=True)
class DrillReveal:
    post: DrillPost
    answer_points: tuple[str, ...]
    participants: tuple[str, ...]  # Slack user IDs, in the order they first replied on time
    follow_up: str = ""  # a prompt for the thread's discussion
    drill_id: int | None = None  # what the grading buttons refer to
    feedback: bool = False  # the channel has answer feedback on, and the question has points
    model_answer: bool = False  # the question has a model answer: the reveal offers 📖 模範解答


def is_member_reply(user_id: str | None, subtype: str | None, from_bot: bool, bot_user_id: str | None = None) -> bool:
    """Whether a thread message is a member's answer: people's messages, including `/me` and files,
    but never a bot's (ours included), an edit, a join or a topic change."""
    if subtype not in (None, "thread_broadcast", "file_share", "me_message"):
        return False
    return bool(user_id) and not from_bot and user_id != bot_user_id
