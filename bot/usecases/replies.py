"""Members' replies in a drill's thread (who and when, never the text) and their drill record.

Slack retries an event up to three times and Bolt does not deduplicate, so every write here is
idempotent: a reply is keyed by (drill, message ts), and a delete leaves a tombstone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.drill import DrillStatus
from bot.domain.progress import Stats, member_stats
from bot.store import answers, drills, verdicts
from bot.store.db import limit_wait
from bot.store.drills import Drill
from bot.usecases.feedback import AnswerCheck

# Slack waits 3 s for the 200 that acknowledges an event; the write before it must end well inside.
EVENT_WRITE_SECONDS = 1.5


class Replies:
    def __init__(self, sessions: sessionmaker[Session], check: AnswerCheck | None = None):
        self.sessions = sessions
        self.check = check  # answer feedback: which points a reply covered (None: not judged)

    def record(self, channel_id: str, thread_ts: str, message_ts: str, user_id: str, at: datetime, text: str | None = None) -> bool:
        """Count a thread reply once, however often Slack delivers it. True if it was new. A reply
        after the reveal is kept as late: it is not a participation and earns no credit. One that
        arrives while the reveal is being posted is late too: the reveal has already named who
        took part, and stats must say the same.

        With the reply's `text`, the points it covers are judged here, in memory and in the same
        transaction, so the verdict is as durable as the reply record; the text goes no further.
        A reply already recorded is not judged again: Slack retries an event whose 200 came late."""
        with self.sessions.begin() as session:
            limit_wait(session, EVENT_WRITE_SECONDS)
            drill = drills.drill_by_thread(session, channel_id, thread_ts, for_share=True)
            if drill is None:
                return False
            late = self._late(drill, at)
            # A message recorded already is not judged (add_reply then changes nothing either).
            judged = self._judge(session, drill, user_id, text, new_ts=message_ts) if text and not late else None
            return answers.add_reply(session, drill.id, message_ts, user_id, at, late, judged)

    def revise(self, channel_id: str, thread_ts: str, message_ts: str, user_id: str, text: str, at: datetime, edited_at: datetime) -> bool:
        """An edited reply. Before the reveal it is judged again (or recorded, if the edit arrived
        first); after the reveal an edit changes nothing: the points are out."""
        with self.sessions.begin() as session:
            limit_wait(session, EVENT_WRITE_SECONDS)
            drill = drills.drill_by_thread(session, channel_id, thread_ts, for_share=True)
            if drill is None or self._late(drill, edited_at):
                return False
            judged = self._judge(session, drill, user_id, text)
            if verdicts.set_reply_verdicts(session, drill.id, message_ts, judged):
                return True
            return answers.add_reply(session, drill.id, message_ts, user_id, at, self._late(drill, at), judged)

    @staticmethod
    def _late(drill: Drill, at: datetime) -> bool:
        return drill.status in (DrillStatus.REVEALING, DrillStatus.REVEALED) or at >= drill.reveal_at

    def _judge(self, session: Session, drill: Drill, user_id: str, text: str, new_ts: str | None = None) -> str | None:
        """The verdict letters, unless feedback is off for the channel or the member, or (with
        `new_ts`) that message is recorded already: then the text is not even analysed."""
        if self.check is None:
            return None
        allowed = verdicts.reply_to_judge(session, drill, user_id, new_ts) if new_ts else verdicts.feedback_allowed(session, drill, user_id)
        if not allowed:
            return None
        return self.check.codes(drill.role_slug, drill.question_id, drill.question_number, text, team_id=drill.team_id)

    def remove(self, channel_id: str, thread_ts: str, message_ts: str) -> bool:
        with self.sessions.begin() as session:
            limit_wait(session, EVENT_WRITE_SECONDS)
            drill = drills.drill_by_thread(session, channel_id, thread_ts)
            if drill is None:
                return False
            answers.delete_reply(session, drill.id, message_ts)
            return True

    def stats(self, user_id: str, channel_id: str, *, team_id: str) -> Stats:
        with self.sessions() as session:
            answered = answers.answered_on_time(session, user_id, team_id=team_id)
            history = answers.shown_history(session, channel_id, team_id=team_id)
        return member_stats(history, answered, channel_id)
