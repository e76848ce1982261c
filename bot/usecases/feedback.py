"""Private answer feedback: which answer points a member's reply covered, told only to them.

A reply's text is analysed in memory when its event arrives, inside the transaction that records
the reply, and only the per-point verdicts are kept, so a verdict is exactly as durable as the
reply record and the text is never stored. After the reveal, each participant gets the verdict once
(claimed like a post), and a button on the reveal shows it again at any time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.answer_feedback import (
    JUDGED_CHARACTERS,
    Analyse,
    AnswerFeedback,
    PointMatcher,
    Verdict,
    analyse_reply,
    best,
    judge,
    matcher_for,
    rarity_weights,
    read_codes,
    verdict_codes,
)
from bot.domain.catalog import RoleCatalog
from bot.domain.drill import DrillStatus
from bot.domain.role import Question, Role
from bot.ports import ChatPort
from bot.store import answers, drills, leases, verdicts
from bot.store.db import to_db
from bot.usecases.delivery import question_of
from bot.usecases.outbox import Outbox, Outcome, Send

log = logging.getLogger(__name__)

MAX_POINTS = 32  # replies.verdicts holds one letter per point


class AnswerCheck:
    """Matches a reply against a question's answer points. The analyser is loaded once per process:
    at start in the web process (before workers fork, so they share it), or on first use."""

    def __init__(self, catalog: RoleCatalog, load_analyser: Callable[[], Analyse]):
        self.catalog = catalog
        self._load = load_analyser
        self._analyse: Analyse | None = None
        self._matchers: dict[tuple[str, str], tuple[PointMatcher, ...]] = {}
        self._rarity: Callable[[str], float] | None = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        self.analyser()

    def analyser(self) -> Analyse:
        if self._analyse is None:
            with self._lock:
                if self._analyse is None:
                    self._analyse = self._load()
        return self._analyse

    def matchers(self, role: Role, question: Question) -> tuple[PointMatcher, ...]:
        key = (role.slug, question.id)
        found = self._matchers.get(key)
        if found is None:
            analyse = self.analyser()
            keywords = question.keywords or (None,) * len(question.points)
            found = tuple(matcher_for(point, keywords[i], analyse, self.rarity()) for i, point in enumerate(question.points))
            self._matchers[key] = found
        return found

    def rarity(self) -> Callable[[str], float]:
        """Word weights for points without keywords, from every point of every loaded document."""
        if self._rarity is None:
            self._rarity = rarity_weights((p for doc in self.catalog.documents for q in doc.questions for p in q.points), self.analyser())
        return self._rarity

    def judge(self, role: Role, question: Question, text: str) -> tuple[Verdict, ...]:
        clauses = analyse_reply(text, self.analyser())
        return tuple(judge(m, clauses) for m in self.matchers(role, question))

    def codes(self, role_slug: str | None, question_id: str | None, number: int | None, text: str, *, team_id: str) -> str | None:
        """The verdict letters for a drill's question (see verdict_codes), or None when there is
        nothing to judge. Never raises: a reply the analyser cannot read gets no verdict, and the
        reply is still counted."""
        role = self.catalog.for_team(team_id=team_id).by_slug(role_slug or "")
        question = question_of(role, question_id, number)
        if role is None or question is None or not question.points or not text.strip():
            return None
        if len(question.points) > MAX_POINTS:
            return None  # one letter per point must fit its column
        try:
            return verdict_codes(self.judge(role, question, text), shortened=len(text) > JUDGED_CHARACTERS)
        except Exception:  # noqa: BLE001 - the reply must be recorded whatever the analysis does
            log.exception("answer analysis failed for a reply to %s Q%s; no verdict kept", role.slug, question.number)
            return None


class FeedbackDelivery:
    """After the reveal: each participant's verdict, sent privately in the thread, once. Each member's
    notice is a plan handed to the outbox, claimed on its own row."""

    def __init__(self, sessions: sessionmaker[Session], catalog: RoleCatalog, outbox: Outbox):
        self.sessions = sessions
        self.catalog = catalog
        self.outbox = outbox

    def send(self, drill_id: int, now: datetime) -> bool:
        started = time.monotonic()
        with self.sessions() as session:
            drill = drills.get_drill(session, drill_id)
            if drill is None or drill.feedback_done_at is not None or drill.status != DrillStatus.REVEALED:
                return False
            if drill.next_attempt_at is not None and drill.next_attempt_at > now:
                return False  # Slack asked us to wait (Retry-After)
            if drill.reveal_ts is None:
                # The reveal was never posted (Slack refused it): the points are not out, so
                # nobody is told anything.
                drills.set_feedback_done(session, drill_id, now)
                session.commit()
                return True
            role = self.catalog.for_team(team_id=drill.team_id).by_slug(drill.role_slug or "")
            question = question_of(role, drill.question_id, drill.question_number)
            channel_id, thread_ts, team_id = drill.channel_id, drill.message_ts, drill.team_id
            enabled = verdicts.drill_feedback_enabled(session, drill)
            targets = verdicts.feedback_targets(session, drill_id) if enabled and role and question else {}
            opted_out = verdicts.members_without_feedback(session, list(targets))
        pending = False
        for user_id, rows in targets.items():
            if user_id in opted_out:
                continue
            feedback = _feedback(role, question, rows)  # type: ignore[arg-type]
            if feedback is None:
                continue
            # Each claim is stamped when it is taken: a drill with many participants must not look
            # expired to the other replicas halfway through.
            stamp = now + timedelta(seconds=time.monotonic() - started)
            notice = self._notice(drill_id, team_id, channel_id, thread_ts or "", user_id, feedback, now)
            result = self.outbox.send(leases.FEEDBACK_NOTICE, (drill_id, user_id), stamp, _planned(notice))
            if result.outcome is Outcome.BUSY:
                with self.sessions() as session:
                    pending = pending or leases.is_open(session, leases.FEEDBACK_NOTICE, (drill_id, user_id))
            elif result.outcome is Outcome.RETRY:
                pending = True
                if result.retry_after:
                    # The whole drill waits, not only this member: the next call would meet the
                    # same limit. Every member not yet told is tried after Retry-After.
                    break
        if not pending:
            with self.sessions.begin() as session:
                drills.set_feedback_done(session, drill_id, now)
        return not pending

    @staticmethod
    def _notice(
        drill_id: int, team_id: str, channel_id: str, thread_ts: str, user_id: str, feedback: AnswerFeedback, now: datetime
    ) -> Send:
        def call(chat: ChatPort) -> None:
            chat.post_feedback(channel_id, thread_ts, user_id, feedback)

        # An ephemeral cannot be looked up afterwards: after a timeout or a 5xx it may have been
        # shown, so only a rate limit is retried. One not delivered (Slack shows ephemerals only to
        # members active in the channel) keeps the reveal's 「自分の回答をチェック」 button, the
        # durable path.
        return Send(
            subject=f"drill {drill_id}",
            step="sending answer feedback",
            team_id=team_id,
            channel_id=channel_id,
            call=call,
            sent=lambda _ts: {"sent_at": to_db(now)},
            give_up=lambda reason: {"error": reason[:100]},
        )


def _feedback(role: Role, question: Question, rows: list[str]) -> AnswerFeedback | None:
    """The member's best verdict per point, from replies judged against the points as they are now
    (letters from before the points were edited would be read against the wrong points)."""
    current = [read_codes(row) for row in rows if len(row) == len(question.points)]
    if not current:
        return None
    return AnswerFeedback(role, question, best(verdicts for verdicts, _ in current), shortened=any(shortened for _, shortened in current))


class NoFeedback(Exception):
    """Why there is no feedback to show: one Japanese sentence for the member."""


class Feedback:
    """The 「自分の回答をチェック」 button and `/career feedback on|off`."""

    def __init__(self, sessions: sessionmaker[Session], catalog: RoleCatalog):
        self.sessions = sessions
        self.catalog = catalog

    def for_member(self, drill_id: int, user_id: str, channel_id: str, *, team_id: str) -> AnswerFeedback:
        with self.sessions() as session:
            drill = drills.get_drill(session, drill_id)
            if drill is None or (channel_id and drill.channel_id != channel_id):
                raise NoFeedback("このドリルは見つかりませんでした。")
            if drill.status not in (DrillStatus.REVEALING, DrillStatus.REVEALED):
                raise NoFeedback("回答ポイントの公開前は、判定をお見せできません。公開後にもう一度押してください。")
            if not verdicts.drill_feedback_enabled(session, drill):
                raise NoFeedback("このチャンネルでは回答のチェックが無効になっています（`feedback=off`）。")
            if verdicts.member_feedback_enabled(session, user_id, team_id=team_id) is False:
                raise NoFeedback("回答のチェックをオフにしています。`/career feedback on` でオンに戻せます。")
            rows = verdicts.feedback_targets(session, drill_id, user_id).get(user_id, [])
            took_part = user_id in answers.participants(session, drill_id)
            role = self.catalog.for_team(team_id=drill.team_id).by_slug(drill.role_slug or "")
            question = question_of(role, drill.question_id, drill.question_number)
        if role is None or question is None or not question.points:
            raise NoFeedback("この質問には判定に使う回答ポイントがありません。")
        feedback = _feedback(role, question, rows)
        if feedback is None and took_part:
            raise NoFeedback(
                "あなたの回答は数えられていますが、判定はありません（回答のチェックがオフだったときの回答や、回答ポイントが書き換えられた質問など）。"
            )
        if feedback is None:
            raise NoFeedback("このドリルには、回答ポイントの公開前に書いたあなたの回答が見つかりませんでした。")
        return feedback

    def set_member(self, user_id: str, enabled: bool, now: datetime, *, team_id: str) -> None:
        with self.sessions.begin() as session:
            verdicts.set_member_feedback(session, user_id, enabled, now, team_id=team_id)


def _planned(notice: Any) -> Any:
    """The plan the outbox asks for once it holds the claim: the notice made beforehand."""
    return lambda _session: notice
