"""The outbox: every message the bot sends under a claim is sent here, one way.

    claim the row with a lease (bot.store.leases)
    → plan what to send, inside the claim's transaction: a `Send`, or a `Skip` when nothing is to be sent
    → when an earlier attempt's outcome is unknown, look for its message by its metadata key; adopt it if found
    → call the chat service
    → finish the claim with the outcome; or release it for a later tick, keeping the chat service's
      Retry-After so that no process calls before it; or give up, recording why.

A drill's post, its reveal and the edit that marks its question revealed, a reminder, a weekly digest
and a member's private answer feedback are each a plan handed to `Outbox.send`: only what is called and
what is recorded differ.
"""

from __future__ import annotations

import enum
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.ports import ChatError, ChatPort, ChatPorts
from bot.store import leases
from bot.store.leases import Claim, Lease

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    BUSY = "busy"  # not claimed: another process holds it, it is done, or it must wait
    SENT = "sent"
    ADOPTED = "adopted"  # an earlier attempt's message was found, and not sent again
    RETRY = "retry"  # released for a later tick
    GAVE_UP = "gave up"  # recorded as never to be sent: nothing to send, too late, or refused


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    error: ChatError | None = None  # what the chat service answered, when it failed

    @property
    def delivered(self) -> bool:
        return self.outcome in (Outcome.SENT, Outcome.ADOPTED)

    @property
    def retry_after(self) -> float | None:
        """The chat service's Retry-After, when the call was released to wait for it."""
        return self.error.retry_after if self.outcome is Outcome.RETRY and self.error is not None else None


@dataclass(frozen=True)
class Send:
    """One call to the chat service made under a claim, and what to record after it."""

    subject: str  # names it in the log ("drill 12", a metadata key); never a member's text
    step: str  # what the call does, for the log: "posting", "revealing", …
    team_id: str  # whose workspace: its token makes the call
    channel_id: str
    call: Callable[[ChatPort], str | None]  # returns the message's ts, when it has one
    sent: Callable[[str | None], Mapping[str, Any]]  # recorded once it is sent (or an earlier copy adopted): ts → values
    give_up: Callable[[str], Mapping[str, Any]]  # recorded when it never will be: reason → values
    # The message's metadata key. With `look_first` (an earlier attempt's outcome is unknown) the
    # channel, or the thread, is searched for it since `since` before anything is sent.
    key: str | None = None
    look_first: bool = False
    since: datetime | None = None
    thread_ts: str | None = None
    deadline: datetime | None = None  # past this nothing new is sent: given up …
    late: str = "not sent before its deadline"  # … with this reason
    # Whether calling twice shows the same (an edit). A call whose outcome is unknown (a timeout, a
    # 5xx) is tried again only when it is repeatable or can be looked for by its key; otherwise only
    # a rate limit, which says for sure that nothing was delivered, is retried.
    repeatable: bool = False
    adopted: Mapping[str, Any] = field(default_factory=dict)  # recorded besides `sent` when an earlier copy is adopted
    refused: Callable[[ChatError], Mapping[str, Any]] | None = None  # a refusal retrying cannot fix (default: give_up)
    after: Callable[[Result], None] | None = None  # once the outcome is recorded


@dataclass(frozen=True)
class Skip:
    """Nothing to send: the claim is finished with `values`, and `reason` logged at `level`."""

    reason: str
    values: Mapping[str, Any]
    subject: str = ""
    level: int = logging.INFO


Plan = Callable[[Session], "Send | Skip"]


class Outbox:
    def __init__(
        self, sessions: sessionmaker[Session], chats: ChatPorts, lease: timedelta, *, clock: Callable[[], datetime], host: str = "bot"
    ):
        self.sessions = sessions
        self.chats = chats  # each workspace's chat port, by team id
        self.lease = lease
        # The bot's clock, read when the chat service answers: a Retry-After counts from then.
        self.clock = clock
        self._host = host

    @property
    def owner(self) -> str:
        # Per process: gunicorn forks workers from one preloaded object.
        return f"{self._host}:{os.getpid()}"

    def send(self, lease: Lease, key: Any, now: datetime, plan: Plan) -> Result:
        """Claim the row, plan inside the claim's transaction, send, and record the outcome."""
        with self.sessions.begin() as session:
            claim = leases.claim(session, lease, key, self.owner, now, now - self.lease)
            if claim is None:
                return Result(Outcome.BUSY)
            planned = plan(session)
        if isinstance(planned, Skip):
            log.log(planned.level, "%s: nothing sent (%s)", planned.subject or f"{lease.name} {claim.key}", planned.reason)
            self._finish(claim, planned.values)
            return Result(Outcome.GAVE_UP)
        result = self._send(claim, planned, now)
        if planned.after is not None:
            planned.after(result)
        return result

    def _send(self, claim: Claim, send: Send, now: datetime) -> Result:
        try:
            chat = self.chats(send.team_id)
            ts = (
                chat.find_posted(send.channel_id, send.key, since=send.since or now, thread_ts=send.thread_ts)
                if send.look_first and send.key
                else None
            )
            if ts is not None:
                log.info("%s: found its earlier message %s in %s; not %s again", send.subject, ts, send.channel_id, send.step)
                self._finish(claim, {**send.sent(ts), **send.adopted})
                return Result(Outcome.ADOPTED)
            if send.deadline is not None and now >= send.deadline:
                log.error("%s: given up: %s", send.subject, send.late)
                self._finish(claim, send.give_up(send.late))
                return Result(Outcome.GAVE_UP)
            ts = send.call(chat)
        except ChatError as err:
            # A Retry-After counts from when the answer came, read on the bot's own clock: not from
            # `now` (when the tick or the claim began), nor from `now` plus the wall seconds since,
            # which fall behind a clock that is not the wall clock (a sped-up one in the tests).
            return self._failed(claim, send, err, max(now, self.clock()))
        self._finish(claim, send.sent(ts))
        return Result(Outcome.SENT)

    def _failed(self, claim: Claim, send: Send, err: ChatError, now: datetime) -> Result:
        if not (err.retryable and (send.repeatable or send.key is not None or not_delivered(err))):
            log.warning("%s: %s in %s failed (%s); not retried", send.subject, send.step, send.channel_id, err.code)
            self._finish(claim, send.refused(err) if send.refused else send.give_up(err.code))
            return Result(Outcome.GAVE_UP, err)
        # Released for a later tick. A Retry-After is kept so that no process (this one included)
        # calls before the chat service allows it.
        later = now + timedelta(seconds=err.retry_after) if err.retry_after else None
        log.warning(
            "%s: %s in %s failed (%s); it will be retried%s",
            send.subject,
            send.step,
            send.channel_id,
            err.code,
            f" after {err.retry_after:g}s" if err.retry_after else " on a later tick",
        )
        with self.sessions.begin() as session:
            if not leases.release(session, claim, not_before=later, error=err.code):
                log.error("%s: released after %s, but its claim had been taken over", send.subject, err.code)
        return Result(Outcome.RETRY, err)

    def _finish(self, claim: Claim, values: Mapping[str, Any]) -> None:
        with self.sessions.begin() as session:
            if not leases.finish(session, claim, **values):
                log.error("%s %s: done, but its claim had been taken over", claim.lease.name, claim.key)


def not_delivered(err: ChatError) -> bool:
    """Only a rate limit says for sure that the chat service did not deliver. After a timeout or a
    5xx the message may have been shown."""
    return err.code in ("ratelimited", "http_429") or err.retry_after is not None
