"""A question's id is its normalised wording: reformatting keeps it, rewording changes it."""

from __future__ import annotations

import hashlib
import re

from bot.domain.role import Question, Role, question_id


def test_the_id_is_ten_hex_digits_of_the_sha256_of_the_normalised_text():
    # NFKC, markup and whitespace gone, ASCII lower-cased: the full-width ？ reads as ?.
    expected = hashlib.sha256("cisoとしての最も重要な役割は何だと考えますか?".encode()).hexdigest()[:10]
    assert question_id("**CISOとしての 最も重要な役割は何だと考えますか？**") == expected
    assert re.fullmatch(r"[0-9a-f]{10}", expected)


def test_spacing_emphasis_backticks_width_and_case_keep_the_id():
    base = question_id("SOCやCSIRTの設計・運用経験は？")
    assert question_id("**SOCやCSIRTの設計・運用経験は？**") == base
    assert question_id("SOC や CSIRT の 設計・運用経験は？") == base
    assert question_id("  SOCや\nCSIRTの設計・運用経験は？ ") == base
    assert question_id("ＳＯＣやＣＳＩＲＴの設計・運用経験は？") == base  # full-width letters
    assert question_id("SOCやCSIRTの設計・運用経験は?") == base  # a half-width question mark
    assert question_id("SOCや　CSIRTの設計・運用経験は？") == base  # an ideographic space
    assert question_id("`SOC`や*CSIRT*の設計・運用経験は？") == base
    assert question_id("socやcsirtの設計・運用経験は？") == base
    assert question_id("**「SOC」**や「CSIRT」の設計・運用経験は？") == question_id("「SOC」や「CSIRT」の設計・運用経験は？")


def test_a_change_of_wording_changes_the_id():
    base = question_id("SOCやCSIRTの設計・運用経験は？")
    assert question_id("SOCやCSIRTの設計・運用経験はありますか？") != base
    assert question_id("SOCの設計・運用経験は？") != base
    assert question_id("SOCやCSIRTの運用経験は？") != base


def test_role_finds_a_question_by_its_id():
    first = Question(1, "一つ目の質問？", id=question_id("一つ目の質問？"))
    second = Question(2, "二つ目の質問？", id="kept-id")
    role = Role(slug="r", title="t", short_title="t", description="d", summary="s", questions=(first, second))
    assert role.question_by_id(first.id) is first
    assert role.question_by_id("kept-id") is second
    assert role.question_by_id("no-such-id") is None
    assert role.question_by_id("") is None


def test_the_id_is_part_of_a_questions_equality():
    assert Question(1, "質問？", id="aaa") != Question(1, "質問？", id="bbb")
    assert Question(1, "質問？", id="aaa", line=3) == Question(1, "質問？", id="aaa", line=9)
