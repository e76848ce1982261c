"""The question form's fields: a submission read into a Draft, the values a stored one opens with,
and the check's errors placed under the inputs they are about."""

from __future__ import annotations

from bot.domain import question_form as qf
from bot.domain.role import Level, QuestionKind
from bot.domain.team_questions import Draft, check


def test_a_submission_becomes_a_draft_with_one_point_per_line():
    values = {
        "q_target": "cto",
        "q_text": "  技術的負債の返済を\nどう進めましたか？ ",
        "q_points": "・事業への影響\n\n- 数字で示す\n1. 合意を取る\n",
        "q_follow_up": "",
        "q_level": "中級",
        "q_kind": "経験",
    }
    draft = qf.draft_from(values)
    assert draft == Draft(
        target="cto",
        text="技術的負債の返済を どう進めましたか？",
        points=("事業への影響", "数字で示す", "合意を取る"),
        level=Level.MIDDLE,
        kind=QuestionKind.EXPERIENCE,
    )
    assert qf.draft_from(values, target="common").target == "common"
    assert qf.draft_from({}) == Draft(target="", text="", points=())


def test_a_stored_draft_opens_the_form_as_it_was_written():
    draft = Draft(
        "sre",
        "障害対応の振り返りをどう進めますか？",
        ("事実を集める", "再発防止策"),
        "誰を呼びますか？",
        level=Level.SENIOR,
        kind=QuestionKind.SITUATION,
    )
    assert qf.draft_from(qf.values_of(draft)) == draft


def test_every_error_stands_under_its_own_input():
    errors = check(Draft(target="nowhere", text="短い", points=()), ["cto"])
    placed = qf.errors_by_block(errors)
    assert set(placed) == {"q_target", "q_text", "q_points", "q_level", "q_kind"}
    assert set(qf.BLOCKS) == set(qf.FIELDS) == set(qf.LABELS)
    assert "質問10〜200字・回答ポイント1〜6個（各80字まで、1行に1つ）" in qf.RULES
