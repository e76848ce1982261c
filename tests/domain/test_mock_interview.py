"""A mock interview as the member lives it: the question, their answer in one or more messages, the
feedback and the follow-up, 📖 and the grade, the next question, and the summary; stopping, skipping
and walking away."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain import mock_interview as mock
from bot.domain.answer_feedback import Verdict
from bot.domain.memory import Grade, Review, replay
from bot.domain.mock_interview import Phase, Refused, Send, SendKind
from bot.domain.role import Level, Question, Role

UTC = timezone.utc
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
C, P, M = Verdict.COVERED, Verdict.PARTLY, Verdict.MISSING


def q(
    number: int,
    follow_up: str = "もう少し詳しく教えてください。",
    points: str = "結論から話す、数字で示す、学びを語る",
    level: Level | None = Level.MIDDLE,
) -> Question:
    return Question(number, f"質問{number}", (points,) if points else (), follow_up=follow_up, id=f"q{number:09d}", level=level)


ROLE = Role(
    "cto", "CTO", "CTO", "", "", questions=(q(1), q(2, follow_up=""), q(3, level=Level.JUNIOR), q(4, level=Level.SENIOR), q(5, points=""))
)


def kinds(moved: mock.Moved) -> list[tuple[str, int]]:
    return [(str(s.kind), s.index) for s in moved.sends]


def started(count: int = 2) -> mock.MockSession:
    return mock.start("cto", ROLE.questions[:count], T0).session


# ----------------------------------------------------------------------------- the flow


def test_a_session_asks_the_first_question_at_once():
    moved = mock.start("cto", ROLE.questions[:2], T0)
    assert kinds(moved) == [("question", 0)]
    assert moved.session.phase is Phase.ASKED and moved.session.current.asked_at == T0
    assert moved.session.step == "1.asked"


def test_the_feedback_follows_a_few_seconds_after_the_last_answer_message_not_before():
    session = started()
    first = mock.answer(session, T0 + timedelta(seconds=30), [C, M, M])
    assert first.sends == () and first.session.phase is Phase.ANSWERING
    second = mock.answer(first.session, T0 + timedelta(seconds=33), [M, P, M])
    assert mock.tick(second.session, T0 + timedelta(seconds=37)).sends == ()  # 4 s after the last message
    assert second.session.deadline() == T0 + timedelta(seconds=33) + mock.ANSWER_QUIET
    fed = mock.tick(second.session, T0 + timedelta(seconds=38))
    assert kinds(fed) == [("feedback", 0)]
    # The best verdict per point over both messages; the answer took until its last message.
    assert fed.session.current.verdicts == (C, P, M)
    assert fed.session.current.answer_time == timedelta(seconds=33)
    assert fed.session.phase is Phase.FOLLOW_UP


def test_saying_以上です_brings_the_feedback_at_once():
    moved = mock.answer(started(), T0 + timedelta(seconds=50), [C, C, M], done=True)
    assert kinds(moved) == [("feedback", 0)]


def test_after_the_follow_up_answer_come_the_model_answer_and_the_grade_buttons():
    session = mock.answer(started(), T0 + timedelta(seconds=50), [C, C, M], done=True).session
    moved = mock.answer(session, T0 + timedelta(seconds=80), done=False)
    assert moved.sends == () and moved.session.phase is Phase.FOLLOW_UP_ANSWERING
    shown = mock.tick(moved.session, T0 + timedelta(seconds=86))
    assert kinds(shown) == [("model", 0)] and shown.session.phase is Phase.GRADING
    # The follow-up answer changes nothing about the verdicts of the answer.
    assert shown.session.current.verdicts == (C, C, M)


def test_a_question_without_a_follow_up_goes_from_the_feedback_straight_to_the_model_answer():
    session = mock.start("cto", (ROLE.questions[1],), T0).session
    moved = mock.answer(session, T0 + timedelta(seconds=20), [C, C, C], done=True)
    assert kinds(moved) == [("feedback", 0), ("model", 0)]
    assert moved.session.phase is Phase.GRADING


def test_a_grade_asks_the_next_question_and_the_last_grade_ends_with_the_summary():
    session = mock.answer(started(), T0 + timedelta(seconds=20), [C, C, C], done=True).session
    session = mock.skip(session, T0 + timedelta(seconds=30)).session  # the follow-up skipped
    moved = mock.grade(session, 0, Grade.GOOD, T0 + timedelta(seconds=40))
    assert kinds(moved) == [("question", 1)]
    assert moved.session.turns[0].grade is Grade.GOOD and moved.session.current.asked_at == T0 + timedelta(seconds=40)
    last = mock.answer(moved.session, T0 + timedelta(seconds=90), [P, M, M], done=True).session
    ended = mock.grade(last, 1, Grade.HARD, T0 + timedelta(seconds=100))
    assert kinds(ended) == [("summary", -1)]
    assert ended.session.phase is Phase.ENDED and not ended.session.active and ended.session.deadline() is None


def test_each_send_has_its_own_key_in_the_session():
    keys = [
        Send(SendKind.QUESTION, 0).key,
        Send(SendKind.FEEDBACK, 0).key,
        Send(SendKind.MODEL_ANSWER, 0).key,
        Send(SendKind.QUESTION, 1).key,
        Send(SendKind.SUMMARY).key,
    ]
    assert keys == ["1.question", "1.feedback", "1.model", "2.question", "summary"]


# ----------------------------------------------------------------------------- skipping, stopping


def test_skipping_the_answer_goes_to_the_model_answer_without_feedback():
    moved = mock.skip(started(), T0 + timedelta(seconds=5))
    assert kinds(moved) == [("model", 0)]
    assert moved.session.current.skipped and moved.session.current.answered_at is None


def test_skipping_the_grade_asks_the_next_question_without_a_grade():
    session = mock.skip(started(), T0 + timedelta(seconds=5)).session
    moved = mock.skip(session, T0 + timedelta(seconds=6))
    assert kinds(moved) == [("question", 1)] and moved.session.turns[0].grade is None


def test_stopping_ends_with_the_summary_and_nothing_more_is_taken():
    moved = mock.stop(started(), T0 + timedelta(minutes=1))
    assert kinds(moved) == [("summary", -1)] and moved.session.phase is Phase.STOPPED
    for refused in (
        lambda s: mock.answer(s, T0, [C]),
        lambda s: mock.skip(s, T0),
        lambda s: mock.stop(s, T0),
        lambda s: mock.grade(s, 0, Grade.GOOD, T0),
    ):
        with pytest.raises(Refused) as caught:
            refused(moved.session)
        assert caught.value.reason in ("finished", "not_yet")


def test_a_message_while_a_grade_is_awaited_is_no_answer_and_asks_for_the_buttons():
    session = mock.skip(started(), T0).session
    moved = mock.answer(session, T0 + timedelta(seconds=10), [C, C, C])
    assert kinds(moved) == [("nudge", 0)] and moved.session.phase is Phase.GRADING
    assert moved.session.current.verdicts == ()


# ----------------------------------------------------------------------------- grades


def test_a_grade_before_the_model_answer_is_refused_and_the_same_grade_twice_changes_nothing():
    session = started()
    with pytest.raises(Refused) as caught:
        mock.grade(session, 0, Grade.GOOD, T0)
    assert caught.value.reason == "not_yet"
    with pytest.raises(Refused):
        mock.grade(session, 7, Grade.GOOD, T0)
    grading = mock.skip(session, T0).session
    moved = mock.grade(grading, 0, Grade.EASY, T0 + timedelta(seconds=1))
    again = mock.grade(moved.session, 0, Grade.EASY, T0 + timedelta(seconds=2))
    assert again.sends == () and again.session == moved.session


def test_an_earlier_questions_grade_can_be_changed_without_moving_on():
    session = mock.skip(started(), T0).session
    session = mock.grade(session, 0, Grade.AGAIN, T0 + timedelta(seconds=1)).session
    moved = mock.grade(session, 0, Grade.GOOD, T0 + timedelta(seconds=2))
    assert moved.sends == () and moved.session.turns[0].grade is Grade.GOOD and moved.session.index == 1


# ----------------------------------------------------------------------------- time


def test_a_session_idle_for_30_minutes_ends_with_the_summary():
    session = mock.answer(started(), T0 + timedelta(seconds=20), [C, C, C], done=True).session  # follow-up asked
    assert session.deadline() == T0 + timedelta(seconds=20) + mock.IDLE_LIMIT
    assert mock.tick(session, T0 + timedelta(minutes=30, seconds=19)).sends == ()
    moved = mock.tick(session, T0 + timedelta(minutes=30, seconds=20))
    assert kinds(moved) == [("summary", -1)] and moved.session.phase is Phase.EXPIRED


def test_every_move_keeps_the_session_alive_for_another_30_minutes():
    session = mock.answer(started(), T0 + timedelta(minutes=20), [C, M, M]).session
    fed = mock.tick(session, T0 + timedelta(minutes=25)).session  # the feedback, 5 minutes later
    assert mock.tick(fed, T0 + timedelta(minutes=40)).sends == ()
    assert fed.deadline() == T0 + timedelta(minutes=55)


# ----------------------------------------------------------------------------- choosing questions


def test_questions_come_due_cards_first_then_unseen_then_the_rest_and_only_with_points_at_the_levels():
    now = T0
    due_soon = replay([Review(Grade.AGAIN, now - timedelta(days=3))])  # due two days ago
    due_sooner = replay([Review(Grade.AGAIN, now - timedelta(days=5))])
    later = replay([Review(Grade.EASY, now - timedelta(days=1))])
    memories = {"q000000002": due_soon, "q000000004": due_sooner, "q000000003": later}
    chosen = mock.choose_questions(ROLE, memories, due_before=now + timedelta(hours=12), count=10)
    assert [c.number for c in chosen] == [4, 2, 1, 3]  # question 5 has no points
    middle = mock.choose_questions(ROLE, memories, due_before=now, count=10, levels=frozenset({Level.MIDDLE}))
    assert [c.number for c in middle] == [2, 1]


def test_another_session_avoids_the_last_ones_questions_while_there_are_others():
    chosen = mock.choose_questions(ROLE, {}, due_before=T0, count=2, avoid={"q000000001", "q000000002"})
    assert {c.number for c in chosen} == {3, 4}
    everything = mock.choose_questions(ROLE, {}, due_before=T0, count=4, avoid={"q000000001"})
    assert everything[-1].number == 1


@pytest.mark.parametrize("count", [0, 11])
def test_a_session_asks_1_to_10_questions(count):
    with pytest.raises(ValueError):
        mock.choose_questions(ROLE, {}, due_before=T0, count=count)


# ----------------------------------------------------------------------------- the summary


def test_the_summary_counts_verdicts_grades_times_and_the_points_most_often_missed():
    shared = Question(6, "質問6", ("結論から話す、失敗から学ぶ",), id="q000000006")
    role = Role("cto", "CTO", "CTO", "", "", questions=(ROLE.questions[0], shared, ROLE.questions[2]))
    session = mock.start("cto", role.questions, T0).session
    session = mock.answer(session, T0 + timedelta(seconds=70), [M, C, P], done=True).session
    session = mock.skip(session, T0 + timedelta(seconds=80)).session
    session = mock.grade(session, 0, Grade.HARD, T0 + timedelta(seconds=90)).session
    session = mock.answer(session, T0 + timedelta(seconds=150), [M, M], done=True).session
    session = mock.grade(session, 1, Grade.AGAIN, T0 + timedelta(seconds=160)).session
    session = mock.stop(session, T0 + timedelta(seconds=170)).session
    card = replay([Review(Grade.AGAIN, T0 + timedelta(seconds=160))])
    summary = mock.summarise(session, {x.id: x for x in role.questions}, {"q000000006": card})

    assert summary.phase is Phase.STOPPED and summary.planned == 3
    assert [(t.number, t.covered, t.partly, t.missing, t.grade) for t in summary.turns] == [
        (1, 1, 1, 1, Grade.HARD),
        (2, 0, 0, 2, Grade.AGAIN),
        (3, 0, 0, 3, None),
    ]
    assert [t.answer_time for t in summary.turns[:2]] == [timedelta(seconds=70), timedelta(seconds=60)]
    assert not summary.turns[2].answered  # asked, then stopped
    # 「結論から話す」 was missing from both answers: it comes first.
    assert [(m.point, m.count, m.numbers) for m in summary.missed] == [("結論から話す", 2, (1, 2)), ("失敗から学ぶ", 1, (2,))]
    assert summary.turns[1].next_due == card.due and summary.next_review == card.due


def test_a_question_removed_from_the_content_is_left_out_of_the_summary():
    session = mock.stop(started(), T0).session
    summary = mock.summarise(session, {}, {})
    assert summary.turns == () and summary.missed == ()


def test_the_session_holds_verdict_codes_and_times_only():
    """Nothing in a session could hold what the member wrote: no field is text but ids and steps."""
    session = mock.answer(started(), T0 + timedelta(seconds=20), [C, P, M], done=True).session
    texts = [value for turn in session.turns for value in vars(turn).values() if isinstance(value, str)]
    assert texts == ["q000000001", "q000000002"]


def test_a_shorter_quiet_spell_brings_the_feedback_sooner_and_not_before_it():
    """MOCK_ANSWER_QUIET_SECONDS: the wait after an answer's last message, 5 s unless configured."""
    answered = mock.answer(started(), T0 + timedelta(seconds=30), [C, P, M])
    one = timedelta(seconds=1)
    assert answered.session.deadline(one) == T0 + timedelta(seconds=31)
    assert mock.tick(answered.session, T0 + timedelta(seconds=30, milliseconds=900), one).sends == ()
    assert kinds(mock.tick(answered.session, T0 + timedelta(seconds=31), one)) == [("feedback", 0)]
    assert mock.tick(answered.session, T0 + timedelta(seconds=31)).sends == ()  # the default waits 5 s
