"""`/career <role> question level=…` and the common questions, as a member sees them."""

from __future__ import annotations

from bot.domain.role import Level
from bot.domain.workspace import SINGLE_WORKSPACE


def _buttons(message) -> list[dict]:
    return [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def _question_number(router, message) -> int:
    practice = next(e for e in _buttons(message) if e["action_id"].startswith("career.practice"))
    return int(practice["value"].split("|")[1])


def test_a_level_filter_draws_only_questions_of_those_levels_and_the_next_button_keeps_it(router):
    sre = router.catalog.by_slug("sre")
    message = router.handle_command("sre question level=初級", team_id=SINGLE_WORKSPACE)
    for _ in range(15):
        number = _question_number(router, message)
        assert sre.question(number).level is Level.JUNIOR
        practice = next(e for e in _buttons(message) if e["action_id"].startswith("career.practice"))
        message = router.handle_action(practice["action_id"], practice["value"], team_id=SINGLE_WORKSPACE)


def test_two_levels_written_either_way_round_are_both_allowed(router):
    cto = router.catalog.by_slug("cto")
    seen = set()
    for _ in range(30):
        message = router.handle_command("cto level=上級、中級 question", team_id=SINGLE_WORKSPACE)
        seen.add(cto.question(_question_number(router, message)).level)
    assert seen == {Level.SENIOR, Level.MIDDLE}


def test_a_word_that_is_no_level_gets_one_sentence(router):
    message = router.handle_command("sre question level=エキスパート", team_id=SINGLE_WORKSPACE)
    assert message.text.startswith("⚠️ レベル「エキスパート」は使えません。") and _buttons(message) == []


def test_a_level_with_fewer_than_five_questions_is_refused(router, tmp_path):
    import dataclasses

    from bot.commands.router import CommandRouter
    from bot.domain.catalog import RoleCatalog
    from bot.usecases.lookups import Lookups

    sre = router.catalog.by_slug("sre")
    # Four 上級 questions are left: too few to practise at that level.
    kept = [q for q in sre.questions if q.level is not Level.SENIOR] + [q for q in sre.questions if q.level is Level.SENIOR][:4]
    small = CommandRouter(Lookups(RoleCatalog([dataclasses.replace(sre, questions=tuple(kept))])))
    message = small.handle_command("sre question level=上級", team_id=SINGLE_WORKSPACE)
    assert "上級の質問が4問しかない" in message.text and _buttons(message) == []


def test_the_common_questions_open_by_their_japanese_names_and_are_not_a_role(router):
    for name in ("common", "共通", "共通質問"):
        card = router.handle_command(name, team_id=SINGLE_WORKSPACE)
        assert card.text.startswith("どの職種でも聞かれる面接の質問")
        labels = [e["text"]["text"] for e in _buttons(card)]
        assert "面接質問" in labels and "🎲 練習問題" in labels and "キャリアパス" not in labels
    listed = router.handle_command("list", team_id=SINGLE_WORKSPACE)
    assert "どの職種でも" not in listed.text and f"（{len(router.catalog.roles)}件）" in listed.text
    question = router.handle_command("共通 question", team_id=SINGLE_WORKSPACE)
    assert question.text.startswith("どの職種でも聞かれる面接の質問 Q")
