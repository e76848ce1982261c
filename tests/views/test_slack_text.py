"""Every builder's output, for content and names full of what Slack would read as markup, passes
the checks every sent message must pass (bot/testing/slack_text.py): escaped, sections within
the budget, a fallback text that says the substance on one or two lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from bot.domain.answer_feedback import AnswerFeedback, Verdict
from bot.domain.drill import DrillPost, DrillReveal
from bot.domain.role import Question
from bot.domain.sections import SECTIONS
from bot.testing.slack_text import problems, unescaped
from bot.usecases.learning import Item, Queue
from bot.views import blocks as ui
from bot.views import drill_blocks, feedback_blocks, learning_blocks
from bot.views.mrkdwn import display_name, fallback_text

UTC = timezone.utc
HOSTILE = "R&D <!channel> <@U123> <https://evil|click> `<職種|all>`"


@pytest.fixture
def role(router):
    ciso = router.catalog.by_slug("ciso_project_position")
    question = Question(
        1, f"{HOSTILE}について説明してください。", (f"ポイント {HOSTILE}、ATT&CK",), follow_up=f"深掘り {HOSTILE}", id="q1hostile"
    )
    return replace(
        ciso,
        title=f"CISO {HOSTILE}",
        short_title="A&B <x>",
        description=f"説明 {HOSTILE}",
        summary=f"概要 {HOSTILE}",
        duties=(f"業務 {HOSTILE}",) * 3,
        outlook=(f"展望 {HOSTILE}",),
        questions=(question,),
        questions_note=f"注 {HOSTILE}",
    )


def messages(role) -> list[tuple[str, object]]:
    question = role.questions[0]
    post = DrillPost(role.slug, role.short_title, 1, 1, question.text, datetime(2026, 11, 25, 10, tzinfo=UTC), "Asia/Tokyo")
    built = [
        ("help", ui.help_message([role], drills=True)),
        ("list", ui.role_list([role])),
        ("card", ui.role_card(role, [role])),
        ("question", ui.question_view(role, question)),
        ("revealed", ui.question_view(role, question, revealed=True)),
        ("not found", ui.not_found(HOSTILE, [role])),
        ("unknown section", ui.unknown_section(role, HOSTILE)),
        ("shared", ui.without_actions(ui.role_card(role, []), HOSTILE)),
        ("post", drill_blocks.drill_post(post)),
        (
            "reveal",
            drill_blocks.drill_reveal(DrillReveal(post, question.answer_points, ("UALICE001", HOSTILE), question.follow_up, 7, True)),
        ),
        ("reveal without points", drill_blocks.drill_reveal(DrillReveal(post, (), ()))),
        ("schedule help", drill_blocks.schedule_help()),
        ("no schedule", drill_blocks.schedule_show(None)),
        ("feedback", feedback_blocks.answer_feedback(AnswerFeedback(role, question, (Verdict.COVERED, Verdict.PARTLY)))),
        (
            "review",
            learning_blocks.review_card(Queue(Item(role, question, None), 0, 0, None, "Asia/Tokyo", datetime(2026, 11, 25, tzinfo=UTC))),
        ),
        ("review points", learning_blocks.review_points(role, question, 1)),
    ]
    built += [(f"section {s.key}", ui.section_view(role, s.key)) for s in SECTIONS if s.key != "question"]
    return built


def test_every_builder_escapes_hostile_content_and_says_its_substance_in_the_fallback(role):
    found = [f"{name}: {problem}" for name, message in messages(role) for problem in problems(message.payload())]
    assert found == []


def test_a_fallback_text_is_escaped_on_at_most_two_lines_and_capped():
    text = fallback_text("一行目 <!here> & co\n\n二行目\n三行目 `<職種>`\n" + "長" * 1000)
    assert text.startswith("一行目 &lt;!here&gt; &amp; co\n二行目 三行目 `&lt;職種&gt;` 長")
    assert len(text.splitlines()) == 2 and len(text) < 400 and unescaped(text) == []


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("*太郎*", "＊太郎＊"),
        ("_花子_", "＿花子＿"),
        ("~次郎~", "～次郎～"),
        ("`code`", "｀code｀"),
        ("<!channel> & co", "&lt;!channel&gt; &amp; co"),
        ("田中 太郎", "田中 太郎"),
    ],
)
def test_a_display_name_cannot_format_or_ping(name, shown):
    assert display_name(name) == shown


def test_a_section_longer_than_the_budget_is_cut_before_an_entity_or_a_link_never_inside_one():
    line = "あ" * (ui.SECTION_BUDGET - 3) + "&amp;" + "い" * 10
    chunks = ui.split_lines([line])
    assert chunks[0].endswith("あ") and chunks[1].startswith("&amp;") and "".join(chunks) == line
    link = "う" * (ui.SECTION_BUDGET - 10) + "<https://example.com/a|リンク>" + "え" * 10
    chunks = ui.split_lines([link])
    assert chunks[1].startswith("<https://") and "".join(chunks) == link
