"""Members' replies in a drill's thread (who and when, never the text) and their drill record.

Slack retries an event up to three times and Bolt does not deduplicate, so every write here is
idempotent: a reply is keyed by (drill, message ts), and a delete leaves a tombstone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.drill import DrillStatus
from bot.domain.progress import Stats, member_stats
from bot.store import repo
from bot.store.db import utc


# Slack waits 3 s for the 200 that acknowledges an event; the write before it must end well inside.
EVENT_WRITE_SECONDS = 1.5


class Replies:
    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions

    def record(self, channel_id: str, thread_ts: str, message_ts: str, user_id: str, at: datetime) -> bool:
        """Count a thread reply once, however often Slack delivers it. True if it was new. A reply
        after the reveal is kept as late: it is not a participation and earns no credit. One that
        arrives while the reveal is being posted is late too: the reveal has already named who
        took part, and stats must say the same."""
        with self.sessions.begin() as session:
            repo.limit_wait(session, EVENT_WRITE_SECONDS)
            drill = repo.drill_by_thread(session, channel_id, thread_ts)
            if drill is None:
                return False
            late = drill.status in (DrillStatus.REVEALING, DrillStatus.REVEALED) or at >= utc(drill.reveal_at)  # type: ignore[operator]
            return repo.add_reply(session, drill.id, message_ts, user_id, at, late)

    def remove(self, channel_id: str, thread_ts: str, message_ts: str) -> bool:
        with self.sessions.begin() as session:
            repo.limit_wait(session, EVENT_WRITE_SECONDS)
            drill = repo.drill_by_thread(session, channel_id, thread_ts)
            if drill is None:
                return False
            repo.delete_reply(session, drill.id, message_ts)
            return True

    def stats(self, user_id: str, channel_id: str) -> Stats:
        with self.sessions() as session:
            answered = repo.answered_on_time(session, user_id)
            history = repo.shown_history(session, channel_id)
        return member_stats(history, answered, channel_id)
