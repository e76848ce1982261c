"""Buttons, including forged and stale ones, as the Slack listeners and the console press them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.commands.router import CommandRouter
from bot.composition import build_router
from bot.config import load_settings
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.testing.reading import all_text
from bot.usecases.lookups import Lookups

# Two roles of one question each, so which question a practice draw shows is never up to chance:
# the shipped documents keep gaining answer points, these stay as they are.
WITH_POINTS = """---
title: 面接練習A
slug: drill_a
meta_description: 回答ポイントのある質問がひとつだけの職種
---
## 8. 面接でよくある質問
1. **チームの信頼をどう築きますか？**

   * *回答ポイント：約束を守る、小さな成果を共有する*
"""
WITHOUT_POINTS = """---
title: 面接練習B
slug: drill_b
meta_description: 回答ポイントのない質問がひとつだけの職種
---
## 8. 面接でよくある質問
1. **失敗から何を学びましたか？**
"""


@pytest.fixture
def practice(tmp_path: Path):
    (tmp_path / "drill_a.md").write_text(WITH_POINTS, encoding="utf-8")
    (tmp_path / "drill_b.md").write_text(WITHOUT_POINTS, encoding="utf-8")
    return build_router(load_settings({"CONTENT_DIR": str(tmp_path)}), rng=random.Random(7))


def test_practice_question_then_reveal_shows_answer_points(practice):
    question = practice.handle_command("drill_a question", team_id=SINGLE_WORKSPACE)
    assert "Q1 / 1" in all_text(question) and "チームの信頼をどう築きますか？" in all_text(question)
    reveal = next(
        e for b in question.blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"].startswith("career.reveal_points")
    )
    assert reveal["value"] == "drill_a|1"
    revealed = practice.handle_action(reveal["action_id"], reveal["value"], user_id="U1", team_id=SINGLE_WORKSPACE)
    text = all_text(revealed)
    assert revealed.ephemeral
    assert "回答ポイント" in text and "約束を守る、小さな成果を共有する" in text
    assert "まだありません" not in text


def test_question_without_points_offers_no_reveal_button_and_says_why(practice):
    question = practice.handle_command("drill_b question", team_id=SINGLE_WORKSPACE)
    action_ids = [e["action_id"] for b in question.blocks if b["type"] == "actions" for e in b["elements"]]
    assert "失敗から何を学びましたか？" in all_text(question)
    assert "この質問には回答ポイントがまだありません" in all_text(question)
    assert not any(a.startswith("career.reveal_points") for a in action_ids) and any(a.startswith("career.practice") for a in action_ids)
    # A stale button from before the points were removed still gets an honest answer.
    revealed = practice.handle_action("career.reveal_points", "drill_b|1", user_id="U1", team_id=SINGLE_WORKSPACE)
    assert "この質問には回答ポイントがまだありません" in all_text(revealed)


def test_revealed_practice_question_shows_the_follow_up(router):
    revealed = router.handle_action("career.reveal_points", "ciso_project_position|1", user_id="U1", team_id=SINGLE_WORKSPACE)
    text = all_text(revealed)
    assert "回答ポイント" in text and "深掘りの質問" in text
    assert router.catalog.by_slug("ciso_project_position").question(1).follow_up in text


def test_another_question_differs_from_the_previous_one(router):
    for previous in range(1, 21):
        message = router.handle_action("career.practice.1", f"ciso_project_position|{previous}", team_id=SINGLE_WORKSPACE)
        assert f"Q{previous} / 20" not in all_text(message)


def test_share_posts_the_view_to_the_channel_without_buttons(router):
    shared = router.handle_action("career.share.0", "section|ciso_project_position|paths", user_id="U0MEMBER1", team_id=SINGLE_WORKSPACE)
    assert not shared.ephemeral
    assert all(b["type"] != "actions" for b in shared.blocks)
    text = all_text(shared)
    assert "ネットワーク管理者 → CSIRT責任者 → CISO" in text and "<@U0MEMBER1> さんが共有しました" in text


@pytest.mark.parametrize(
    "action_id, value",
    [
        ("career.open_role.0", "no_such_role"),
        ("career.open_section.0", "ciso_project_position|secrets"),
        ("career.open_section.0", "ciso_project_position"),
        ("career.reveal_points.0", "ciso_project_position|999"),
        ("career.reveal_points.0", "ciso_project_position|abc"),
        ("career.share.0", "card|<!channel>"),
        ("career.share.0", "nonsense"),
        ("career.share.0", ""),
        ("career.unknown.0", "x"),
        ("", ""),
    ],
)
def test_forged_or_stale_buttons_get_one_sentence(router, action_id, value):
    message = router.handle_action(action_id, value, user_id="<!channel>", team_id=SINGLE_WORKSPACE)
    assert message.ephemeral
    assert "見つかりませんでした" in message.text
    assert "<!" not in all_text(message)


def test_practice_uses_the_injected_random_source(router):
    a = CommandRouter(Lookups(router.catalog, random.Random(1))).handle_command("ciso question", team_id=SINGLE_WORKSPACE)
    b = CommandRouter(Lookups(router.catalog, random.Random(1))).handle_command("ciso question", team_id=SINGLE_WORKSPACE)
    assert a.blocks == b.blocks


def test_role_list_and_suggestions_show_the_names_people_type_never_an_internal_slug(router):
    listing = all_text(router.handle_command("list", team_id=SINGLE_WORKSPACE))
    assert "ciso_project_position" not in listing and "`ciso`" in listing
    for role in router.catalog.roles:
        assert f"`{role.short_name}`" in listing
    suggestions = all_text(router.handle_command("cisoo", team_id=SINGLE_WORKSPACE))
    assert "`ciso`" in suggestions and "ciso_project_position" not in suggestions


def test_every_role_name_help_advertises_opens_that_role(router):
    import re

    text = all_text(router.handle_command("help", team_id=SINGLE_WORKSPACE))
    advertised = re.findall(r"`([^`/ ]+)`", text.split("登録されている職種:")[1])
    assert len(advertised) == len(router.catalog.roles)
    for name in advertised:
        card = router.handle_command(name, team_id=SINGLE_WORKSPACE)
        assert card.blocks[0]["type"] == "header", name


def test_the_card_header_reads_as_a_job_title(router):
    assert router.handle_command("ciso", team_id=SINGLE_WORKSPACE).blocks[0]["text"]["text"] == "CISO（最高情報セキュリティ責任者）"
    assert router.handle_command("cio", team_id=SINGLE_WORKSPACE).blocks[0]["text"]["text"] == "CIO（最高情報責任者）・情報システム部長"


def test_an_unknown_section_of_a_known_role_lists_the_sections(router):
    text = all_text(router.handle_command("cto 面接対策", team_id=SINGLE_WORKSPACE))
    assert "「面接対策」というセクション" in text and "見つかりませんでした" not in text
    for key in ("duties", "skills", "paths", "questions"):
        assert f"`{key}`" in text


def test_the_summary_example_and_the_closing_advice_are_shown(router):
    ciso = router.catalog.by_slug("ciso_project_position")
    assert ciso.example.startswith("たとえば") and ciso.questions_note
    assert ciso.example[:30] in all_text(router.handle_command("ciso", team_id=SINGLE_WORKSPACE))
    assert ciso.questions_note[:30] in all_text(router.handle_command("ciso questions", team_id=SINGLE_WORKSPACE))
    assert ciso.questions_note[:30] in all_text(router.handle_command("ciso question", team_id=SINGLE_WORKSPACE))
