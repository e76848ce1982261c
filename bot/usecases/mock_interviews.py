"""One-to-one mock interviews (模擬面接): sessions started, moved by the member's messages, grades
and time, and their messages sent through the outbox, keyed by (session, step).

Every move is a compare-and-set on the session's row (bot.store.mock_sessions), written together
with the messages it owes (`mock_sends`), in one transaction whose first statement is the write:
a retried event, a second replica or a restart never moves a session twice, nor sends a step twice.
A member's answer is judged in memory when its message arrives; only the verdict letters are kept,
never the text, and the text is never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import mock_interview as mock
from bot.domain.answer_feedback import JUDGED_CHARACTERS, Verdict
from bot.domain.catalog import RoleCatalog
from bot.domain.command_text import SessionInput, parse_session_text
from bot.domain.memory import Grade, Memory, end_of_local_day
from bot.domain.mock_interview import MockMessage, MockSession, Phase, Refused, SendKind
from bot.domain.role import Level, Question, Role
from bot.ports import ChatError, ChatPort, ChatPorts, Message
from bot.store import cards, leases
from bot.store import mock_sessions as store
from bot.store.db import limit_wait, to_db
from bot.store.mock_sessions import StoredSession
from bot.usecases.feedback import AnswerCheck
from bot.usecases.learning import Learning
from bot.usecases.outbox import Outbox, Outcome, Send, Skip
from bot.usecases.replies import EVENT_WRITE_SECONDS

log = logging.getLogger(__name__)

# A step not sent within this long (the bot was down) is given up: the session has ended by then.
SEND_DEADLINE = timedelta(hours=6)
# Looks for steps added while this flush sent (a member answers as a step is posted): a few suffice.
_FLUSH_ROUNDS = 4
_MOVE_TRIES = 3  # compare-and-set attempts before a move is left to the member's next message


class CannotStart(Exception):
    """Why a session cannot start (or continue): one Japanese sentence for the member."""


@dataclass(frozen=True)
class Started:
    session_id: int
    role: Role
    count: int
    channel_id: str


@dataclass(frozen=True)
class Running:
    """The member has a session running already: they are asked whether to abandon it."""

    session_id: int
    role: Role
    number: int  # the current question, 1-based
    total: int


@dataclass(frozen=True)
class GradeTaken:
    session_id: int
    index: int
    role: Role
    question: Question
    grade: Grade
    memory: Memory | None  # the member's card after the grade
    zone: str


class Taken:
    """What a DM message did: `NO_SESSION` (no session runs there: the DM's own commands apply),
    `SEEN` (a delivery already taken), or `MOVED`."""

    NO_SESSION = "no session"
    SEEN = "seen"
    MOVED = "moved"


class MockInterviews:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalog: RoleCatalog,
        check: AnswerCheck,
        learning: Learning,
        outbox: Outbox,
        chats: ChatPorts,
        wake: Callable[[datetime], None] = lambda at: None,
        quiet: timedelta = mock.ANSWER_QUIET,
    ):
        self.sessions = sessions
        self.quiet = quiet  # how long an answer's last message waits for more before its feedback
        self.catalog = catalog
        self.check = check
        self.learning = learning
        self.outbox = outbox
        self.chats = chats
        self.wake = wake  # asks for a tick at that instant (the feedback after a quiet spell)

    # ------------------------------------------------------------------ starting and stopping

    def start(
        self,
        user_id: str,
        role: Role,
        count: int,
        levels: frozenset[Level],
        now: datetime,
        *,
        team_id: str,
        channel_id: str | None = None,
        thread_ts: str | None = None,
        avoid: Iterable[str] = (),
        seen_ts: tuple[str, ...] = (),
    ) -> Started | Running:
        """A new session in the member's DM (opened when `channel_id` is not given), or the one that
        runs already."""
        running = self.running(user_id, now, team_id=team_id)
        if running is not None:
            return running
        zone = self.learning.zone_of(user_id, team_id)
        # The workspace's own questions (チームの質問) are asked too.
        role = self.catalog.for_team(team_id=team_id).by_slug(role.slug) or role
        with self.sessions() as session:
            memories = {c.question_id: c.memory for c in cards.member_cards(session, user_id, team_id=team_id) if c.role_slug == role.slug}
        questions = mock.choose_questions(
            role, memories, end_of_local_day(now, zone), count, levels, avoid, seed=f"{user_id}|{now.isoformat()}"
        )
        if not questions:
            raise CannotStart("指定したレベルの質問がありません。レベルを変えるか、`level=` を外してもう一度お試しください。")
        if channel_id is None:
            try:
                channel_id = self.chats(team_id).open_dm(user_id)
            except ChatError as err:
                log.warning("could not open a DM for a mock interview (%s)", err.code)
                raise CannotStart(
                    "ボットとのDMを開けませんでした。アプリの「メッセージ」タブから「模擬面接 cto」のように送ってみてください。"
                ) from None
        moved = mock.start(role.slug, questions, now, levels)
        with self.sessions.begin() as session:
            session_id = store.start_session(
                session, user_id, channel_id, thread_ts, moved.session, seen_ts, team_id=team_id, quiet=self.quiet
            )
            if session_id is not None:
                store.record_sends(session, session_id, moved.sends, now, team_id=team_id)
        if session_id is None:  # started elsewhere a moment ago
            return self.running(user_id, now, team_id=team_id) or self.start(
                user_id, role, count, levels, now, team_id=team_id, channel_id=channel_id, thread_ts=thread_ts
            )
        log.info("mock interview %s started: %s, %d question(s)", session_id, role.slug, len(questions))
        self.flush(session_id, now, team_id=team_id)
        self._wake(moved.session)
        return Started(session_id, role, len(questions), channel_id)

    def tell(self, user_id: str, message: Message, *, team_id: str) -> None:
        """A message for the member in their DM, outside any session's steps (what a press on the
        App Home, which has no response_url, has to say)."""
        try:
            chat = self.chats(team_id)
            chat.say(chat.open_dm(user_id), message)
        except ChatError as err:
            log.warning("could not tell a member in their DM (%s)", err.code)

    def running(self, user_id: str, now: datetime, *, team_id: str) -> Running | None:
        """The member's running session, if any."""
        with self.sessions() as session:
            stored = store.running_session(session, user_id, team_id=team_id)
        if stored is None:
            return None
        role = self.catalog.for_team(team_id=stored.team_id).by_slug(stored.mock.role_slug)
        if role is None:  # its role left the content: the session cannot go on
            self.stop(user_id, now, team_id=team_id)
            return None
        return Running(stored.id, role, stored.mock.index + 1, len(stored.mock.turns))

    def stop(self, user_id: str, now: datetime, *, team_id: str, session_id: int | None = None) -> bool:
        """End the member's running session (that one, with `session_id`) with its summary."""
        moved = self._move_running(user_id, now, team_id, lambda m: mock.stop(m, now), session_id=session_id)
        return moved is not None

    def again(self, session_id: int, user_id: str, now: datetime, *, team_id: str) -> Started | Running:
        """「もう一度（別の質問で）」: the same role, levels and count, other questions first."""
        with self.sessions() as session:
            stored = store.get_session(session, session_id, team_id=team_id)
        if stored is None or stored.user_id != user_id:
            raise CannotStart("この模擬面接は見つかりませんでした。`/career mock cto` のように始めてください。")
        role = self.catalog.for_team(team_id=stored.team_id).by_slug(stored.mock.role_slug)
        if role is None:
            raise CannotStart("この模擬面接の職種はもう教材にありません。")
        return self.start(
            user_id,
            role,
            len(stored.mock.turns),
            stored.mock.levels,
            now,
            team_id=team_id,
            channel_id=stored.channel_id,
            thread_ts=stored.thread_ts,
            avoid=stored.mock.question_ids,
        )

    # ------------------------------------------------------------------ the member's messages

    def message(self, user_id: str, channel_id: str, ts: str, text: str, now: datetime, *, team_id: str) -> str:
        """A message the member wrote in their DM: a move of their running session there, judged in
        memory and taken once however often Slack delivers it. Runs before the event's ack, so the
        write is bounded like a thread reply's. Returns a `Taken` value."""
        for _ in range(_MOVE_TRIES):
            with self.sessions() as session:
                stored = store.running_session(session, user_id, team_id=team_id)
            if stored is None or stored.channel_id != channel_id:
                return Taken.NO_SESSION
            if ts in stored.seen_ts:
                return Taken.SEEN
            try:
                moved = self._answer(stored.mock, text, now, team_id)
            except Refused:
                return Taken.SEEN
            # Sent after the ack (flush_member), so that the ack waits on no chat call.
            if self._save(stored, moved, now, team_id, seen=stored.seen_ts + (ts,), flush=False):
                return Taken.MOVED
        log.warning("mock interview: a message was not taken after %d tries (the session kept moving)", _MOVE_TRIES)
        return Taken.SEEN

    def _answer(self, session: MockSession, text: str, now: datetime, team_id: str) -> mock.Moved:
        said = parse_session_text(text)
        if said is SessionInput.STOP:
            return mock.stop(session, now)
        if said is SessionInput.SKIP:
            return mock.skip(session, now)
        verdicts: tuple[Verdict, ...] = ()
        shortened = False
        if session.phase in (Phase.ASKED, Phase.ANSWERING):
            role = self.catalog.for_team(team_id=team_id).by_slug(session.role_slug)
            question = role.question_by_id(session.current.question_id) if role else None
            if role is not None and question is not None and text.strip():
                try:
                    verdicts = self.check.judge(role, question, text)
                except Exception:  # noqa: BLE001 - the answer still counts, without a verdict
                    log.exception("answer analysis failed in a mock interview (%s Q%s); no verdict kept", role.slug, question.number)
                shortened = len(text) > JUDGED_CHARACTERS
        return mock.answer(session, now, verdicts, shortened, done=said is SessionInput.DONE)

    # ------------------------------------------------------------------ grades

    def grade(self, session_id: int, index: int, grade: Grade, user_id: str, now: datetime, *, team_id: str) -> GradeTaken:
        """A self-grade pressed under a model answer: the member's FSRS card is updated exactly as a
        review's grade does (one review per question per local day), and the session moves on."""
        with self.sessions() as session:
            stored = store.get_session(session, session_id, team_id=team_id)
        if stored is None or stored.user_id != user_id:
            raise CannotStart("この模擬面接はあなたのものではないため、評価できません。")
        role = self.catalog.for_team(team_id=stored.team_id).by_slug(stored.mock.role_slug)
        if not 0 <= index < len(stored.mock.turns) or role is None:
            raise CannotStart("この質問はもう教材にありません。評価は記録しませんでした。")
        question = role.question_by_id(stored.mock.turns[index].question_id)
        if question is None:
            raise CannotStart("この質問はもう教材にありません。評価は記録しませんでした。")
        try:
            first = mock.grade(stored.mock, index, grade, now)
        except Refused as refused:
            raise CannotStart(_REFUSED[refused.reason]) from None
        graded = self.learning.grade_question(user_id, role.slug, question.id, grade, now, team_id=team_id)
        if first.session != stored.mock:
            for _ in range(_MOVE_TRIES):
                if self._save(stored, first, now, team_id):
                    break
                with self.sessions() as session:
                    reread = store.get_session(session, session_id, team_id=team_id)
                if reread is None:
                    break
                stored = reread
                try:
                    first = mock.grade(stored.mock, index, grade, now)
                except Refused:
                    break  # another replica took this press (or another) meanwhile
        return GradeTaken(session_id, index, role, question, grade, graded.memory, graded.zone)

    # ------------------------------------------------------------------ time

    def tick(self, now: datetime) -> int:
        """Move the sessions time has come for (the feedback after a quiet spell, the idle end),
        then send what sessions owe. Returns how many messages were sent."""
        with self.sessions() as session:
            due = store.due_sessions(session, now)
        for team_id, session_id in due:
            try:
                self._tick_one(team_id, session_id, now)
            except Exception:  # noqa: BLE001 - one session's failure must not stop the others
                log.exception("mock interview %s: its tick failed; the next tick tries again", session_id)
        with self.sessions() as session:
            keys = leases.mock_send_due_keys(session, now, now - self.outbox.lease)
        sent = 0
        for team_id, session_id, step in keys:
            sent += self._send(team_id, session_id, step, now) in (Outcome.SENT, Outcome.ADOPTED)
        return sent

    def _tick_one(self, team_id: str, session_id: int, now: datetime) -> None:
        for _ in range(_MOVE_TRIES):
            with self.sessions() as session:
                stored = store.get_session(session, session_id, team_id=team_id)
            if stored is None or not stored.mock.active:
                return
            moved = mock.tick(stored.mock, now, self.quiet)
            if moved.session == stored.mock:
                return
            if self._save(stored, moved, now, team_id, flush=False):
                return

    # ------------------------------------------------------------------ moving and sending

    def _move_running(
        self, user_id: str, now: datetime, team_id: str, move: Callable[[MockSession], mock.Moved], session_id: int | None = None
    ) -> mock.Moved | None:
        for _ in range(_MOVE_TRIES):
            with self.sessions() as session:
                stored = store.running_session(session, user_id, team_id=team_id)
            if stored is None or (session_id is not None and stored.id != session_id):
                return None
            try:
                moved = move(stored.mock)
            except Refused:
                return None
            if self._save(stored, moved, now, team_id):
                return moved
        return None

    def _save(
        self, stored: StoredSession, moved: mock.Moved, now: datetime, team_id: str, seen: tuple[str, ...] | None = None, flush: bool = True
    ) -> bool:
        """Write the move over the version it was read at, with the messages it owes; then send
        them (unless the caller sends later) and ask for a tick at the session's next deadline."""
        try:
            with self.sessions.begin() as session:
                limit_wait(session, EVENT_WRITE_SECONDS)
                if not store.save_session(session, stored, moved.session, seen, team_id=team_id, quiet=self.quiet):
                    return False
                store.record_sends(session, stored.id, moved.sends, now, team_id=team_id)
        except OperationalError:
            # SQLite: another process wrote since this one read. Read again and retry the move.
            log.info("mock interview %s: moved by another process meanwhile; read again", stored.id)
            return False
        if moved.session.phase is not stored.mock.phase or moved.sends:
            log.info("mock interview %s: %s → %s", stored.id, stored.mock.step, moved.session.step)
        if flush and moved.sends:
            self.flush(stored.id, now, team_id=team_id)
        self._wake(moved.session)
        return True

    def _wake(self, session: MockSession) -> None:
        deadline = session.deadline(self.quiet)
        if deadline is not None:
            self.wake(deadline)

    def flush(self, session_id: int, now: datetime, *, team_id: str) -> None:
        """Send what the session owes, in order, stopping at the first that cannot go now (another
        process sends it, or Slack asked to wait): the tick takes it up.

        A member may answer while a step is on its way to Slack; the flush of that answer finds the
        step still claimed here and stops. So after its steps, this flush looks again for what was
        added meanwhile, and sends that too rather than leaving it for the tick."""
        done: set[str] = set()
        for _ in range(_FLUSH_ROUNDS):
            with self.sessions() as session:
                steps = [step for step in store.unsent_steps(session, session_id, team_id=team_id) if step not in done]
            if not steps:
                return
            for step in steps:
                if self._send(team_id, session_id, step, now) not in (Outcome.SENT, Outcome.ADOPTED, Outcome.GAVE_UP):
                    return
                done.add(step)

    def flush_member(self, user_id: str, now: datetime, *, team_id: str) -> None:
        """Send what the member's newest session owes (after a DM message was taken)."""
        with self.sessions() as session:
            stored = store.latest_session(session, user_id, team_id=team_id)
        if stored is not None:
            self.flush(stored.id, now, team_id=team_id)

    def _send(self, team_id: str, session_id: int, step: str, now: datetime) -> Outcome:
        with self.sessions() as session:
            stored = store.get_session(session, session_id, team_id=team_id)
        if stored is None:
            return Outcome.GAVE_UP
        # The member's time zone is asked before the claim: it may be a Slack call, and the claim's
        # transaction must not wait on one.
        zone = self.learning.zone_of(stored.user_id, team_id) if step == str(SendKind.SUMMARY) else "UTC"
        result = self.outbox.send(
            leases.MOCK_SEND, (session_id, step), now, lambda session: self._plan(session, team_id, session_id, step, zone, now)
        )
        return result.outcome

    def _plan(self, session: Session, team_id: str, session_id: int, step: str, zone: str, now: datetime) -> Send | Skip:
        stored = store.get_session(session, session_id, team_id=team_id)
        role = self.catalog.for_team(team_id=stored.team_id).by_slug(stored.mock.role_slug) if stored is not None else None
        gone = Skip("its session or role is gone", {"error": "gone"}, subject=f"mock {session_id} {step}")
        if stored is None or role is None:
            return gone
        message = self._message(session, stored, role, step, zone, now)
        if message is None:
            return gone
        attempts = store.send_attempts(session, session_id, step, team_id=team_id)
        key = f"mock:{session_id}:{step}"
        channel_id, thread_ts = stored.channel_id, stored.thread_ts

        def call(chat: ChatPort) -> str:
            return chat.post_mock(channel_id, thread_ts, message, key)

        return Send(
            subject=f"mock {session_id} {step}",
            step="sending a mock interview step",
            team_id=team_id,
            channel_id=channel_id,
            call=call,
            sent=lambda ts: {"sent_at": to_db(now), "message_ts": ts},
            give_up=lambda reason: {"error": reason[:200]},
            key=key,
            look_first=attempts > 1,
            since=stored.mock.started_at,
            thread_ts=thread_ts,
            deadline=stored.mock.touched_at + SEND_DEADLINE,
        )

    def _message(self, session: Session, stored: StoredSession, role: Role, step: str, zone: str, now: datetime) -> MockMessage | None:
        m = stored.mock
        total = len(m.turns)
        if step == str(SendKind.SUMMARY):
            questions = {t.question_id: q for t in m.turns if (q := role.question_by_id(t.question_id)) is not None}
            memories = {
                c.question_id: c.memory
                for c in cards.member_cards(session, stored.user_id, team_id=stored.team_id)
                if c.role_slug == role.slug and c.question_id in questions
            }
            summary = mock.summarise(m, questions, memories)
            return MockMessage(SendKind.SUMMARY, stored.id, role, total=total, summary=summary, zone=zone, now=now)
        number_text, _, kind_text = step.partition(".")
        try:
            kind, index = SendKind(kind_text), int(number_text) - 1
        except ValueError:
            return None
        if not 0 <= index < total:
            return None
        turn = m.turns[index]
        question = role.question_by_id(turn.question_id)
        if question is None:
            return None
        return MockMessage(kind, stored.id, role, index + 1, total, question, turn.verdicts, turn.shortened, zone=zone, now=now)


_REFUSED = {
    "finished": "この模擬面接はもう終わっています。結果のまとめの「もう一度（別の質問で）」から新しく始められます。",
    "not_yet": "この質問の模範解答がまだ表示されていません。回答してから評価してください。",
    "unknown": "この質問は見つかりませんでした。",
}
