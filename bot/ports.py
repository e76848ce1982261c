"""What the core needs from the outside world, in one place: the message it answers with, the chat
port the drill talks through, and the errors those raise. Adapters (Slack, the console, the tests'
recording chat) implement these; nothing here imports Slack, SQLAlchemy or APScheduler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.domain.announcements import Reminder, WeeklyDigest
from bot.domain.answer_feedback import AnswerFeedback
from bot.domain.drill import DrillPost, DrillReveal
from bot.domain.mock_interview import MockMessage

Block = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """An answer: fallback text, Block Kit blocks, and who sees it."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    ephemeral: bool = True
    replace_original: bool = False
    # A normal message that takes the pressed one's place for everyone who reads it (a mock
    # interview's model answer, once graded): not a new message, not an ephemeral.
    edits_original: bool = False

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


# Errors that retrying will not fix: the drill is recorded as missed and the admin told why.
PERMANENT_ERRORS = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "invalid_auth", "account_inactive", "restricted_action"}
)


# The channel itself is gone for good (archived or deleted): its schedule is paused, since an
# admin cannot fix it by inviting the bot or granting a scope.
CHANNEL_GONE = frozenset({"channel_not_found", "is_archived"})


class ChatError(Exception):
    """A chat call failed. `retryable` says whether a later attempt may succeed; `retry_after` is
    the server's own word on when (a 429's Retry-After), in seconds; `needed` the scope the
    server said was missing (a `missing_scope`)."""

    def __init__(self, code: str, retryable: bool = True, retry_after: float | None = None, needed: str | None = None):
        super().__init__(code)
        self.code = code
        self.retryable = retryable and code not in PERMANENT_ERRORS
        self.retry_after = retry_after
        self.needed = needed


class NotInstalled(ChatError):
    """The workspace has no installation (it was uninstalled or its tokens revoked): nothing can be
    said there until it is installed again."""

    def __init__(self, team_id: str):
        super().__init__("not_installed", retryable=False)
        self.team_id = team_id


class AdminCheckFailed(Exception):
    """Whether the user is an admin could not be checked: the chat service did not answer
    (`retryable`), or refused to say (`code`, e.g. a missing scope named by `needed`)."""

    def __init__(self, user_id: str, code: str = "", retryable: bool = True, needed: str | None = None):
        super().__init__(user_id)
        self.code = code
        self.retryable = retryable
        self.needed = needed


@dataclass(frozen=True)
class ThreadMessage:
    """A message seen in a drill's thread: who and when, never what they wrote."""

    ts: str
    user_id: str | None
    subtype: str | None = None
    bot: bool = False


class ChatPort(Protocol):
    """What the drill needs from a chat service.

    Every drill message carries its `key` so that, after an attempt whose outcome is unknown (a
    timeout, a 5xx, a crash between posting and recording), the drill can look for what it already
    posted instead of posting again."""

    def post_question(self, channel_id: str, post: DrillPost, key: str) -> str: ...

    def post_reveal(self, channel_id: str, thread_ts: str, reveal: DrillReveal, key: str) -> str: ...

    def find_posted(self, channel_id: str, key: str, since: datetime, thread_ts: str | None = None) -> str | None: ...

    def thread_messages(self, channel_id: str, thread_ts: str) -> list[ThreadMessage]: ...

    def mark_revealed(self, channel_id: str, ts: str, post: DrillPost) -> None: ...

    def notify(self, user_id: str, text: str) -> None: ...

    def post_feedback(self, channel_id: str, thread_ts: str, user_id: str, feedback: AnswerFeedback) -> None:
        """Show one member, and only them, which answer points their reply covered."""

    def upload_file(self, user_id: str, filename: str, content: bytes, title: str, comment: str) -> None:
        """Send a file to one member privately, in their DM with the bot. Raises ChatError."""

    def post_reminder(self, channel_id: str, thread_ts: str, reminder: Reminder, key: str) -> str:
        """Reply in a drill's thread that the reveal is near; tagged with `key` like every drill message."""

    def post_digest(self, channel_id: str, digest: WeeklyDigest, key: str) -> str:
        """Post the channel's weekly digest; tagged with `key`."""

    def open_dm(self, user_id: str) -> str:
        """The member's DM with the bot (conversations.open): its channel id. Raises ChatError."""

    def post_mock(self, channel_id: str, thread_ts: str | None, message: MockMessage, key: str) -> str:
        """A mock interview's step in the member's DM (or AI-app thread), a normal message that
        stays after a reload; tagged with `key` like every message sent under a claim."""

    def say(self, channel_id: str, message: Message, thread_ts: str | None = None) -> str:
        """A normal message answering what a member wrote in their DM with the bot."""


# The chat port of one workspace, by team id: each workspace's calls use its own bot token.
ChatPorts = Callable[[str], ChatPort]
