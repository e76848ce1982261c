"""What a member reads in a mock interview: each message as the console (and a Slack reader) shows
it, escaped and within Slack's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.domain import mock_interview as mock
from bot.domain.answer_feedback import Verdict
from bot.domain.memory import Grade, Review, replay
from bot.domain.role import Level, Question, QuestionKind
from bot.testing.slack_text import problems
from bot.views import mock_blocks
from bot.views.action_ids import Kind, decode
from bot.views.blocks import MAX_BLOCKS
from bot.views.plaintext import render

UTC = timezone.utc
T0 = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # 9:00 in Tokyo
HOSTILE = "R&D <!channel> <@U123> <https://evil|click> `<職種|all>`"
C, P, M = Verdict.COVERED, Verdict.PARTLY, Verdict.MISSING


@pytest.fixture
def cto(router):
    return router.catalog.by_slug("cto")


def shown(message) -> tuple[str, list[str]]:
    text, buttons = render(message.blocks)
    return text, [b["text"]["text"] for b in buttons]


def test_a_question_shows_its_number_in_the_session_level_kind_and_the_time_guide(cto):
    question = replace(cto.questions[0], level=Level.MIDDLE, kind=QuestionKind.EXPERIENCE)
    message = mock_blocks.question_message(cto, question, 2, 5)
    text, buttons = shown(message)
    assert "🎤 模擬面接 Q2/5（CTO）" in text
    assert "レベル：中級｜種類：経験｜目安：1〜2分で" in text
    assert "以上です" in text and "スキップ" in text and "終了" in text
    assert buttons == [] and not message.ephemeral  # a normal message: it stays after a reload
    assert message.text.startswith("🎤 模擬面接 Q2/5（CTO）: ")


def test_the_feedback_marks_each_point_then_the_interviewer_asks_the_follow_up(cto):
    question = next(q for q in cto.questions if q.follow_up and len(q.points) >= 3)
    text, _ = shown(mock_blocks.feedback_message(cto, question, 1, (C, P)))
    lines = text.splitlines()
    assert lines[0] == "🔍 Q1 の回答と回答ポイント"
    assert [line[0] for line in lines[1 : 1 + len(question.points)]] == ["✓", "△"] + ["–"] * (len(question.points) - 2)
    assert "✓ 触れている　△ 一部触れている　– まだ触れていない" in text
    interviewer = text.index("🎤 面接官：")
    assert interviewer > text.index("– ") and "深掘りの質問に答えてください" in text[interviewer:]


def test_the_feedback_of_a_question_without_follow_up_asks_nothing_more(cto):
    question = replace(cto.questions[0], follow_up="")
    text, _ = shown(mock_blocks.feedback_message(cto, question, 1, (C,), shortened=True))
    assert "面接官" not in text and "最初の2,000文字だけを判定しました" in text


def test_the_model_answer_comes_with_the_weak_answer_and_four_grade_buttons_for_this_session(cto):
    question = next(q for q in cto.questions if q.model_answer and q.weak_answer)
    message = mock_blocks.model_answer_message(cto, question, 3, session_id=42, index=2)
    text, buttons = shown(message)
    assert text.startswith("📖 Q3 の模範解答（CTO）") and "よくある弱い回答（NG例）" in text
    assert buttons == ["😵 忘れた", "😓 苦労したが思い出せた", "🙂 普通に思い出せた", "😎 簡単"]
    elements = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    pressed = decode(elements[2]["action_id"], elements[2]["value"])
    assert pressed.kind is Kind.MOCK_GRADE and (pressed.row_id_at(0), pressed.int_at(1), pressed.int_at(2)) == (42, 2, int(Grade.GOOD))


def test_once_graded_the_model_answer_shows_the_grade_and_no_buttons(cto):
    question = cto.questions[0]
    message = mock_blocks.model_answer_message(cto, question, 1, 42, 0, graded=Grade.HARD, next_due=T0 + timedelta(days=3))
    text, buttons = shown(message)
    assert buttons == [] and "✅ 自己評価：苦労した（次の復習：12月10日ごろ）" in text and message.replace_original


def test_a_question_without_a_model_answer_shows_its_points_instead(cto):
    question = replace(cto.questions[0], model_answer="", weak_answer="")
    text, _ = shown(mock_blocks.model_answer_message(cto, question, 1, 1, 0))
    assert "回答ポイント" in text and f"• {question.points[0]}"[:10] in text


def test_the_summary_per_question_missed_points_next_reviews_and_two_buttons(cto):
    questions = cto.questions[:3]
    session = mock.start("cto", questions, T0).session
    session = mock.answer(session, T0 + timedelta(seconds=80), [C] + [M] * 9, done=True).session
    session = mock.skip(session, T0 + timedelta(seconds=90)).session
    if session.phase is not mock.Phase.GRADING:
        session = mock.skip(session, T0 + timedelta(seconds=95)).session
    session = mock.grade(session, 0, Grade.GOOD, T0 + timedelta(seconds=100)).session
    session = mock.skip(session, T0 + timedelta(seconds=110)).session  # question 2 skipped
    session = mock.stop(session, T0 + timedelta(seconds=120)).session
    memory = replay([Review(Grade.GOOD, T0 + timedelta(seconds=100))])
    summary = mock.summarise(session, {q.id: q for q in questions}, {questions[0].id: memory})
    message = mock_blocks.summary_message(cto, summary, 42, "Asia/Tokyo", T0)
    text, buttons = shown(message)
    assert "🎤 模擬面接の結果（CTO・2問）" in text and "⏹ 模擬面接を途中で終了しました（3問中2問目まで）。" in text
    assert f"✓ 1・△ 0・– {len(questions[0].points) - 1}｜回答 1分20秒｜自己評価：普通｜次の復習" in text
    assert "スキップ｜自己評価：なし" in text
    assert "抜けやすかったポイント" in text and "（Q1）" in text
    assert "次の復習は" in text and "/career review" in text
    assert buttons == ["🔁 もう一度（別の質問で）", "📚 復習をはじめる"]
    assert {decode(e["action_id"], e["value"]).kind for b in message.blocks if b["type"] == "actions" for e in b["elements"]} == {
        Kind.MOCK_AGAIN,
        Kind.MOCK_REVIEW,
    }
    assert not message.ephemeral


def test_an_idle_session_ends_with_a_note_before_its_summary(cto):
    session = mock.start("cto", cto.questions[:2], T0).session
    expired = mock.tick(session, T0 + mock.IDLE_LIMIT).session
    text, _ = shown(mock_blocks.summary_message(cto, mock.summarise(expired, {}, {}), 7, "Asia/Tokyo", T0))
    assert "⏰ 30分間やりとりがなかったため、模擬面接を終了しました。" in text and "まだ回答した質問はありません。" in text


def test_starting_another_asks_whether_to_abandon_the_current_one(cto, router):
    ciso = router.catalog.by_slug("ciso_project_position")
    message = mock_blocks.abandon_prompt(cto, 2, 5, 42, ciso, 3, "2")
    text, buttons = shown(message)
    assert "進行中の模擬面接があります（CTO・5問中2問目）。" in text and "（CISO・3問）を始めますか？" in text
    assert buttons == ["⏹ 終了して新しく始める", "▶️ 今の模擬面接を続ける"]
    elements = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    abandon = decode(elements[0]["action_id"], elements[0]["value"])
    assert abandon.kind is Kind.MOCK_ABANDON and abandon.parts == ("42", ciso.slug, "3", "2")


def test_help_says_how_and_why_a_count_was_refused():
    text, _ = shown(mock_blocks.mock_help(bad_count="11"))
    assert "質問の数「11」は使えません。1〜10の数で指定してください。" in text and "/career mock cto" in text


def hostile_role(cto):
    question = Question(
        1,
        f"{HOSTILE}について",
        (f"ポイント {HOSTILE}、ATT&CK",),
        follow_up=f"深掘り {HOSTILE}",
        id="q1hostile",
        model_answer=f"模範 {HOSTILE}",
        weak_answer=f"NG {HOSTILE}",
    )
    return replace(cto, short_title=f"A&B <x> {HOSTILE}", questions=(question,)), question


def test_every_session_message_escapes_hostile_content(cto):
    role, question = hostile_role(cto)
    session = mock.stop(mock.answer(mock.start(role.slug, (question,), T0).session, T0, [M, C], done=True).session, T0).session
    summary = mock.summarise(session, {question.id: question}, {})
    built = [
        mock_blocks.question_message(role, question, 1, 1),
        mock_blocks.feedback_message(role, question, 1, (C, P), shortened=True),
        mock_blocks.model_answer_message(role, question, 1, 1, 0),
        mock_blocks.model_answer_message(role, question, 1, 1, 0, graded=Grade.EASY, next_due=T0),
        mock_blocks.summary_message(role, summary, 1, "Asia/Tokyo", T0),
        mock_blocks.abandon_prompt(role, 1, 1, 1, role, 1),
        mock_blocks.grade_nudge(),
        mock_blocks.continue_notice(1, 2),
        mock_blocks.started_notice(role, 3),
        mock_blocks.mock_help("<!here>"),
    ]
    found = [problem for message in built for problem in problems(message.payload())]
    assert found == []


def test_a_very_long_model_answer_stays_within_slacks_limits(cto):
    question = replace(cto.questions[0], model_answer="長い模範解答。" * 2000, weak_answer="弱い。" * 2000)
    message = mock_blocks.model_answer_message(cto, question, 1, 1, 0)
    assert problems(message.payload()) == [] and len(message.blocks) <= MAX_BLOCKS
    assert message.blocks[-1]["type"] == "actions"  # the grade buttons survive the cut


def test_a_summary_of_ten_long_questions_stays_within_slacks_limits(cto):
    questions = tuple(
        replace(q, text=q.text * 40, answer_points=(q.answer_points[0] + "、" + "長いポイント" * 200,)) for q in (cto.questions * 4)[:10]
    )
    questions = tuple(replace(q, id=f"q{i:09d}") for i, q in enumerate(questions))
    session = mock.start("cto", questions, T0).session
    for index in range(10):
        session = mock.answer(session, T0 + timedelta(seconds=index * 100 + 50), [M] * 20, done=True).session
        while session.phase is not mock.Phase.GRADING:
            session = mock.skip(session, T0).session
        session = mock.grade(session, index, Grade.AGAIN, T0 + timedelta(seconds=index * 100 + 90)).session
    message = mock_blocks.summary_message(cto, mock.summarise(session, {q.id: q for q in questions}, {}), 1, "Asia/Tokyo", T0)
    assert problems(message.payload()) == [] and len(message.blocks) <= MAX_BLOCKS
    assert shown(message)[1] == ["🔁 もう一度（別の質問で）", "📚 復習をはじめる"]
