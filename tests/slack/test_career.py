"""Buttons, including forged and stale ones, as the Slack listeners and the console press them."""

from __future__ import annotations

import random

import pytest

from bot.lookups import Lookups
from bot.slack.career import CareerCommands
from tests.slack.test_blocks import all_text


def test_practice_question_then_reveal_shows_answer_points(services):
    question = services.career.handle_command("ciso question")
    reveal = next(e for b in question.blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"].startswith("career.reveal_points"))
    slug, number = reveal["value"].split("|")
    assert f"Q{number} / 20" in all_text(question)
    revealed = services.career.handle_action(reveal["action_id"], reveal["value"], user_id="U1")
    role = services.catalog.by_slug(slug)
    q = role.question(int(number))
    text = all_text(revealed)
    assert revealed.ephemeral
    if q.answer_points:
        assert "回答ポイント" in text and q.answer_points[0][:10] in text
    else:
        assert "回答ポイントがまだありません" in text


def test_question_without_points_gets_a_clear_note(services):
    revealed = services.career.handle_action("career.reveal_points.0", "ciso_project_position|15")
    assert "この質問には回答ポイントがまだありません" in all_text(revealed)


def test_another_question_differs_from_the_previous_one(services):
    for previous in range(1, 21):
        message = services.career.handle_action("career.practice.1", f"ciso_project_position|{previous}")
        assert f"Q{previous} / 20" not in all_text(message)


def test_share_posts_the_view_to_the_channel_without_buttons(services):
    shared = services.career.handle_action("career.share.0", "section|ciso_project_position|paths", user_id="U0MEMBER1")
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
def test_forged_or_stale_buttons_get_one_sentence(services, action_id, value):
    message = services.career.handle_action(action_id, value, user_id="<!channel>")
    assert message.ephemeral
    assert "見つかりませんでした" in message.text
    assert "<!" not in all_text(message)


def test_practice_uses_the_injected_random_source(services):
    a = CareerCommands(Lookups(services.catalog, random.Random(1))).handle_command("ciso question")
    b = CareerCommands(Lookups(services.catalog, random.Random(1))).handle_command("ciso question")
    assert a.blocks == b.blocks
