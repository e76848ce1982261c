"""Test doubles that are real adapters: a chat port that records what it would have posted, and a
clock the test moves by hand."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from bot.domain.drill import DrillPost, DrillReveal
from bot.drills import ChatError


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


class RecordingChat:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.failures: list[ChatError] = []  # raised, in order, by the next calls
        self._lock = threading.Lock()
        self._n = 0

    def _maybe_fail(self) -> None:
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)

    def post_question(self, channel_id: str, post: DrillPost) -> str:
        self._maybe_fail()
        with self._lock:
            self._n += 1
            ts = f"1800000000.{self._n:06d}"
            self.sent.append(Sent("question", channel_id, ts=ts, post=post))
        return ts

    def post_reveal(self, channel_id: str, thread_ts: str, reveal: DrillReveal) -> None:
        self._maybe_fail()
        with self._lock:
            self.sent.append(Sent("reveal", channel_id, thread_ts=thread_ts, reveal=reveal))

    def mark_revealed(self, channel_id: str, ts: str, post: DrillPost) -> None:
        with self._lock:
            self.sent.append(Sent("update", channel_id, ts=ts, post=post))

    def notify(self, user_id: str, text: str) -> None:
        with self._lock:
            self.sent.append(Sent("dm", user_id, text=text))

    def of(self, kind: str, channel: str | None = None) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.kind == kind and (channel is None or s.channel == channel)]
