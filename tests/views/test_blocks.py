"""Every view stays within Slack's Block Kit limits, and long lists split between items."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.role import Question
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.testing.reading import all_text
from bot.testing.slack_text import assert_within_limits
from bot.views import blocks as ui


@pytest.mark.parametrize(
    "text",
    [
        "",
        "list",
        "ciso",
        "ciso duties",
        "ciso skills",
        "ciso paths",
        "ciso collaboration",
        "ciso outlook",
        "ciso learn",
        "ciso questions",
        "ciso question",
        "nope",
    ],
)
def test_every_view_of_the_shipped_content_is_within_limits(router, text):
    assert_within_limits(router.handle_command(text, team_id=SINGLE_WORKSPACE))


def test_role_card_shows_title_description_summary_and_all_paths(router):
    card = router.handle_command("ciso", team_id=SINGLE_WORKSPACE)
    text = all_text(card)
    assert card.blocks[0] == ui.header("CISO（最高情報セキュリティ責任者）")  # the job, not the article
    assert "CISO（Chief Information Security Officer, 最高情報セキュリティ責任者）のプロジェクトポジション" in all_text(card)
    assert "CISO（最高情報セキュリティ責任者）の戦略策定" in text
    assert "セキュリティエンジニア → セキュリティマネージャー → CISO" in text
    assert "ネットワーク管理者 → CSIRT責任者 → CISO" in text
    assert "IT統制・監査部門 → 情報セキュリティ責任者 → CISO" in text
    buttons = [e for b in card.blocks if b["type"] == "actions" for e in b["elements"]]
    labels = [b["text"]["text"] for b in buttons]
    assert {"主な業務", "スキル", "協業スタイル", "将来展望", "学習方法", "面接質問", "🎲 練習問題"} <= set(labels)
    assert "セキュリティエンジニア" in labels and "CTO" in labels  # related roles open with one press
    assert "チャンネルにシェア" in labels


def test_questions_section_lists_all_twenty_with_answer_points(router):
    text = all_text(router.handle_command("ciso questions", team_id=SINGLE_WORKSPACE))
    for n in range(1, 21):
        assert f"*Q{n}.*" in text
    assert text.count("回答ポイント：") == 20
    assert "全20問（うち回答ポイント付き 20問）" in text


def test_a_huge_role_is_split_between_items_and_capped_at_50_blocks(router):
    ciso = router.catalog.by_slug("ciso_project_position")
    item = "長い業務の説明" * 40  # 280 characters
    huge = replace(
        ciso,
        duties=tuple(f"{i}:{item}" for i in range(800)),
        questions=tuple(Question(i, f"質問{i}" + "あ" * 200, ("ポイント" * 50,)) for i in range(1, 301)),
    )
    for message in (ui.section_view(huge, "duties"), ui.section_view(huge, "questions"), ui.role_card(huge, [])):
        assert_within_limits(message)
    duties = ui.section_view(huge, "duties")
    sections = [b["text"]["text"] for b in duties.blocks if b["type"] == "section"]
    # Every section ends on a whole item: no item is cut in the middle.
    for text in sections:
        for line in text.split("\n"):
            assert line.endswith(item), line[-20:]
    assert duties.blocks[-1]["type"] == "actions"  # navigation survives the cut
    assert any("一部を省略" in str(b) for b in duties.blocks)


def test_split_lines_never_exceeds_the_limit_even_for_one_giant_line():
    chunks = ui.split_lines(["a" * 7000, "b" * 10, "c" * 2995], limit=3000)
    assert all(len(c) <= 3000 for c in chunks)
    assert "".join(c.replace("\n", "") for c in chunks) == "a" * 7000 + "b" * 10 + "c" * 2995


def test_unknown_role_is_escaped_and_suggests(router):
    message = router.handle_command("<!channel> <@U123> <https://evil|click>", team_id=SINGLE_WORKSPACE)
    text = all_text(message)
    assert "<!channel>" not in text and "<@U123>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt;" in text
    assert "見つかりませんでした" in text
