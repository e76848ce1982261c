"""A one-to-one mock interview (模擬面接): the session as pure data and the moves that change it.

A session asks its questions one at a time. For each one:

    asked → answering (one or more answer messages, each judged on arrival; the best verdict per
    point is kept) → follow_up (the feedback and the question's 深掘り were sent) → follow_up_answering
    → grading (📖 the model answer and the four self-grade buttons) → the next question, …

and ends with the summary: `ended` after the last question's grade, `stopped` when the member stops
it, `expired` after IDLE_LIMIT without anything happening. The feedback follows ANSWER_QUIET after
an answer's last message, or at once when the member says 「以上です」; スキップ moves past whatever
is awaited (an answer: straight to 📖; the follow-up: to 📖; a grade: to the next question).

Every move takes `now` and returns the new session with what must be sent (`Send`, each with a key
that is unique within the session, so the outbox sends each step once). Only verdicts, grades and
times are here: answer text never reaches this module.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.answer_feedback import Verdict, best
from bot.domain.memory import Grade, Memory
from bot.domain.role import Level, Question, Role
from bot.domain.text import normalize_key

MIN_COUNT = 1
MAX_COUNT = 10
DEFAULT_COUNT = 5
# The feedback follows this long after an answer's last message (or at once on 「以上です」).
ANSWER_QUIET = timedelta(seconds=5)
# A session in which nothing happens for this long ends with what was done so far.
IDLE_LIMIT = timedelta(minutes=30)
MISSED_SHOWN = 5  # the summary's "points most often missed"


class Phase(str, enum.Enum):
    ASKED = "asked"  # the question was sent; no answer yet
    ANSWERING = "answering"  # answer messages are arriving; the feedback follows when they stop
    FOLLOW_UP = "follow_up"  # the feedback and the follow-up were sent; no answer to it yet
    FOLLOW_UP_ANSWERING = "follow_up_answering"
    GRADING = "grading"  # the model answer and the grade buttons were sent
    ENDED = "ended"  # every question done; the summary was sent
    STOPPED = "stopped"  # the member stopped it; the summary was sent
    EXPIRED = "expired"  # idle for IDLE_LIMIT; the note and the summary were sent

    def __str__(self) -> str:
        return self.value

    @property
    def active(self) -> bool:
        return self not in FINISHED


FINISHED = frozenset({Phase.ENDED, Phase.STOPPED, Phase.EXPIRED})
_COLLECTING = frozenset({Phase.ANSWERING, Phase.FOLLOW_UP_ANSWERING})  # an answer's messages: quiet ends them


class SendKind(str, enum.Enum):
    QUESTION = "question"
    FEEDBACK = "feedback"  # the verdicts, then the follow-up when the question has one
    MODEL_ANSWER = "model"  # 📖 and the grade buttons
    GRADE_NUDGE = "nudge"  # a message while a grade is awaited: press a button (once per question)
    SUMMARY = "summary"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Send:
    """One message the session owes the member. `index` is the question's, 0-based (-1 for the
    summary)."""

    kind: SendKind
    index: int = -1

    @property
    def key(self) -> str:
        """The step's key within its session: the outbox sends (session, key) once."""
        return str(self.kind) if self.index < 0 else f"{self.index + 1}.{self.kind}"


@dataclass(frozen=True)
class Turn:
    """One question of a session and what happened to it."""

    question_id: str
    follow_up: bool = False  # the question has a 深掘り to ask after the feedback
    asked_at: datetime | None = None
    answered_at: datetime | None = None  # the answer's last message
    verdicts: tuple[Verdict, ...] = ()  # per point, the best over the answer's messages
    shortened: bool = False  # a message was longer than what is judged: only its start was
    skipped: bool = False  # the member skipped the answer or the follow-up
    follow_up_answered_at: datetime | None = None
    grade: Grade | None = None
    graded_at: datetime | None = None

    @property
    def answer_time(self) -> timedelta | None:
        """How long the answer took: from the question to the answer's last message."""
        if self.asked_at is None or self.answered_at is None:
            return None
        return max(self.answered_at - self.asked_at, timedelta(0))


@dataclass(frozen=True)
class MockSession:
    role_slug: str
    turns: tuple[Turn, ...]
    started_at: datetime
    touched_at: datetime  # the last thing that happened (a message either way, a grade)
    levels: frozenset[Level] = frozenset()
    index: int = 0  # the current question, 0-based
    phase: Phase = Phase.ASKED
    last_message_at: datetime | None = None  # the newest message of the answer being collected
    ended_at: datetime | None = None

    @property
    def current(self) -> Turn:
        return self.turns[self.index]

    @property
    def active(self) -> bool:
        return self.phase.active

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(t.question_id for t in self.turns)

    @property
    def step(self) -> str:
        """Where the session is, as a short stable text ("2.answering", "ended")."""
        return str(self.phase) if not self.active else f"{self.index + 1}.{self.phase}"

    def deadline(self, quiet: timedelta = ANSWER_QUIET) -> datetime | None:
        """When `tick` next has something to do: the feedback after a quiet spell, or the idle end."""
        if not self.active:
            return None
        idle = self.touched_at + IDLE_LIMIT
        if self.phase in _COLLECTING and self.last_message_at is not None:
            return min(self.last_message_at + quiet, idle)
        return idle


@dataclass(frozen=True)
class Moved:
    session: MockSession
    sends: tuple[Send, ...] = ()


class Refused(Exception):
    """A move the session cannot take. `reason`: "finished" (the session is over), "not_yet" (a
    grade for a question whose model answer was not shown), "unknown" (no such question)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ----------------------------------------------------------------------------- moves


def start(role_slug: str, questions: Sequence[Question], now: datetime, levels: frozenset[Level] = frozenset()) -> Moved:
    """A new session over `questions` (in order): the first question is asked."""
    if not questions:
        raise ValueError("a mock interview needs at least one question")
    if len(questions) > MAX_COUNT:
        raise ValueError(f"a mock interview asks at most {MAX_COUNT} questions")
    turns = tuple(Turn(q.id, follow_up=bool(q.follow_up)) for q in questions)
    session = MockSession(role_slug, turns, started_at=now, touched_at=now, levels=levels)
    return _ask(session, 0, now)


def answer(session: MockSession, now: datetime, verdicts: Sequence[Verdict] = (), shortened: bool = False, done: bool = False) -> Moved:
    """One answer message, already judged (`verdicts` per point; none for the follow-up, which has
    no points). `done`: the member said 「以上です」, so the feedback comes at once."""
    if not session.active:
        raise Refused("finished")
    turn = session.current
    if session.phase in (Phase.ASKED, Phase.ANSWERING):
        merged = best([turn.verdicts, tuple(verdicts)]) if verdicts else turn.verdicts
        turn = replace(turn, answered_at=now, verdicts=merged, shortened=turn.shortened or shortened)
        moved = _with_turn(session, turn, phase=Phase.ANSWERING, last_message_at=now, touched_at=now)
        return _feedback(moved, now) if done else Moved(moved)
    if session.phase in (Phase.FOLLOW_UP, Phase.FOLLOW_UP_ANSWERING):
        turn = replace(turn, follow_up_answered_at=now)
        moved = _with_turn(session, turn, phase=Phase.FOLLOW_UP_ANSWERING, last_message_at=now, touched_at=now)
        return _model_answer(moved, now) if done else Moved(moved)
    # A grade is awaited: a message is no answer, the member is told (once) to press a button.
    return Moved(replace(session, touched_at=now), (Send(SendKind.GRADE_NUDGE, session.index),))


def skip(session: MockSession, now: datetime) -> Moved:
    """スキップ: past the answer or the follow-up to 📖, or past the grade to the next question."""
    if not session.active:
        raise Refused("finished")
    if session.phase is Phase.GRADING:
        return _next(replace(session, touched_at=now), now)
    if session.phase in (Phase.ASKED, Phase.ANSWERING):
        session = _with_turn(session, replace(session.current, skipped=True))
    return _model_answer(replace(session, touched_at=now), now)


def grade(session: MockSession, index: int, value: Grade, now: datetime) -> Moved:
    """A self-grade for question `index`. The current question's, when its model answer is shown,
    moves on; an earlier question's changes its grade; pressing the same grade again does nothing."""
    if not 0 <= index < len(session.turns):
        raise Refused("unknown")
    turn = session.turns[index]
    if turn.grade is value:
        return Moved(session)
    if not session.active:
        raise Refused("finished")
    shown = index < session.index or (index == session.index and session.phase is Phase.GRADING)
    if not shown:
        raise Refused("not_yet")
    graded = _with_turn(session, replace(turn, grade=value, graded_at=now), index=index, touched_at=now)
    if index < session.index:
        return Moved(graded)
    return _next(graded, now)


def stop(session: MockSession, now: datetime) -> Moved:
    """終了 or `/career mock stop`: the summary of what was done."""
    if not session.active:
        raise Refused("finished")
    return _finish(session, Phase.STOPPED, now)


def tick(session: MockSession, now: datetime, quiet: timedelta = ANSWER_QUIET) -> Moved:
    """What time alone does: the feedback once an answer has been quiet for `quiet`, the end once
    nothing has happened for IDLE_LIMIT. Nothing when neither is due."""
    if not session.active:
        return Moved(session)
    if session.phase in _COLLECTING and session.last_message_at is not None and now >= session.last_message_at + quiet:
        if session.phase is Phase.ANSWERING:
            return _feedback(replace(session, touched_at=now), now)
        return _model_answer(replace(session, touched_at=now), now)
    if now >= session.touched_at + IDLE_LIMIT:
        return _finish(session, Phase.EXPIRED, now)
    return Moved(session)


def _with_turn(session: MockSession, turn: Turn, index: int | None = None, **changes: object) -> MockSession:
    at = session.index if index is None else index
    turns = session.turns[:at] + (turn,) + session.turns[at + 1 :]
    return replace(session, turns=turns, **changes)  # type: ignore[arg-type]


def _ask(session: MockSession, index: int, now: datetime) -> Moved:
    turn = replace(session.turns[index], asked_at=now)
    moved = replace(_with_turn(session, turn, index=index), index=index, phase=Phase.ASKED, last_message_at=None, touched_at=now)
    return Moved(moved, (Send(SendKind.QUESTION, index),))


def _feedback(session: MockSession, now: datetime) -> Moved:
    sends = (Send(SendKind.FEEDBACK, session.index),)
    if session.current.follow_up:
        return Moved(replace(session, phase=Phase.FOLLOW_UP, last_message_at=None, touched_at=now), sends)
    moved = _model_answer(session, now)
    return Moved(moved.session, sends + moved.sends)


def _model_answer(session: MockSession, now: datetime) -> Moved:
    moved = replace(session, phase=Phase.GRADING, last_message_at=None, touched_at=now)
    return Moved(moved, (Send(SendKind.MODEL_ANSWER, session.index),))


def _next(session: MockSession, now: datetime) -> Moved:
    if session.index + 1 < len(session.turns):
        return _ask(session, session.index + 1, now)
    return _finish(session, Phase.ENDED, now)


def _finish(session: MockSession, phase: Phase, now: datetime) -> Moved:
    ended = replace(session, phase=phase, last_message_at=None, ended_at=now, touched_at=now)
    return Moved(ended, (Send(SendKind.SUMMARY),))


# ----------------------------------------------------------------------------- the questions


def askable(question: Question, levels: frozenset[Level] = frozenset()) -> bool:
    """A session asks only what its feedback can judge (a question with answer points), at the
    requested levels (all when none)."""
    return bool(question.points) and (not levels or question.level in levels)


def choose_questions(
    role: Role,
    memories: Mapping[str, Memory],
    due_before: datetime,
    count: int = DEFAULT_COUNT,
    levels: frozenset[Level] = frozenset(),
    avoid: Iterable[str] = (),
    seed: str = "",
) -> tuple[Question, ...]:
    """The member's `count` questions of `role`: their cards due before `due_before` first (soonest
    due first), then the questions they have never graded (in an order `seed` fixes), then the rest
    (soonest due first). `memories` are the member's cards by question id. Questions in `avoid` (the
    last session's, for 「もう一度（別の質問で）」) come only when nothing else is left."""
    if not MIN_COUNT <= count <= MAX_COUNT:
        raise ValueError(f"count must be {MIN_COUNT}–{MAX_COUNT}, not {count}")
    avoided = frozenset(avoid)
    pool = [q for q in role.questions if askable(q, levels)]
    due, unseen, rest = [], [], []
    for question in pool:
        memory = memories.get(question.id)
        if memory is None or memory.reviews == 0:
            unseen.append(question)
        elif memory.due_by(due_before):
            due.append(question)
        else:
            rest.append(question)

    def by_due(q: Question) -> tuple[datetime, int]:
        return (memories[q.id].due or due_before, q.number)

    due.sort(key=by_due)
    random.Random(f"{seed}|{role.slug}").shuffle(unseen)
    rest.sort(key=by_due)
    ordered = due + unseen + rest
    ordered = [q for q in ordered if q.id not in avoided] + [q for q in ordered if q.id in avoided]
    return tuple(ordered[:count])


# ----------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class TurnSummary:
    number: int  # 1-based, as the member saw it
    question: Question
    answered: bool  # at least one answer message
    skipped: bool
    covered: int
    partly: int
    missing: int
    grade: Grade | None
    answer_time: timedelta | None
    next_due: datetime | None  # the member's card after the session


@dataclass(frozen=True)
class MissedPoint:
    point: str  # as the document writes it
    count: int  # in how many of the session's answers it was missing
    numbers: tuple[int, ...]  # which questions (1-based)


@dataclass(frozen=True)
class Summary:
    role_slug: str
    phase: Phase  # ended, stopped or expired (or an active phase, for a summary asked early)
    turns: tuple[TurnSummary, ...]  # the questions that were asked, in order
    planned: int  # how many the session was to ask
    missed: tuple[MissedPoint, ...]  # most often missing first, at most MISSED_SHOWN
    next_review: datetime | None  # the soonest of the asked questions' next reviews


def summarise(session: MockSession, questions: Mapping[str, Question], memories: Mapping[str, Memory]) -> Summary:
    """What the session comes to: `questions` by id (a question since removed from the content is
    left out), `memories` the member's cards by question id as they are after the session."""
    rows: list[TurnSummary] = []
    missed: dict[str, MissedPoint] = {}
    for number, turn in enumerate(session.turns, start=1):
        question = questions.get(turn.question_id)
        if turn.asked_at is None or question is None:
            continue
        points = question.points
        verdicts = [turn.verdicts[i] if i < len(turn.verdicts) else Verdict.MISSING for i in range(len(points))]
        answered = turn.answered_at is not None
        memory = memories.get(turn.question_id)
        rows.append(
            TurnSummary(
                number,
                question,
                answered,
                turn.skipped and not answered,
                covered=verdicts.count(Verdict.COVERED),
                partly=verdicts.count(Verdict.PARTLY),
                missing=verdicts.count(Verdict.MISSING),
                grade=turn.grade,
                answer_time=turn.answer_time,
                next_due=memory.due if memory is not None and memory.reviews else None,
            )
        )
        if not answered:
            continue
        for point, verdict in zip(points, verdicts, strict=False):
            if verdict is Verdict.MISSING:
                key = normalize_key(point)
                found = missed.get(key)
                missed[key] = (
                    MissedPoint(point, 1, (number,))
                    if found is None
                    else replace(found, count=found.count + 1, numbers=found.numbers + (number,))
                )
    order = list(missed)
    ranked = sorted(missed.values(), key=lambda m: (-m.count, order.index(normalize_key(m.point))))
    dues = [row.next_due for row in rows if row.next_due is not None]
    return Summary(
        session.role_slug, session.phase, tuple(rows), len(session.turns), tuple(ranked[:MISSED_SHOWN]), min(dues) if dues else None
    )


@dataclass(frozen=True)
class MockMessage:
    """One message a session owes its member, as plain data for any chat adapter to render."""

    kind: SendKind
    session_id: int
    role: Role
    number: int = 0  # the question's, 1-based (0 for the summary)
    total: int = 0
    question: Question | None = None
    verdicts: tuple[Verdict, ...] = ()
    shortened: bool = False
    summary: Summary | None = None
    zone: str = "UTC"  # the member's, for dates
    now: datetime | None = None
