"""Mock interview sessions in the database (SQLite and PostgreSQL): one running session per member,
a session read back exactly as it was written, moves that only one process can make, the sessions
the ticker is due to move, and never a word the member wrote."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.domain import mock_interview as mock
from bot.domain.answer_feedback import Verdict
from bot.domain.memory import Grade
from bot.domain.role import Level, Question
from bot.store import installs, mock_sessions
from bot.store.db import make_engine, session_factory, upgrade
from bot.store.models import MockSessionRow

UTC = timezone.utc
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
A, B = "T0000AAAA", "T0000BBBB"
QUESTIONS = (
    Question(1, "質問1", ("結論、数字、学び",), follow_up="深掘り", id="qaaaaaaaa1", level=Level.MIDDLE),
    Question(2, "質問2", ("結論、数字",), id="qaaaaaaaa2", level=Level.MIDDLE),
)


@pytest.fixture
def sessions(db_url):
    engine = make_engine(db_url)
    upgrade(engine, db_url)
    yield session_factory(engine)
    engine.dispose()


def begun() -> mock.MockSession:
    return mock.start("cto", QUESTIONS, T0, frozenset({Level.MIDDLE})).session


def test_a_member_has_one_running_session_per_workspace(sessions):
    with sessions.begin() as s:
        first = mock_sessions.start_session(s, "U1", "D1", None, begun(), team_id=A)
        assert first is not None
        assert mock_sessions.start_session(s, "U1", "D1", None, begun(), team_id=A) is None
        assert mock_sessions.start_session(s, "U1", "D9", None, begun(), team_id=B) is not None  # another workspace's U1
    with sessions() as s:
        found = mock_sessions.running_session(s, "U1", team_id=A)
        assert found is not None and found.id == first and found.channel_id == "D1"
        assert mock_sessions.running_session(s, "U2", team_id=A) is None


def test_a_session_reads_back_as_it_was_written_and_an_ended_one_frees_the_member(sessions):
    moved = mock.answer(
        begun(), T0 + timedelta(seconds=40), [Verdict.COVERED, Verdict.PARTLY, Verdict.MISSING], shortened=True, done=True
    ).session
    moved = mock.skip(moved, T0 + timedelta(seconds=50)).session
    moved = mock.grade(moved, 0, Grade.HARD, T0 + timedelta(seconds=60)).session
    with sessions.begin() as s:
        session_id = mock_sessions.start_session(s, "U1", "D1", "1700000000.000100", begun(), team_id=A)
        stored = mock_sessions.get_session(s, session_id, team_id=A)
        assert mock_sessions.save_session(s, stored, moved, ("1765098040.000200",), team_id=A)
    with sessions() as s:
        again = mock_sessions.get_session(s, session_id, team_id=A)
        assert again.mock == moved and again.seen_ts == ("1765098040.000200",) and again.thread_ts == "1700000000.000100"
        assert mock_sessions.get_session(s, session_id, team_id=B) is None  # another workspace cannot read it
    ended = mock.stop(moved, T0 + timedelta(minutes=2)).session
    with sessions.begin() as s:
        assert mock_sessions.save_session(s, again, ended, team_id=A)
    with sessions.begin() as s:
        assert mock_sessions.running_session(s, "U1", team_id=A) is None
        assert mock_sessions.start_session(s, "U1", "D1", None, begun(), team_id=A) is not None


def test_only_one_of_two_moves_read_at_the_same_version_is_written(sessions):
    with sessions.begin() as s:
        session_id = mock_sessions.start_session(s, "U1", "D1", None, begun(), team_id=A)
    with sessions() as s:
        read_once = mock_sessions.get_session(s, session_id, team_id=A)
    with sessions() as s:
        read_twice = mock_sessions.get_session(s, session_id, team_id=A)
    with sessions.begin() as s:
        assert mock_sessions.save_session(s, read_once, mock.skip(read_once.mock, T0).session, team_id=A)
    with sessions.begin() as s:
        assert not mock_sessions.save_session(s, read_twice, mock.stop(read_twice.mock, T0).session, team_id=A)
    with sessions() as s:
        assert mock_sessions.get_session(s, session_id, team_id=A).mock.phase is mock.Phase.GRADING


def test_the_ticker_finds_the_sessions_whose_time_has_come(sessions):
    quiet = mock.answer(begun(), T0 + timedelta(seconds=10), [Verdict.COVERED]).session  # feedback due at +15 s
    with sessions.begin() as s:
        waiting = mock_sessions.start_session(s, "U1", "D1", None, begun(), team_id=A)  # idle end at +30 min
        answering = mock_sessions.start_session(s, "U2", "D2", None, begun(), team_id=B)
        stored = mock_sessions.get_session(s, answering, team_id=B)
        assert mock_sessions.save_session(s, stored, quiet, team_id=B)
    with sessions() as s:
        assert mock_sessions.due_sessions(s, T0 + timedelta(seconds=14)) == []
        assert mock_sessions.due_sessions(s, T0 + timedelta(seconds=15)) == [(B, answering)]
        assert mock_sessions.due_sessions(s, T0 + timedelta(minutes=31)) == [(B, answering), (A, waiting)]


def test_an_uninstalled_workspaces_sessions_are_deleted_with_its_data(sessions):
    with sessions.begin() as s:
        mock_sessions.start_session(s, "U1", "D1", None, begun(), team_id=A)
        mock_sessions.start_session(s, "U1", "D1", None, begun(), team_id=B)
    with sessions.begin() as s:
        deleted = installs.delete_team_rows(s, team_id=A)
    with sessions() as s:
        assert s.scalars(select(MockSessionRow.team_id)).all() == [B] and deleted["mock_sessions"] == 1


def test_only_letters_ids_and_times_are_stored(sessions):
    moved = mock.answer(begun(), T0 + timedelta(seconds=40), [Verdict.COVERED, Verdict.MISSING, Verdict.PARTLY], done=True).session
    with sessions.begin() as s:
        session_id = mock_sessions.start_session(s, "U1", "D1", None, begun(), team_id=A)
        mock_sessions.save_session(s, mock_sessions.get_session(s, session_id, team_id=A), moved, ("1.2",), team_id=A)
    with sessions() as s:
        row = s.get(MockSessionRow, session_id)
        assert row.turns[0]["verdicts"] == "cmp"
        assert set(row.turns[0]) == {
            "question_id",
            "follow_up",
            "verdicts",
            "shortened",
            "skipped",
            "grade",
            "asked_at",
            "answered_at",
            "follow_up_answered_at",
            "graded_at",
        }
