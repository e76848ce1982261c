"""What a question teaches beyond its points: the model answer, the weak answer, level and kind,
read from a document, checked by check-content and shown where members practise."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from bot.content.loader import load_directory, parse_role
from bot.content.question_checks import answer_length
from bot.content.report import check_content
from bot.domain.role import DocumentKind, Level, QuestionKind
from bot.testing import CONTENT_DIR
from bot.views.blocks import question_view, section_view
from bot.views.learning_blocks import review_points

MODEL = "私は前職でSLOを設計し、エラーバジェットのルールを事業側と合意しました。" * 5  # 175 characters by itself
WEAK = "「高ければ高いほどよいです。」→ 根拠がなく、SLOの考え方を理解していないと見られます。"


def document(questions: str, front: str = "") -> str:
    return f"""---
title: テスト職
slug: test_role
meta_description: テスト用の職種です。
{front}---

# テスト職

## 1. テスト職とは？

テスト用の職種です。

## 5. キャリアパス

* 初級 → 中級

## 8. 面接でよくある質問とその対策

{questions}
"""


def question(number: int, level: str = "初級", kind: str = "知識", model: str = MODEL + "以上です。" * 20) -> str:
    return f"""{number}. **SLOはどう決めますか？（{number}）**

   * *回答ポイント：SLI、目標値*
   * *深掘り：バジェットが尽きたら？*
   * *模範解答：{model}*
   * *NG例：{WEAK}*
   * *レベル：{level}*
   * *種類：{kind}*
"""


def test_the_new_bullets_are_read_as_what_they_are_not_as_more_answer_points():
    role, warnings = parse_role(document(question(1)), Path("test.md"))
    q = role.questions[0]
    assert q.answer_points == ("SLI、目標値",) and q.points == ("SLI", "目標値")
    assert q.model_answer.startswith("私は前職で") and q.weak_answer == WEAK
    assert q.level is Level.JUNIOR and q.kind is QuestionKind.KNOWLEDGE
    assert warnings == []


def test_unindented_bullets_after_a_question_still_belong_to_it():
    flat = question(1).replace("\n   * ", "\n* ")
    role, _ = parse_role(document(flat), Path("test.md"))
    q = role.questions[0]
    assert q.points == ("SLI", "目標値") and q.level is Level.JUNIOR and q.model_answer.startswith("私は前職で")


def test_an_unknown_level_is_named_in_one_sentence_and_left_unset():
    role, warnings = parse_role(document(question(1, level="超上級")), Path("test.md"))
    assert role.questions[0].level is None
    assert any("レベル「超上級」" in w and "初級・中級・上級" in w for w in warnings)


def test_front_matter_kind_and_reviewed_are_read_and_a_common_document_needs_no_career_paths():
    text = document(question(1), front="kind: common\nreviewed: 2026-12-06\n").replace("## 5. キャリアパス\n\n* 初級 → 中級\n", "")
    role, warnings = parse_role(text, Path("test.md"))
    assert role.kind is DocumentKind.COMMON and role.is_common and role.reviewed == date(2026, 12, 6)
    assert not any("career paths" in w for w in warnings)
    role, warnings = parse_role(text.replace("kind: common\n", ""), Path("test.md"))
    assert role.kind is DocumentKind.ROLE and any("career paths" in w for w in warnings)


def _report(tmp_path: Path, text: str, today: date = date(2026, 12, 6)) -> str:
    (tmp_path / "test_role.md").write_text(text, encoding="utf-8")
    out = io.StringIO()
    check_content(tmp_path, out=out, strict=True, today=today)
    return out.getvalue()


def test_check_content_warns_about_a_question_without_a_model_answer_or_a_level(tmp_path):
    bare = "1. **SLOはどう決めますか？**\n\n   * *回答ポイント：SLI、目標値*\n   * *深掘り：なぜ？*\n"
    out = _report(tmp_path, document(bare))
    assert "Q1 has no 模範解答、NG例、レベル、種類" in out


def test_check_content_warns_about_a_model_answer_outside_200_to_600_characters(tmp_path):
    short = "SLIを選んで目標値を決めます。"
    out = _report(tmp_path, document(question(1, model=short)))
    assert f"Q1's model answer is {answer_length(short)} characters; keep it within 200–600" in out


def test_check_content_warns_when_fewer_than_five_questions_have_a_level(tmp_path):
    questions = "\n".join(question(n, level="中級" if n <= 5 else "上級") for n in range(1, 11))
    out = _report(tmp_path, document(questions))
    assert "only 0 question(s) at level 初級" in out and "level 中級" not in out


def test_check_content_says_when_facts_were_not_reviewed_for_a_year(tmp_path):
    text = document(question(1), front="reviewed: 2025-11-01\n")
    assert "facts last reviewed on 2025-11-01, over a year ago" in _report(tmp_path, text, today=date(2026, 12, 6))
    assert "over a year ago" not in _report(tmp_path, text, today=date(2026, 10, 31))


def test_shipped_documents_have_everything_on_every_question():
    roles = load_directory(CONTENT_DIR).roles
    assert len(roles) >= 9 and sum(r.is_common for r in roles) == 1
    for role in roles:
        for q in role.questions:
            assert q.model_answer and q.weak_answer and "→" in q.weak_answer, (role.slug, q.number)
            assert q.level is not None and q.kind is not None, (role.slug, q.number)
        for level in Level:
            assert sum(q.level is level for q in role.questions) >= 5, (role.slug, level)


def _text(message) -> str:
    return "\n".join(str(b.get("text", "")) + str(b.get("elements", "")) for b in message.blocks)


def test_a_practice_question_shows_its_model_answer_only_once_revealed():
    role = next(r for r in load_directory(CONTENT_DIR).roles if r.slug == "sre")
    q = role.questions[1]
    hidden = _text(question_view(role, q))
    assert q.model_answer[:20] not in hidden and f"レベル：{q.level.value}" in hidden
    shown = _text(question_view(role, q, revealed=True))
    assert q.model_answer[:20] in shown and "NG例" in shown


def test_the_question_list_shows_each_level_and_the_count_per_level():
    role = next(r for r in load_directory(CONTENT_DIR).roles if r.slug == "sre")
    text = _text(section_view(role, "questions"))
    assert f"［{role.questions[0].level.value}］" in text
    counts = {level: sum(q.level is level for q in role.questions) for level in Level}
    assert f"初級 {counts[Level.JUNIOR]}問・中級 {counts[Level.MIDDLE]}問・上級 {counts[Level.SENIOR]}問" in text


def test_the_review_card_shows_the_model_answer_with_the_points():
    role = next(r for r in load_directory(CONTENT_DIR).roles if r.slug == "cto")
    q = role.questions[0]
    text = _text(review_points(role, q, due_today=3))
    assert q.model_answer[:20] in text and "NG例" in text


def test_check_content_warns_when_a_points_keywords_match_another_point_of_the_question(tmp_path):
    overlapping = question(1).replace("   * *深掘り：", "   * *キーワード：SLI/目標値 | 目標値*\n   * *深掘り：")
    out = _report_with_analyser(tmp_path, document(overlapping))
    assert "Q1 point 1's keywords match point 2「目標値」 too" in out
    assert "Q1 point 2 has a single keyword" in out


def _report_with_analyser(tmp_path: Path, text: str) -> str:
    from bot.composition import default_analyser

    (tmp_path / "test_role.md").write_text(text, encoding="utf-8")
    out = io.StringIO()
    check_content(tmp_path, out=out, strict=True, today=date(2026, 12, 6), analyse=default_analyser())
    return out.getvalue()
