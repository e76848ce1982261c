"""Signed requests already served, so that a captured slash command or button press sent again is
not carried out again.

Slack signs each request once, and a signature is good for 5 minutes either side of its
timestamp: a second request with a signature already served is a replay. The record is kept for
10 minutes, longer than any signature stays good, and then dropped. Events are not recorded here:
Slack signs each delivery of an event anew, and a delivery already recorded is recognised by its
event id."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.store import seen_requests

log = logging.getLogger(__name__)

KEEP = timedelta(minutes=10)
PRUNE_EVERY = timedelta(minutes=1)  # one DELETE a minute per process, not one per request


class Replays:
    def __init__(self, sessions: sessionmaker[Session], keep: timedelta = KEEP):
        self.sessions = sessions
        self.keep = keep
        self._pruned_at: datetime | None = None
        self._lock = threading.Lock()

    def first_delivery(self, signature: str, request_ts: int, now: datetime) -> bool:
        """True the first time a signature is seen (the request is served), False on a replay.

        When the database cannot record it, the request is served: a replay in that moment can
        change nothing a database write would be needed for, and lookups keep working."""
        try:
            with self.sessions.begin() as session:
                first = seen_requests.remember_request(session, signature, request_ts, now)
                if self._prune_due(now):
                    seen_requests.forget_requests(session, before=now - self.keep)
        except SQLAlchemyError as exc:
            log.warning("could not record a signed request as served (%s); serving it", type(exc).__name__)
            return True
        return first

    def _prune_due(self, now: datetime) -> bool:
        with self._lock:
            if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
                return False
            self._pruned_at = now
            return True
