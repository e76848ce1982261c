"""What the loader forgives in a hand-written role document, and where it says it looked."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import ContentError, parse_role

FRONT_MATTER = "---\ntitle: テスト職種のプロジェクトポジション\nslug: test_role\nmeta_description: テスト用の職種。\n---\n"
PATH = Path("test_role.md")


def test_warnings_name_the_heading_line_counted_from_the_top_of_the_file():
    text = FRONT_MATTER + (
        "\n"  # line 6
        "## 1. テスト職種とは？\n"  # line 7
        "概要の段落。\n"
        "\n"
        "## 8. 面接でよくある質問\n"  # line 10
        "1. **最初の質問？**\n"
        "1. **番号が重なった質問？**\n"
        "\n"
        "## 9. 🎉 雑記\n"  # line 14
        "\n"
        "## 10. もう一つの面接\n"  # line 16
        "1. 読まれない質問？\n"
    )
    role, warnings = parse_role(text, PATH)
    assert [q.text for q in role.questions] == ["最初の質問？"]
    assert warnings == [
        "line 10: question 1 is numbered twice; the later one is skipped",
        "line 14: section '9. 🎉 雑記' is not one the bot knows; it is skipped",
        "line 16: a second 'questions' section is skipped",
        "no career paths (a list of 'A → B → C' under a キャリアパス heading)",
    ]


def test_answer_points_quoted_or_unindented_still_belong_to_their_question():
    text = FRONT_MATTER + (
        "## 💬 面接\n"
        "1. **一つ目の質問？**\n"
        "   > - 回答ポイント：引用の中の要点\n"
        "2. **二つ目の質問？**\n"
        "- *ポイント：字下げを忘れた要点*\n"
        "\n"
        "質問の後の注記。\n"
    )
    role, _ = parse_role(text, PATH)
    assert [(q.number, q.answer_points) for q in role.questions] == [
        (1, ("引用の中の要点",)),
        (2, ("字下げを忘れた要点",)),
    ]
    assert role.questions_note == "質問の後の注記。"


def test_a_questions_section_without_a_numbered_list_is_an_error_at_its_heading():
    text = FRONT_MATTER + "\n## 面接\n- 番号のない質問？\n"
    with pytest.raises(ContentError) as raised:
        parse_role(text, PATH)
    assert raised.value.line == 7
    assert "no numbered questions" in str(raised.value)
