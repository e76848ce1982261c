"""A mock interview stays one conversation whatever the deployment does (SQLite and PostgreSQL):
Slack retries a DM event, two replicas get the same message and tick at once, the process restarts
mid-session, Slack rate-limits a step, or the member walks away. Each step is sent once, in order,
and nothing the member wrote is kept."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.domain.memory import Grade
from bot.domain.mock_interview import Phase, SendKind
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import ChatError
from bot.store.models import MockSendRow, MockSessionRow
from bot.testing.fakes import Clock, RecordingChat
from bot.testing.world import World
from bot.usecases.mock_interviews import Taken

UTC = timezone.utc
T0 = datetime(2026, 12, 7, 0, 0, 30, tzinfo=UTC)
MEMBER = "U0MEMBER1"
DM = "D0MEMBER1"
TEAM = SINGLE_WORKSPACE


class Replica(World):
    """One process of the bot: its own engine, on the shared database and the shared Slack."""

    def __init__(self, db_url: str, chat: RecordingChat, clock: Clock):
        super().__init__(db_url, clock, chat=chat, zone="Asia/Tokyo")
        self.mock = self.bot.mock

    def say(self, ts: str, text: str) -> str:
        return self.mock.message(MEMBER, DM, ts, text, self.clock(), team_id=TEAM)


@pytest.fixture
def replicas(db_url):
    chat, clock = RecordingChat(), Clock(T0)
    made: list[Replica] = []

    def replica() -> Replica:
        made.append(Replica(db_url, chat, clock))
        return made[-1]

    yield chat, clock, replica
    for r in made:
        r.close()


def started(replica: Replica, count: int = 2) -> int:
    role = replica.bot.catalog.by_slug("cto")
    result = replica.mock.start(MEMBER, role, count, frozenset(), replica.clock(), team_id=TEAM)
    return result.session_id


def steps(chat: RecordingChat) -> list[str]:
    return [s.key.split(":", 2)[2] for s in chat.of("mock")]


def test_a_retried_dm_event_is_taken_once_and_its_feedback_sent_once(replicas):
    chat, clock, replica = replicas
    a = replica()
    started(a)
    clock.now += timedelta(seconds=40)
    assert a.say("1765065670.000100", "結論から申し上げます。") == Taken.MOVED
    assert a.say("1765065670.000100", "結論から申し上げます。") == Taken.SEEN  # Slack's retry
    clock.now += timedelta(seconds=6)
    a.bot.cycle.tick(clock())
    a.bot.cycle.tick(clock())
    assert steps(chat) == ["1.question", "1.feedback"]


def test_two_replicas_given_the_same_message_and_ticking_together_answer_once(replicas):
    chat, clock, replica = replicas
    a, b = replica(), replica()
    started(a)
    clock.now += timedelta(seconds=40)
    outcomes: list[str] = []
    gate = threading.Barrier(2)

    def deliver(r: Replica) -> None:
        gate.wait()
        outcomes.append(r.say("1765065670.000200", "チーム構成を見直しました。以上です"))

    threads = [threading.Thread(target=deliver, args=(r,)) for r in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [Taken.MOVED, Taken.SEEN]

    def tick(r: Replica) -> None:
        gate.wait()
        r.bot.cycle.tick(clock())

    threads = [threading.Thread(target=tick, args=(r,)) for r in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert steps(chat) == ["1.question", "1.feedback"]  # once, whichever replica sent it
    with a.bot.cycle.sessions() as s:
        assert s.scalars(select(MockSendRow.step).where(MockSendRow.sent_at.is_(None))).all() == []


def test_a_restart_mid_session_continues_at_the_right_step(replicas):
    chat, clock, replica = replicas
    a = replica()
    session_id = started(a)
    clock.now += timedelta(seconds=30)
    a.say("1765065660.000300", "プロダクト単位のチームに分けました。以上です")
    a.close()  # the process goes away after the feedback

    b = replica()
    clock.now += timedelta(seconds=30)
    assert b.say("1765065690.000400", "スキップ") == Taken.MOVED  # the follow-up skipped
    b.mock.flush_member(MEMBER, clock(), team_id=TEAM)
    assert steps(chat)[-1] == "1.model"
    graded = b.mock.grade(session_id, 0, Grade.GOOD, MEMBER, clock(), team_id=TEAM)
    assert graded.grade is Grade.GOOD and steps(chat)[-1] == "2.question"
    assert steps(chat).count("1.question") == 1 and steps(chat).count("1.feedback") == 1


def test_a_rate_limited_step_waits_its_turn_and_the_next_waits_for_it(replicas):
    chat, clock, replica = replicas
    a = replica()
    started(a, count=1)
    chat.failures.append(ChatError("ratelimited", retryable=True, retry_after=30))
    clock.now += timedelta(seconds=20)
    a.say("1765065650.000500", "スキップ")  # the model answer is owed
    a.mock.flush_member(MEMBER, clock(), team_id=TEAM)
    assert steps(chat) == ["1.question"]  # refused with Retry-After 30 s
    clock.now += timedelta(seconds=10)
    a.bot.cycle.tick(clock())
    assert steps(chat) == ["1.question"]  # not before Slack's time
    clock.now += timedelta(seconds=25)
    a.bot.cycle.tick(clock())
    assert steps(chat) == ["1.question", "1.model"]


def test_an_idle_session_ends_with_its_summary(replicas):
    chat, clock, replica = replicas
    a = replica()
    started(a)
    clock.now += timedelta(minutes=29, seconds=59)
    a.bot.cycle.tick(clock())
    assert steps(chat) == ["1.question"]
    clock.now += timedelta(seconds=1)
    assert a.bot.cycle.next_due(clock() - timedelta(seconds=1)) == clock()  # the console's :wait stops there
    a.bot.cycle.tick(clock())
    assert steps(chat) == ["1.question", "summary"]
    summary = chat.of("mock")[-1].mock
    assert summary.kind is SendKind.SUMMARY and summary.summary.phase is Phase.EXPIRED
    with a.bot.cycle.sessions() as s:
        row = s.scalars(select(MockSessionRow)).one()
        assert row.phase == "expired" and row.active_user is None and row.due_at is None
    assert a.mock.running(MEMBER, clock(), team_id=TEAM) is None


class AnswersWhilePosting(RecordingChat):
    """Slack, and a member who answers the moment the question appears: `during_next_post` runs
    while the next step's post is still on its way back to the bot that sent it."""

    def __init__(self) -> None:
        super().__init__()
        self.during_next_post: list = []

    def post_mock(self, channel_id: str, thread_ts: str | None, message, key: str) -> str:
        ts = super().post_mock(channel_id, thread_ts, message, key)
        while self.during_next_post:
            self.during_next_post.pop(0)()
        return ts


def test_an_answer_given_while_its_question_is_still_being_posted_gets_its_feedback_without_waiting_for_the_tick(db_url):
    chat, clock = AnswersWhilePosting(), Clock(T0)
    a, b = Replica(db_url, chat, clock), Replica(db_url, chat, clock)
    try:

        def answer_on_the_other_replica() -> None:
            assert b.say("1765065670.000300", "現場の声を聞いてから優先順位を決めました。以上です") == Taken.MOVED
            b.mock.flush_member(MEMBER, clock(), team_id=TEAM)  # finds the question still claimed by a

        chat.during_next_post.append(answer_on_the_other_replica)
        started(a)  # a posts question 1; the answer and its flush happen meanwhile
        assert steps(chat) == ["1.question", "1.feedback"]  # no tick in between
    finally:
        a.close()
        b.close()
