"""Test doubles that are real adapters: a chat port that records what it would have posted, and a
clock the test moves by hand."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from bot.domain.drill import DrillPost, DrillReveal
from bot.ports import ChatError, ThreadMessage


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Sent:
    kind: str  # question | reveal | update | dm
    channel: str
    ts: str | None = None
    thread_ts: str | None = None
    post: DrillPost | None = None
    reveal: DrillReveal | None = None
    text: str = ""
    key: str = ""
    feedback: object = None  # AnswerFeedback, for kind "feedback" (text holds the member)
    file: bytes = b""  # for kind "file": the uploaded bytes
    reminder: object = None  # Reminder, for kind "reminder"
    digest: object = None  # WeeklyDigest, for kind "digest"
    mock: object = None  # MockMessage, for kind "mock"; a Message, for kind "say"


class RecordingChat:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.failures: list[ChatError] = []  # raised, in order, by the next calls
        self._lock = threading.Lock()
        self._n = 0
        self.lookups = 0
        self.lost_responses = 0
        self.thread: dict[tuple[str, str], list[ThreadMessage]] = {}
        self.update_failures: list[ChatError] = []  # raised by the next chat.update calls

    def _maybe_fail(self) -> None:
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)

    def _maybe_lose_response(self) -> None:
        """The message was posted, but the answer never arrived (a timeout, a crash)."""
        with self._lock:
            if self.lost_responses:
                self.lost_responses -= 1
                raise ChatError("connection_error: TimeoutError")

    def _ts(self) -> str:
        self._n += 1
        return f"1800000000.{self._n:06d}"

    def post_question(self, channel_id: str, post: DrillPost, key: str) -> str:
        self._maybe_fail()
        with self._lock:
            ts = self._ts()
            self.sent.append(Sent("question", channel_id, ts=ts, post=post, key=key))
        self._maybe_lose_response()
        return ts

    def post_reveal(self, channel_id: str, thread_ts: str, reveal: DrillReveal, key: str) -> str:
        self._maybe_fail()
        with self._lock:
            ts = self._ts()
            self.sent.append(Sent("reveal", channel_id, ts=ts, thread_ts=thread_ts, reveal=reveal, key=key))
        self._maybe_lose_response()
        return ts

    def find_posted(self, channel_id: str, key: str, since: datetime, thread_ts: str | None = None) -> str | None:
        with self._lock:
            self.lookups += 1
            return next((s.ts for s in self.sent if s.channel == channel_id and s.key == key), None)

    def thread_messages(self, channel_id: str, thread_ts: str) -> list[ThreadMessage]:
        """What members wrote in the thread while the bot was not listening (see `thread`)."""
        with self._lock:
            return list(self.thread.get((channel_id, thread_ts), []))

    def mark_revealed(self, channel_id: str, ts: str, post: DrillPost) -> None:
        with self._lock:
            if self.update_failures:
                raise self.update_failures.pop(0)
            self.sent.append(Sent("update", channel_id, ts=ts, post=post))

    def notify(self, user_id: str, text: str) -> None:
        with self._lock:
            self.sent.append(Sent("dm", user_id, text=text))

    def post_feedback(self, channel_id: str, thread_ts: str, user_id: str, feedback) -> None:
        self._maybe_fail()
        with self._lock:
            self.sent.append(Sent("feedback", channel_id, thread_ts=thread_ts, text=user_id, feedback=feedback))

    def post_reminder(self, channel_id: str, thread_ts: str, reminder, key: str) -> str:
        self._maybe_fail()
        with self._lock:
            ts = self._ts()
            self.sent.append(Sent("reminder", channel_id, ts=ts, thread_ts=thread_ts, key=key, reminder=reminder))
        self._maybe_lose_response()
        return ts

    def post_digest(self, channel_id: str, digest, key: str) -> str:
        self._maybe_fail()
        with self._lock:
            ts = self._ts()
            self.sent.append(Sent("digest", channel_id, ts=ts, key=key, digest=digest))
        self._maybe_lose_response()
        return ts

    def upload_file(self, user_id: str, filename: str, content: bytes, title: str, comment: str) -> None:
        """Kind "file", to the member: `key` holds the file name and `file` its bytes."""
        self._maybe_fail()
        with self._lock:
            self.sent.append(Sent("file", user_id, text=comment, key=filename, file=content))

    def open_dm(self, user_id: str) -> str:
        self._maybe_fail()
        return "D" + user_id[1:]

    def post_mock(self, channel_id: str, thread_ts: str | None, message, key: str) -> str:
        self._maybe_fail()
        with self._lock:
            ts = self._ts()
            self.sent.append(Sent("mock", channel_id, ts=ts, thread_ts=thread_ts, key=key, mock=message))
        self._maybe_lose_response()
        return ts

    def say(self, channel_id: str, message, thread_ts: str | None = None) -> str:
        with self._lock:
            ts = self._ts()
            self.sent.append(Sent("say", channel_id, ts=ts, thread_ts=thread_ts, text=message.text, mock=message))
        return ts

    def of(self, kind: str, channel: str | None = None) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.kind == kind and (channel is None or s.channel == channel)]
