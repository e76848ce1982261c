"""Mock interview sessions: a member's running session, found and moved by compare-and-set, and the
sessions whose time has come (an answer gone quiet, an idle end). Only verdict letters, grades,
times and message ts are stored: never an answer's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain.answer_feedback import read_codes, verdict_codes
from bot.domain.memory import Grade
from bot.domain.mock_interview import ANSWER_QUIET, MockSession, Phase, Send, Turn
from bot.domain.role import level_code, levels_from_code
from bot.store.db import aware, changed, insert_ignore, to_db, utc
from bot.store.models import MockSendRow, MockSessionRow

SEEN_KEPT = 30  # message ts remembered per session: far more than Slack retries in flight


@dataclass(frozen=True)
class StoredSession:
    id: int
    team_id: str
    user_id: str
    channel_id: str
    thread_ts: str | None
    version: int
    seen_ts: tuple[str, ...]
    mock: MockSession


def start_session(
    session: Session,
    user_id: str,
    channel_id: str,
    thread_ts: str | None,
    mock: MockSession,
    seen_ts: tuple[str, ...] = (),
    *,
    team_id: str,
    quiet: timedelta = ANSWER_QUIET,
) -> int | None:
    """Store a new running session (`seen_ts`: the message that started it, if one did); None when
    the member has one running already."""
    values = {
        "team_id": team_id,
        "user_id": user_id,
        "active_user": user_id,
        "channel_id": channel_id,
        "thread_ts": thread_ts,
        "version": 0,
        "seen_ts": list(seen_ts),
        **_values(mock, quiet),
    }
    if not insert_ignore(session, MockSessionRow, values):
        return None
    return session.scalar(select(MockSessionRow.id).where(MockSessionRow.team_id == team_id, MockSessionRow.active_user == user_id))


def running_session(session: Session, user_id: str, *, team_id: str) -> StoredSession | None:
    """The member's running session, if any."""
    row = session.scalars(select(MockSessionRow).where(MockSessionRow.team_id == team_id, MockSessionRow.active_user == user_id)).first()
    return _stored(row) if row is not None else None


def get_session(session: Session, session_id: int, *, team_id: str) -> StoredSession | None:
    row = session.scalars(select(MockSessionRow).where(MockSessionRow.id == session_id, MockSessionRow.team_id == team_id)).first()
    return _stored(row) if row is not None else None


def save_session(
    session: Session,
    stored: StoredSession,
    mock: MockSession,
    seen_ts: tuple[str, ...] | None = None,
    *,
    team_id: str,
    quiet: timedelta = ANSWER_QUIET,
) -> bool:
    """Write the moved session over the version it was read at; False when another process moved
    it first (the caller reads it again). A finished session frees the member for another."""
    seen = list((seen_ts if seen_ts is not None else stored.seen_ts)[-SEEN_KEPT:])
    result = session.execute(
        update(MockSessionRow)
        .where(MockSessionRow.id == stored.id, MockSessionRow.team_id == team_id, MockSessionRow.version == stored.version)
        .values(version=stored.version + 1, seen_ts=seen, active_user=stored.user_id if mock.active else None, **_values(mock, quiet))
    )
    return changed(result) == 1


def due_sessions(session: Session, now: datetime, limit: int = 100) -> list[tuple[str, int]]:
    """(team, session id) of running sessions whose deadline has passed, soonest first: the
    ticker's, across every workspace."""
    rows = session.execute(
        select(MockSessionRow.team_id, MockSessionRow.id)
        .where(MockSessionRow.due_at.is_not(None), MockSessionRow.due_at <= to_db(now))
        .order_by(MockSessionRow.due_at)
        .limit(limit)
    ).all()
    return [(r[0], r[1]) for r in rows]


def latest_session(session: Session, user_id: str, *, team_id: str) -> StoredSession | None:
    """The member's newest session, running or not."""
    row = session.scalars(
        select(MockSessionRow)
        .where(MockSessionRow.team_id == team_id, MockSessionRow.user_id == user_id)
        .order_by(MockSessionRow.id.desc())
    ).first()
    return _stored(row) if row is not None else None


# ----------------------------------------------------------------------------- what a session owes


def record_sends(session: Session, session_id: int, sends: tuple[Send, ...], now: datetime, *, team_id: str) -> int:
    """Record the messages a move owes the member, after those already recorded, each once (a step
    recorded before, such as a second nudge, is not recorded again). How many were new."""
    if not sends:
        return 0
    seq = session.scalar(select(func.max(MockSendRow.seq)).where(MockSendRow.session_id == session_id, MockSendRow.team_id == team_id)) or 0
    added = 0
    for send in sends:
        seq += 1
        added += insert_ignore(
            session,
            MockSendRow,
            {"session_id": session_id, "team_id": team_id, "step": send.key, "seq": seq, "attempts": 0, "created_at": to_db(now)},
        )
    return added


def unsent_steps(session: Session, session_id: int, *, team_id: str) -> list[str]:
    """The session's messages not sent (nor given up on) yet, in the order they go out."""
    return list(
        session.scalars(
            select(MockSendRow.step)
            .where(
                MockSendRow.session_id == session_id,
                MockSendRow.team_id == team_id,
                MockSendRow.sent_at.is_(None),
                MockSendRow.error.is_(None),
            )
            .order_by(MockSendRow.seq)
        )
    )


def send_attempts(session: Session, session_id: int, step: str, *, team_id: str) -> int:
    """How often the step was claimed (this claim included): more than once means an earlier
    attempt's outcome may be unknown."""
    return (
        session.scalar(
            select(MockSendRow.attempts).where(
                MockSendRow.session_id == session_id, MockSendRow.step == step, MockSendRow.team_id == team_id
            )
        )
        or 0
    )


def _values(mock: MockSession, quiet: timedelta = ANSWER_QUIET) -> dict:
    deadline = mock.deadline(quiet)
    return {
        "role_slug": mock.role_slug,
        "levels": level_code(mock.levels),
        "phase": str(mock.phase),
        "position": mock.index,
        "turns": [_turn_json(t) for t in mock.turns],
        "started_at": to_db(mock.started_at),
        "touched_at": to_db(mock.touched_at),
        "last_message_at": to_db(mock.last_message_at) if mock.last_message_at else None,
        "ended_at": to_db(mock.ended_at) if mock.ended_at else None,
        "due_at": to_db(deadline) if deadline else None,
    }


def _iso(instant: datetime | None) -> str | None:
    return to_db(instant).isoformat() if instant is not None else None


def _time(text: str | None) -> datetime | None:
    return utc(datetime.fromisoformat(text)) if text else None


def _turn_json(turn: Turn) -> dict:
    return {
        "question_id": turn.question_id,
        "follow_up": turn.follow_up,
        "verdicts": verdict_codes(turn.verdicts, shortened=turn.shortened) if turn.verdicts else "",
        "shortened": turn.shortened,
        "skipped": turn.skipped,
        "grade": int(turn.grade) if turn.grade is not None else None,
        "asked_at": _iso(turn.asked_at),
        "answered_at": _iso(turn.answered_at),
        "follow_up_answered_at": _iso(turn.follow_up_answered_at),
        "graded_at": _iso(turn.graded_at),
    }


def _turn(data: dict) -> Turn:
    verdicts, _shortened = read_codes(str(data.get("verdicts") or ""))
    grade = data.get("grade")
    return Turn(
        question_id=str(data["question_id"]),
        follow_up=bool(data.get("follow_up")),
        asked_at=_time(data.get("asked_at")),
        answered_at=_time(data.get("answered_at")),
        verdicts=verdicts,
        shortened=bool(data.get("shortened")),
        skipped=bool(data.get("skipped")),
        follow_up_answered_at=_time(data.get("follow_up_answered_at")),
        grade=Grade(grade) if grade in (1, 2, 3, 4) else None,
        graded_at=_time(data.get("graded_at")),
    )


def _stored(row: MockSessionRow) -> StoredSession:
    mock = MockSession(
        role_slug=row.role_slug,
        turns=tuple(_turn(t) for t in row.turns),
        started_at=aware(row.started_at),
        touched_at=aware(row.touched_at),
        levels=levels_from_code(row.levels or ""),
        index=row.position,
        phase=Phase(row.phase),
        last_message_at=utc(row.last_message_at),
        ended_at=utc(row.ended_at),
    )
    return StoredSession(row.id, row.team_id, row.user_id, row.channel_id, row.thread_ts, row.version, tuple(row.seen_ts or ()), mock)
