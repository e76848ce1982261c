"""The Markdown of a workspace's own questions: what `render` writes is what `parse` reads back, in
the content format the role documents use (read by the same reader), and what `parse` cannot use
is one sentence each, with its line and question number."""

from __future__ import annotations

import dataclasses

import pytest

from bot.content.question_exchange import HEADING_TAIL, Section, heading_names, parse, render
from bot.content.sections import read_sections, section_kind
from bot.domain.catalog import Resolved, RoleCatalog
from bot.domain.role import Level, QuestionKind
from bot.domain.team_questions import COMMON_TARGET, Draft
from bot.testing import CONTENT_DIR
from bot.testing.content import read_once

MODEL = "私は前職で" + "障害対応の仕組みを整え、" * 20 + "その結果を数字で示しました。"
DRAFT = Draft(
    target="cto",
    text="直近で最も難しかった技術的な判断は何ですか？",
    points=("判断の背景と制約", "比べた選択肢: A案とB案", "結果とその測り方"),
    follow_up="いま振り返ると、別の判断をしますか？",
    model_answer=MODEL,
    weak_answer="「難しい判断はありませんでした。」→ 経験を語れていません。",
    level=Level.MIDDLE,
    kind=QuestionKind.EXPERIENCE,
)


@pytest.fixture(scope="module")
def catalog() -> RoleCatalog:
    return RoleCatalog(read_once(CONTENT_DIR).roles)


@pytest.fixture(scope="module")
def resolve(catalog):
    def resolve(name: str) -> str | None:
        found = catalog.resolve(name)
        if not isinstance(found, Resolved):
            return None
        return COMMON_TARGET if found.role.is_common else found.role.slug

    return resolve


def test_every_roles_heading_is_a_questions_section_that_names_its_role(catalog, resolve):
    for role in catalog.documents:
        label = "共通質問" if role.is_common else role.short_title or role.title
        heading = f"{label}{HEADING_TAIL}"
        assert section_kind(heading) == "questions", heading
        assert resolve(heading_names(heading)[0]) == (COMMON_TARGET if role.is_common else role.slug)


def test_render_writes_the_content_format_one_bullet_per_point_and_every_marker():
    text = render([Section("CTO", [("t-0a1b2c3d", DRAFT)])])
    assert "## CTO：チームの質問（面接でよく聞かれる質問）" in text
    lines = text.splitlines()
    first = lines.index("1. **直近で最も難しかった技術的な判断は何ですか？**")
    assert lines[first + 2 : first + 11] == [
        "   * *回答ポイント：判断の背景と制約*",
        "   * *回答ポイント：比べた選択肢: A案とB案*",
        "   * *回答ポイント：結果とその測り方*",
        "   * *深掘り：いま振り返ると、別の判断をしますか？*",
        f"   * *模範解答：{MODEL}*",
        "   * *NG例：「難しい判断はありませんでした。」→ 経験を語れていません。*",
        "   * *レベル：中級*",
        "   * *種類：経験*",
        "   * *ID：t-0a1b2c3d*",
    ]
    # The content reader finds the section and every bullet of the question.
    body = text[text.index("## ") :]
    fields, warnings = read_sections(body, 0)
    (question,) = fields["questions"]
    assert warnings == []
    assert question.id == "t-0a1b2c3d" and question.answer_points == DRAFT.points
    assert (question.follow_up, question.model_answer, question.level, question.kind) == (
        DRAFT.follow_up,
        MODEL,
        Level.MIDDLE,
        QuestionKind.EXPERIENCE,
    )


def test_what_render_writes_parse_reads_back_unchanged(resolve):
    drafts = [dataclasses.replace(DRAFT, text=f"{i}番目の質問として、何を大切にしていますか？") for i in range(12)]
    common = dataclasses.replace(DRAFT, target=COMMON_TARGET, model_answer="一行目です。\n\n三行目です。", follow_up="")
    text = render(
        [
            Section("CTO", [(f"t-0000000{i % 10}" if i < 10 else "", d) for i, d in enumerate(drafts)]),
            Section("共通質問", [("t-ffffffff", common)]),
        ]
    )
    # Two-digit numbers keep their bullets under them (four spaces).
    assert "10. **9番目の質問として、何を大切にしていますか？**" in text and "    * *ID：t-00000009*" in text
    parsed = parse(text, resolve)
    assert parsed.problems == ()
    assert [(q.target, q.question_id, q.draft) for q in parsed.questions] == [
        *(("cto", f"t-0000000{i % 10}" if i < 10 else "", d) for i, d in enumerate(drafts)),
        (COMMON_TARGET, "t-ffffffff", common),
    ]
    assert "*模範解答：一行目です。<br><br>三行目です。*" in text


def test_a_role_document_and_a_pasted_block_in_the_content_style_are_read(resolve):
    document = parse((CONTENT_DIR / "cto.md").read_text(encoding="utf-8"), resolve)
    assert document.problems == () and len(document.questions) == 20
    assert {q.target for q in document.questions} == {"cto"} and all(q.question_id == "" for q in document.questions)
    pasted = parse(
        "## SRE：チームの質問\n\n1. **SLOはどう決めますか？ 具体的に教えてください。**\n"
        "   * *回答ポイント：SLIの選び方、目標値の合意*\n   * *レベル：初級*\n   * *種類：知識*\n",
        resolve,
    )
    (question,) = pasted.questions
    # A content-style line of points is split into its points (a team question keeps one per bullet).
    assert question.target == "sre" and question.draft.points == ("SLIの選び方", "目標値の合意")


def test_what_cannot_be_used_is_one_sentence_with_its_line_and_number(resolve):
    text = render([Section("CTO", [("t-0a1b2c3d", DRAFT), ("", dataclasses.replace(DRAFT, text="二つ目の質問は何でしょうか？"))])])
    text = text.replace("ID：t-0a1b2c3d", "ID：T-0A1B") + "\n## 宇宙飛行士：チームの質問\n\n1. **宇宙で何をしますか？ 教えてください。**\n"
    text = (
        "1. **見出しの前の質問ですか？**\n\n"
        + text
        + "\n## 業務\n\n1. 業務の一覧\n\n## 共通質問：チームの質問\n\n1. **自己紹介をしてください。**\n\n2. **自己紹介をしてください。**\n"
    )
    parsed = parse(text, resolve)
    sentences = [(p.target, p.number, p.sentence) for p in parsed.problems]
    assert sentences[0][2].startswith("最初の見出しより前に番号付きの質問があります")
    assert (
        "cto",
        1,
        "ID「T-0A1B」は使えません。IDは「t-」と8桁の16進数（例：t-1a2b3c4d）にするか、新しい質問なら書かないでください。",
    ) in sentences
    assert any(s.startswith("見出し「宇宙飛行士：チームの質問」の職種が見つからない") for _, _, s in sentences)
    assert any(s.startswith("見出し「業務」は質問の見出しとして読めない") for _, _, s in sentences)
    assert any(t == COMMON_TARGET and n == 2 and s.startswith("同じ文面の質問が") for t, n, s in sentences)
    # The good ones are still read: the second CTO question and the first common one.
    assert [(q.target, q.number) for q in parsed.questions] == [("cto", 2), (COMMON_TARGET, 1)]
    lines = text.splitlines()
    assert all(0 < p.line <= len(lines) for p in parsed.problems)
    assert lines[parsed.problems[1].line - 1] == "   * *ID：T-0A1B*"  # the line of the bad id itself


def test_nothing_to_read_is_said_once(resolve):
    assert [p.sentence[:13] for p in parse("", resolve).problems] == ["質問が見つかりませんでした"]
    assert [p.sentence[:13] for p in parse("# タイトルだけ\n\nよろしく。\n", resolve).problems] == ["質問が見つかりませんでした"]
