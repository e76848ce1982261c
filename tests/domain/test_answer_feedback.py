"""Which answer points a reply covers, with the real analyser: what a member would be told."""

from __future__ import annotations

import pytest

from bot.analysis import load_analyser
from bot.domain.answer_feedback import JUDGED_CHARACTERS, Verdict, analyse_reply, best, judge, matcher_for, read_codes, verdict_codes
from bot.domain.role import Question, split_points

C, P, M = Verdict.COVERED, Verdict.PARTLY, Verdict.MISSING


@pytest.fixture(scope="module")
def analyse():
    return load_analyser().tokens


def verdicts(analyse, question: Question, text: str) -> tuple[Verdict, ...]:
    keywords = question.keywords or (None,) * len(question.points)
    clauses = analyse_reply(text, analyse)
    return tuple(judge(matcher_for(p, keywords[i], analyse), clauses) for i, p in enumerate(question.points))


ZERO_TRUST = Question(
    1, "ゼロトラストの導入経験はありますか？", ("アクセス制御、マイクロセグメンテーション、ログ活用など",),
    keyword_text="アクセス制御/MFA/最小権限 | マイクロセグメンテーション/ネットワーク分離 | ログ + 分析/監視/SIEM",
)


def test_points_are_split_at_commas_outside_brackets():
    assert split_points("『守り』、攻め（A、B）、C") == ("『守り』", "攻め（A、B）", "C")


def test_a_full_answer_covers_every_point(analyse):
    text = "MFAと最小権限でアクセス制御を見直し、マイクロセグメンテーションで区切り、ログはSIEMで分析しています。"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_a_negated_clause_covers_nothing_but_the_rest_of_the_reply_still_counts(analyse):
    text = "アクセス制御は強化しましたが、マイクロセグメンテーションはしていません。ログも活用していません。"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, M, M)


def test_one_group_of_two_is_partly(analyse):
    assert verdicts(analyse, ZERO_TRUST, "ログはすべて保存しています。")[2] == P


def test_english_terms_and_width_and_case_do_not_matter(analyse):
    question = Question(2, "q", ("ゼロトラスト、SIEM",), keyword_text="zero trust/ゼロトラスト | siem")
    assert verdicts(analyse, question, "We moved to Zero Trust and built a ＳＩＥＭ pipeline.") == (C, C)


def test_spelling_variants_and_inflections_match(analyse):
    question = Question(3, "q", ("サーバーの監視、ユーザーの活用",), keyword_text="サーバー + 監視 | ユーザー + 活用")
    assert verdicts(analyse, question, "サーバを監視して、ユーザが活用した。") == (C, C)


def test_numbers_with_units_read_alike(analyse):
    question = Question(4, "q", ("コストを30%削減",), keyword_text="30% + 削減")
    assert verdicts(analyse, question, "クラウド費用を3割削減しました。") == (C,)
    assert verdicts(analyse, question, "クラウド費用を２割削減しました。") == (P,)


def test_without_curated_keywords_the_points_own_words_are_used(analyse):
    question = Question(5, "q", ("負債の可視化と影響の定量化、経営陣への説明と合意形成",))
    assert verdicts(analyse, question, "技術負債を可視化して影響を数字で示し、経営陣に説明して合意を取りました。") == (C, C)
    assert verdicts(analyse, question, "昨日はカレーを食べました。") == (M, M)


def test_a_members_verdict_is_the_best_over_their_replies():
    assert best([(C, M, M), (M, P, M), (M, M, M)]) == (C, P, M)
    assert best([]) == ()


def test_only_a_replys_start_is_judged(analyse):
    full = "MFAと最小権限でアクセス制御を見直しました。"
    late = full + "。" * (JUDGED_CHARACTERS - len(full)) + "マイクロセグメンテーションで区切りました。"
    assert verdicts(analyse, ZERO_TRUST, late) == (C, M, M)


def test_kept_letters_say_whether_only_the_start_was_judged():
    assert verdict_codes((C, P, M)) == "cpm" and verdict_codes((C, P, M), shortened=True) == "CPM"
    assert read_codes("CPM") == ((C, P, M), True)
    assert read_codes("cpm") == ((C, P, M), False)  # as every reply before the limit was kept


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x07\x1b[31m制御文字\u202e",
        "あ" * 40_000,
        "😀🎉🔥" * 50,
        "https://example.com/zero-trust?x=1",
        "```\nSELECT * FROM logs;\n```",
        "",
        "<!channel> <@U123> &amp;",
    ],
)
def test_odd_replies_get_a_verdict_and_never_an_error(analyse, text):
    assert len(verdicts(analyse, ZERO_TRUST, text)) == 3


@pytest.mark.parametrize(
    "text, expected",
    [
        ("マイクロセグメンテーションは導入していません。", M),  # the predicate is denied
        ("マイクロセグメンテーションは不要だと考えます。", M),
        ("We haven't done micro segmentation yet, マイクロセグメンテーションも未導入", M),
        ("使われていない通信を止めるため、マイクロセグメンテーションを導入しました。", C),  # a negation inside the clause
        ("横移動されないようにマイクロセグメンテーションを入れました。", C),  # 〜ないように: a purpose
        ("マイクロセグメンテーションが効くかもしれないと考えて試しました。", C),  # a possibility
        ("マイクロセグメンテーションは必ずやらなければならない対策です。", C),  # an obligation
        ("境界防御ではなく、マイクロセグメンテーションで守ります。", C),  # 「AではなくB」: B stands
    ],
)
def test_only_a_denied_predicate_cancels_a_point(analyse, text, expected):
    assert verdicts(analyse, ZERO_TRUST, text)[1] == expected


BLAMELESS = Question(6, "q", ("個人を責めない振り返り、99.9%のSLO",), keyword_text="個人を責め/責めない/ブレームレス | 99.9% + slo")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("振り返りでは個人を責めない。", (C, M)),  # the point is itself a denial
        ("振り返りで個人を責めることはしていません。", (M, M)),  # …and this denies it
        ("SLOは99.9%にしています。", (M, C)),  # a decimal point does not end a clause
        ("ブレームレスにするだけでなく、SLOは99.9%にしました。", (C, C)),  # 「だけでなく」 adds
        ("ブレームレスは欠かせません。", (C, M)),  # a negative form that affirms
        ("ブレームレスにはしていない; we set the SLO at 99.9%", (M, C)),  # a semicolon ends a clause
        ("ブレームレスで進めて、SLOは決めていない。", (C, M)),  # 「〜し、」「〜て、」 end a clause
    ],
)
def test_denials_reach_only_their_own_clause_and_a_denial_can_be_the_point(analyse, text, expected):
    assert verdicts(analyse, BLAMELESS, text) == expected
