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
    1,
    "ゼロトラストの導入経験はありますか？",
    ("アクセス制御、マイクロセグメンテーション、ログ活用など",),
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


# ----------------------------------------------------------------------------- the judge's rules

REPORT = Question(
    7,
    "障害報告書には何を書きますか？",
    ("影響範囲、原因、対策",),
    keyword_text="影響範囲/影響 | 原因 | 対策/再発防止",
)


def test_a_denial_at_the_end_does_not_deny_what_the_earlier_predicates_said(analyse):
    text = "影響範囲と原因と対策を正直に書き、社内の細かい経緯はそのまま出さず、要点を絞ります。"
    assert verdicts(analyse, REPORT, text) == (C, C, C)
    # Without a predicate before the comma, the denial still covers what it denies.
    assert verdicts(analyse, REPORT, "影響範囲は書かず、原因も対策も書いていません。")[0] == M


def test_only_x_but_nothing_else_affirms_x(analyse):
    question = Question(8, "q", ("当番の増員",), keyword_text="当番 + 増")
    assert verdicts(analyse, question, "正直、当番を増やすくらいしかできないと思います。") == (C,)
    assert verdicts(analyse, question, "当番を増やすことはできないと思います。") == (M,)


def test_a_point_that_is_itself_a_denial_is_met_by_a_denying_reply_without_keywords(analyse):
    question = Question(9, "q", ("原因を担当者の不注意で終わらせない仕組み",))
    assert verdicts(analyse, question, "原因を担当者の不注意で終わらせず、仕組みで防ぎます。") == (C,)


def test_a_negation_is_never_a_content_word(analyse):
    question = Question(10, "q", ("禁止ではなく安全に使うルール",))
    assert verdicts(analyse, question, "シャドーITは禁止するしかないと思います。") != (C,)


def test_an_admission_covers_nothing_in_its_own_clause_but_the_rest_of_the_reply_counts(analyse):
    question = Question(11, "q", ("ログの監視、予算の確保",), keyword_text="ログ + 監視 | 予算")
    assert verdicts(analyse, question, "ログの監視はまだこれからです。") == (M, M)
    assert verdicts(analyse, question, "ログの監視は手が回っていない状態です。")[0] == M
    assert verdicts(analyse, question, "予算がないので難しいです。")[1] == M
    assert verdicts(analyse, question, "ログの監視は毎日しています。予算の確保はまだ弱くて放置されがちです。") == (C, M)


def test_a_model_answer_about_a_weakness_still_covers_its_points(analyse):
    question = Question(12, "q", ("弱みの自覚、改善の行動",), keyword_text="弱み/苦手 | 改善/克服")
    text = "私の弱みは人前での説明です。改善のために毎週の勉強会で発表を続けています。"
    assert verdicts(analyse, question, text) == (C, C)


def test_a_bare_list_of_terms_earns_at_most_partly(analyse):
    assert verdicts(analyse, ZERO_TRUST, "アクセス制御、マイクロセグメンテーション、ログ分析、SIEM") == (P, P, P)
    assert verdicts(analyse, ZERO_TRUST, "アクセス制御を見直し、マイクロセグメンテーションで区切り、ログをSIEMで分析しました。") == (
        C,
        C,
        C,
    )


def test_laughter_and_emoji_end_a_sentence_so_a_denial_stays_in_its_own(analyse):
    text = "アクセス制御は完璧です笑 マイクロセグメンテーションはしてません"
    assert verdicts(analyse, ZERO_TRUST, text)[:2] == (C, M)
    assert verdicts(analyse, ZERO_TRUST, "アクセス制御は見直しました😊マイクロセグメンテーションはしてません")[:2] == (C, M)
    assert verdicts(analyse, ZERO_TRUST, "アクセス制御は見直しましたwww マイクロセグメンテーションはしてません")[:2] == (C, M)
    # 笑 inside a word is a word.
    assert verdicts(analyse, Question(13, "q", ("笑顔",), keyword_text="笑顔"), "笑顔で対応します") == (C,)


def test_a_long_katakana_word_one_letter_off_is_partly_and_a_short_or_latin_one_is_not(analyse):
    question = Question(14, "q", ("ローテーション",), keyword_text="ローテーション")
    assert verdicts(analyse, question, "当番はローテンションで回しています。") == (P,)
    assert verdicts(analyse, question, "当番はローテーションで回しています。") == (C,)
    latin = Question(15, "q", ("patch",), keyword_text="patch")
    assert verdicts(analyse, latin, "we pitch it") == (M,)
    short = Question(16, "q", ("ログ",), keyword_text="ログイン")
    assert verdicts(analyse, short, "ログオンを監視") == (M,)


def test_the_private_feedback_says_it_is_a_rough_guide_and_points_to_the_model_answer():
    from bot.domain.answer_feedback import AnswerFeedback
    from bot.domain.role import Role
    from bot.views.feedback_blocks import answer_feedback

    role = Role(slug="x", title="X", short_title="X", description="d", summary="s", questions=(ZERO_TRUST,))
    message = answer_feedback(AnswerFeedback(role, ZERO_TRUST, (C, P, M)))
    said = str(message.blocks)
    assert "大まかに照らし合わせた目安" in said and "📖 模範解答" in said and "間違" not in said


def test_an_admission_must_end_its_clause_and_a_denying_keyword_never_matches_its_opposite(analyse):
    question = Question(17, "q", ("一人では出せない成果、カバー範囲の可視化",), keyword_text="一人では + 成果 | 可視化")
    assert verdicts(analyse, question, "一人ではできない成果をチームで出しました。カバーできていない範囲を可視化しました。") == (C, C)
    denial = Question(18, "q", ("禁止ではなく安全に使うルール",), keyword_text="禁止ではなく/禁止せず + ルール/ガイドライン")
    assert verdicts(analyse, denial, "すべて禁止します。ルールも作ります。") == (P,)
    assert verdicts(analyse, denial, "禁止ではなく、使ってよい条件をガイドラインにまとめます。") == (C,)


def test_without_keywords_a_rare_word_of_the_point_weighs_more_than_a_common_one(analyse):
    from bot.domain.answer_feedback import rarity_weights

    points = ["ポストモーテムの実施と具体的な経験の共有", "具体的な経験", "経験と具体的な成果", "具体的な経験と数字", "チームの経験"]
    rarity = rarity_weights(points, analyse)
    matcher = matcher_for(points[0], None, analyse, rarity)
    # The common words alone (経験, 具体的) are not the point; its rare word is.
    assert judge(matcher, analyse_reply("具体的な経験を話します。", analyse)) != C
    assert judge(matcher, analyse_reply("障害のあとはポストモーテムを実施して共有します。", analyse)) == C
    # With flat weights, the common words alone would read as covered.
    assert judge(matcher_for(points[0], None, analyse), analyse_reply("具体的な経験を話します。", analyse)) == C


def test_weak_before_a_noun_describes_it_and_admits_nothing(analyse):
    weak = Question(21, "q", ("弱い項目の洗い出し",), keyword_text="弱い項目/弱点 + 洗い出")
    assert verdicts(analyse, weak, "付録のチェックリストで弱い項目を洗い出します。") == (C,)


def test_an_english_sentence_or_a_bullet_with_a_colon_is_not_a_bare_list(analyse):
    text = (
        "We moved to MFA and least privilege for access control, split the network with micro-segmentation, and analyse logs in the SIEM."
    )
    assert verdicts(analyse, ZERO_TRUST, text)[0] == C
    assert verdicts(analyse, ZERO_TRUST, "アクセス制御: MFA、セグメント: マイクロセグメンテーション、ログ: SIEMで分析")[0] == C


def test_a_decision_not_to_and_a_plan_for_later_cover_nothing(analyse):
    assert verdicts(analyse, ZERO_TRUST, "マイクロセグメンテーションは導入しない方針です。")[1] == M
    assert verdicts(analyse, ZERO_TRUST, "マイクロセグメンテーションはこれからです。")[1] == M


def test_a_star_is_text_not_an_emoji(analyse):
    question = Question(22, "q", ("★3の取得",), keyword_text="★3 + 取得")
    assert verdicts(analyse, question, "★3の取得を目指します。") == (C,)


def test_a_denial_followed_by_i_think_is_still_a_denial(analyse):
    assert verdicts(analyse, ZERO_TRUST, "マイクロセグメンテーションは必要ないと思っています。")[1] == M
    assert verdicts(analyse, ZERO_TRUST, "マイクロセグメンテーションは導入しないと判断しました。")[1] == M
    assert verdicts(analyse, ZERO_TRUST, "マイクロセグメンテーションは欠かせないと思います。")[1] == C


def test_unneeded_as_a_thought_and_a_shallow_understanding_cover_nothing(analyse):
    assert verdicts(analyse, ZERO_TRUST, "マイクロセグメンテーションは不要だと思っています。")[1] == M
    assert verdicts(analyse, ZERO_TRUST, "マイクロセグメンテーションについてはまだ理解が浅いです。")[1] == M


def test_terms_one_per_line_are_a_bare_list_too(analyse):
    assert verdicts(analyse, ZERO_TRUST, "・アクセス制御\n・マイクロセグメンテーション\n・ログ分析\n・SIEM") == (P, P, P)
    assert verdicts(analyse, ZERO_TRUST, "アクセス制御　マイクロセグメンテーション　ログ分析　SIEM") == (P, P, P)
    # Bullets that say something are an answer.
    text = "・MFAでアクセス制御を強化した\n・マイクロセグメンテーションで区切った\n・ログをSIEMで分析している"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


# A bare list is recognised by what its items lack (a predicate, a case particle), however it is laid out;
# whatever else it holds only frames it. Each layout below is a list (at most △) and, beside it, a real answer
# laid out the same way (✓).


def test_a_list_with_a_closing_or_a_lead_that_only_rates_it_is_still_a_list(analyse):
    for text in (
        "アクセス制御、マイクロセグメンテーション、ログ分析が大事だと思います。",
        "アクセス制御・マイクロセグメンテーション・SIEMでのログ分析あたりですね",
        "大事なのはアクセス制御、マイクロセグメンテーション、ログ分析です",
        "アクセス制御とかマイクロセグメンテーションとかSIEMとか、そのへんが大事っすね笑",
        "MFA、マイクロセグメンテーション、SIEM、ログ分析を意識しています",
        "MFA、マイクロセグメンテーション、SIEMのログ分析の3点です",
    ):
        assert verdicts(analyse, ZERO_TRUST, text) == (P, P, P), text
    # A closing that does something with the list, or a clause that explains, is an answer.
    assert verdicts(analyse, ZERO_TRUST, "MFA、マイクロセグメンテーション、SIEMでのログ分析を導入しました。") == (C, C, C)
    text = "大事なのは、アクセス制御をMFAで固めること、マイクロセグメンテーションで被害を局所化すること、ログをSIEMで分析し続けることです。"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_bullets_of_terms_under_a_lead_or_numbered_are_a_list(analyse):
    for text in (
        "ポイントは以下です\n・アクセス制御\n・マイクロセグメンテーション\n・ログ分析",
        "ポイントは以下です👇\n- MFA\n- マイクロセグメンテーション\n- SIEM\n- ログ分析\n以上です！",
        "ゼロトラストでやること\n1. アクセス制御\n2. マイクロセグメンテーション\n3. ログ分析",
        "・MFA\n・マイクロセグメンテーション\n・SIEMでログ分析\n・最小権限",  # one explained line among terms
    ):
        assert P in verdicts(analyse, ZERO_TRUST, text) and C not in verdicts(analyse, ZERO_TRUST, text)[:2], text
    # Bullets that are short sentences are an answer, with or without a lead.
    for text in (
        "やったことは以下です\n1. 最小権限でアクセス制御を見直した\n2. マイクロセグメンテーションで重要サーバーを分離\n3. ログはSIEMに集めて毎日分析",
        "・MFAを全社導入\n・重要システムはネットワーク分離\n・ログはSIEMで一元管理",
        "- MFAは全員必須にした💪\n- ネットワーク分離もやった\n- ログはSIEMに集約してる",
    ):
        assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C), text
    # Words joined by ・ are one name: two names in a row are not a list yet, three are.
    assert verdicts(analyse, ZERO_TRUST, "MFA・最小権限のアクセス制御。マイクロセグメンテーション。") == (C, C, M)
    assert verdicts(analyse, ZERO_TRUST, "MFA・最小権限のアクセス制御。マイクロセグメンテーション。ログ分析。") == (P, P, P)
    # The terms of a list are partly; the sentences that explain them still count in full.
    text = "使っているのは以下です。\n・MFA\n・マイクロセグメンテーション\n・SIEM\nMFAでアクセス制御を固め、マイクロセグメンテーションで横移動を防ぎ、SIEMでログを分析しています。"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_names_between_spaces_slashes_or_hashtags_are_a_list(analyse):
    for text in (
        "MFA/最小権限/マイクロセグメンテーション/SIEMでのログ分析 あたり押さえとけばOK🔥",
        "#ゼロトラスト #MFA #マイクロセグメンテーション #SIEM #ログ分析",
        "MFA 最小権限 マイクロセグメンテーション SIEM ログ分析 笑",
        "ZeroTrust MFA マイクロセグメンテーション SIEM ログ分析 #セキュリティ",
        "MFA least-privilege micro-segmentation SIEM logs",
    ):
        assert C not in verdicts(analyse, ZERO_TRUST, text), text
    # English sentences, and Japanese with English words set apart by spaces, are not.
    assert verdicts(analyse, ZERO_TRUST, "We haven't done micro-segmentation yet. MFA is required for everyone.")[0] == C
    assert verdicts(
        analyse, ZERO_TRUST, "Access control は MFA で強化、network は マイクロセグメンテーション で分離、log は SIEM で分析。"
    ) == (C, C, C)


def test_terms_with_tags_in_brackets_or_after_a_colon_are_a_list(analyse):
    for text in (
        "アクセス制御（大事）、マイクロセグメンテーション（必須）、ログ分析（重要）",
        "MFA：必須\nマイクロセグメンテーション：大事\nSIEM：マスト",
        "・アクセス制御：最小権限\n・分離：マイクロセグメンテーション\n・ログ：SIEM",  # headings with a bare term
        "・アクセス制御（MFA必須）\n・ネットワーク分離（要検討）\n・SIEMでのログ分析（最優先で）",
    ):
        assert C not in verdicts(analyse, ZERO_TRUST, text), text
    # A heading followed by what is done is an answer.
    text = "・アクセス制御：MFAと最小権限を全社員に適用\n・分離：マイクロセグメンテーションで横展開を防ぐ\n・ログ：SIEMに集約して相関分析"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


# Low-effort layouts: terms or slogans in a layout of the member's choosing, each beside a real answer laid out alike.


def test_an_arrow_chain_of_terms_is_a_list_and_of_steps_that_say_something_an_answer(analyse):
    assert verdicts(analyse, ZERO_TRUST, "アクセス制御→マイクロセグメンテーション→ログ分析") == (P, P, P)
    text = "MFAでアクセス制御を固める→マイクロセグメンテーションで区切る→ログをSIEMで分析する"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_the_case_particles_of_a_clause_that_describes_a_noun_are_part_of_a_term(analyse):
    # They belong to the term the clause makes (a heading, a title: 「経営者が認識すべき3原則」).
    text = "・社員が使うアクセス制御\n・攻撃者が嫌うネットワーク分離\n・SOCが見るログ分析"
    assert verdicts(analyse, ZERO_TRUST, text) == (P, P, P)
    text = "・MFAでアクセス制御を強化\n・マイクロセグメンテーションで重要サーバーを分離\n・ログはSIEMで分析"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_a_slogan_made_a_noun_without_an_argument_is_a_term_but_one_with_its_arguments_an_answer(analyse):
    # An adverb (「定期的に」「確実に」) is not an argument…
    text = "・厳格にアクセス制御すること\n・確実にネットワーク分離すること\n・継続的にログ分析すること"
    assert verdicts(analyse, ZERO_TRUST, text) == (P, P, P)
    # …but bullets that say what to do with what are an answer, with こと or without.
    text = "・MFAでアクセス制御を固めること\n・マイクロセグメンテーションで区切ること\n・ログをSIEMで分析すること"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_as_before_a_noun_is_part_of_a_term(analyse):
    text = "・全社としてのアクセス制御\n・経営としてのネットワーク分離\n・SOCとしてのログ分析"
    assert verdicts(analyse, ZERO_TRUST, text) == (P, P, P)
    text = "・全社としてアクセス制御を見直した\n・マイクロセグメンテーションで分離した\n・ログはSIEMで分析している"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_terms_named_loosely_with_toka_or_ya_in_a_casual_sentence_are_a_list(analyse):
    for text in (
        "アクセス制御とかマイクロセグメンテーションとかログ分析とかで守ってます〜",
        "アクセス制御とかマイクロセグメンテーションとかログ分析とかですかね、結局トップのコミットが大事っす",
        "アクセス制御とかマイクロセグメンテーションとか、あとログ分析やSIEMがこれから増えるかなという感じです",
    ):
        assert verdicts(analyse, ZERO_TRUST, text) == (P, P, P), text
    # One or two examples with とか in a sentence that says something are an answer.
    text = "MFAとか最小権限でアクセス制御を固め、マイクロセグメンテーションで区切り、ログはSIEMで分析してます"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_names_in_brackets_after_a_term_are_a_tag(analyse):
    text = "・アクセス制御(MFA/最小権限/SSO)\n・マイクロセグメンテーション\n・ログ分析"
    assert C not in verdicts(analyse, ZERO_TRUST, text)
    text = "・アクセス制御(MFA/最小権限)を全社で徹底した\n・マイクロセグメンテーションで分離した\n・ログはSIEMで分析している"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_terms_before_mitaina_are_named_loosely_too(analyse):
    text = "アクセス制御・マイクロセグメンテーション・ログ分析、みたいなフレームで答えればいいんですよね"
    assert verdicts(analyse, ZERO_TRUST, text) == (P, P, P)
    text = "アクセス制御はMFAで固め、マイクロセグメンテーションで区切り、ログ分析みたいな地味な作業も毎日やってます"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_a_short_reply_that_calls_itself_an_impression_is_a_list(analyse):
    for text in (
        "MFAでアクセス制御して、マイクロセグメンテーションして、ログはSIEMって感じっす",
        "アクセス制御固めて、マイクロセグメンテーション入れて、SIEMでログ見る、みたいな感じです😊",
        "アクセス制御を固めるとか、マイクロセグメンテーションとか、SIEMでログ見るとかっすね〜👍",
    ):
        assert C not in verdicts(analyse, ZERO_TRUST, text), text
    # The same steps said as what was done are an answer; and a long story may end in 「…って感じ」.
    text = "MFAでアクセス制御して、マイクロセグメンテーションして、ログはSIEMで分析してます"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)
    text = (
        "前職で全社のゼロトラスト移行を担当しました。まずMFAと最小権限でアクセス制御を見直し、次に工場系の"
        "ネットワークをマイクロセグメンテーションで分け、最後にログをSIEMに集めて毎朝分析する運用を作った、って感じです"
    )
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


INCIDENT = Question(
    4,
    "大きな障害の対応経験を教えてください。",
    ("役割分担、ロールバックで影響を止めた判断、ログの保全",),
    keyword_text="役割分担/役割を分け/指揮 | ロールバック/切り戻 | ログ + 保全/保存/残す",
)


def test_a_part_set_aside_by_zuni_or_naide_is_denied_and_the_rest_still_counts(analyse):
    text = "うちは役割分担は特に決めずに全員で調査に入り、ロールバックで戻しました。ログも保全しました。"
    assert verdicts(analyse, INCIDENT, text) == (M, C, C)
    text = "ロールバックしないで全員で原因を調べました。"
    assert verdicts(analyse, INCIDENT, text)[1] == M
    # Not doing what should not be done is doing the rest: 忘れずに, 消さずに, 押し付けずに.
    text = "役割分担を忘れずに決め、迷わずロールバックし、ログは消さずに保全しました。"
    assert verdicts(analyse, INCIDENT, text) == (C, C, C)
    # Only from the last comma: the reason before it is still said.
    text = "役割分担が決まっていたので、ログを探し回らずにロールバックできました。"
    assert verdicts(analyse, INCIDENT, text)[0] == C


def test_what_a_reply_prefers_not_to_do_with_yori_is_denied_but_a_time_or_a_comparison_is_not(analyse):
    text = "ロールバックで一旦止めるより、根本原因を突き止めてから直すほうを優先しました。"
    assert verdicts(analyse, INCIDENT, text)[1] == M
    text = "原因を調べるより先にロールバックで影響を止めました。"
    assert verdicts(analyse, INCIDENT, text)[1] == C
    text = "調査を始めるより前にロールバックしました。"
    assert verdicts(analyse, INCIDENT, text)[1] == C


def test_no_need_waste_and_the_state_of_things_deny_a_clause(analyse):
    for text in (
        "ロールバックはあまり気にしなくていいと思います。",
        "ロールバックの手順を書くのは時間の無駄だと思っています。",
        "ロールバックの手順は特に決めていないのが正直なところです。",
        "ロールバックの判断はうまくできていなかったと思います。",
    ):
        assert verdicts(analyse, INCIDENT, text)[1] == M, text
    # A state reached, or a purpose, is not a denial.
    text = "ロールバックを自動化して、夜間も気にしなくていい状態にしました。"
    assert verdicts(analyse, INCIDENT, text)[1] == C
    text = "毎回手で戻さなくてもいいようにロールバックを自動化しました。"
    assert verdicts(analyse, INCIDENT, text)[1] == C


def test_an_english_negation_denies_a_verb_not_a_contrast_or_a_relative_clause(analyse):
    question = Question(5, "q", ("アウトカムに責任を持つ",), keyword_text="outcome/アウトカム")
    for text in ("We are accountable for outcome, not output.", "PdM owns the outcome — not only the backlog."):
        assert verdicts(analyse, question, text) == (C,), text
    for text in ("We don't measure outcome.", "Honestly, outcome is not something we track.", "We've never owned the outcome."):
        assert verdicts(analyse, question, text) == (M,), text
    text = "We track the outcome, so that a feature which doesn't move it gets removed."
    assert verdicts(analyse, question, text) == (C,)


def test_a_regret_says_it_was_not_done(analyse):
    for text in ("役割分担までちゃんと決めるべきだったなと今は思います。", "ロールバックしておけばよかったです。"):
        verdict = verdicts(analyse, INCIDENT, text)
        assert C not in verdict, text
    text = "役割分担を決めてロールバックしたのはよかったと思います。"
    assert verdicts(analyse, INCIDENT, text)[:2] == (C, C)


def test_that_a_mishap_does_not_happen_is_an_outcome_not_a_denial(analyse):
    for text in (
        "役割分担を決めてロールバックの手順も書いておくと、後で揉めないっす",
        "ロールバック手順を整備したので、同じ障害が再発していません。",
        "役割分担を決めたので、ロールバックの判断で迷わないです。",
    ):
        assert C in verdicts(analyse, INCIDENT, text)[:2], text
    for text in ("ロールバックはしていません。", "役割分担は決めていないです。"):
        assert C not in verdicts(analyse, INCIDENT, text)[:2], text


def test_a_keyword_whose_only_content_is_a_light_verb_is_found_as_written(analyse):
    question = Question(6, "q", ("何をしたかの説明",), keyword_text="何をした/what we did")
    assert verdicts(analyse, question, "ログを分析しました。") == (M,)
    assert verdicts(analyse, question, "まず何をしたかを時系列で説明します。") == (C,)


def test_an_incident_s_impact_a_consequence_and_no_recurrence_deny_nothing(analyse):
    question = Question(
        7,
        "q",
        ("影響範囲の説明、整合性、再発防止のテスト",),
        keyword_text="ユーザー + 決済/ログイン | 整合性 | テスト/test + 追加/足/add",
    )
    text = "約40分間、3割のユーザーが決済できない状態でした。"
    assert verdicts(analyse, question, text)[0] == C
    text = "非同期にすると整合性の担保が難しくなります。"
    assert verdicts(analyse, question, text)[1] == C
    text = "回帰テストを追加して、それ以降同じ障害は起きていません。"
    assert verdicts(analyse, question, text)[2] == C
    assert verdicts(analyse, question, "We added a regression test, and it hasn't recurred since.")[2] == C
    # An admission about one's own work is still one; so is a test never added.
    assert verdicts(analyse, question, "整合性の担保はまだできていない状態です。")[1] == M
    assert verdicts(analyse, question, "テストは追加していません。")[2] == M
    assert verdicts(analyse, question, "We haven't added a test yet.")[2] == M


def test_a_check_or_a_purpose_with_a_negation_denies_nothing_but_a_guess_does(analyse):
    question = Question(8, "q", ("本人を特定できない加工、権限の定期チェック",), keyword_text="ハッシュ化/仮名加工 | 権限")
    assert verdicts(analyse, question, "氏名はハッシュ化して、元の人を特定できないようにします。")[0] == C
    assert verdicts(analyse, question, "・不要な権限が作られてないか\n・退職者のアカウントが残ってないか")[1] == C
    assert verdicts(analyse, question, "権限の棚卸しはできていないかな。")[1] == M


def test_quoted_names_in_a_row_are_a_list(analyse):
    assert C not in verdicts(analyse, ZERO_TRUST, "「アクセス制御」「マイクロセグメンテーション」「ログ分析」")
    text = "「ゼロトラスト」という言葉が流行る前から、MFAでアクセス制御を固め、マイクロセグメンテーションで区切り、ログはSIEMで分析してきました。"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_a_chain_of_terms_ending_in_one_step_is_still_a_list(analyse):
    assert C not in verdicts(analyse, ZERO_TRUST, "アクセス制御→マイクロセグメンテーション→SIEM→ログで分析")
    text = "MFAでアクセス制御を固める→マイクロセグメンテーションで区切る→ログはSIEMで分析"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_two_terms_named_loosely_make_a_short_reply_a_list(analyse):
    for text in (
        "ゼロトラストはアクセス制御とかマイクロセグメンテーションとかが肝っすね〜",
        "こういうのはアクセス制御とかマイクロセグメンテーションとか、そのへんの線引きが大事っすよね",
    ):
        assert C not in verdicts(analyse, ZERO_TRUST, text)[:2], text
    # In a longer reply, two examples named with とか are part of an answer.
    text = (
        "前職ではアクセス制御とかマイクロセグメンテーションとかを一から設計しました。MFAを全社に入れ、"
        "工場のネットワークを分け、ログはSIEMに集めて毎朝分析する運用にしています。"
    )
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_a_terse_note_or_a_slogan_among_terms_is_part_of_the_list(analyse):
    for text in (
        "キーワードでいうと：アクセス制御、マイクロセグメンテーション、ログ分析、SIEM",
        "アクセス制御、SIEMで監視、マイクロセグメンテーション、ログ分析",
        "アクセス制御 / 抱え込まない / マイクロセグメンテーション / ログ分析",
        "運用つらい / アクセス制御 / マイクロセグメンテーション / ログ分析",
        "・アクセス制御\n・マイクロセグメンテーション\n・ログ分析\n・人を責めない",
    ):
        assert C not in verdicts(analyse, ZERO_TRUST, text), text
    # The last item carries a predicate for the list: 「A、B、Cを導入」 is an answer, and so is a chain of steps.
    text = "MFAでのアクセス制御、マイクロセグメンテーション、SIEMでのログ分析を全社に導入しました"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)
    text = "MFAでアクセス制御を強化 → 工場系はマイクロセグメンテーション → ログはSIEMに集約して分析"
    assert verdicts(analyse, ZERO_TRUST, text) == (C, C, C)


def test_a_keyword_read_with_a_word_the_analyser_drops_is_found_as_written(analyse):
    question = Question(9, "q", ("バーンレートによるアラート",), keyword_text="バーンレート/burn rate")
    assert verdicts(analyse, question, "APIにはレートリミットを入れています。") == (M,)
    assert verdicts(analyse, question, "バーンレートが速いときだけページします。") == (C,)


def test_negative_in_form_only_affirms_and_an_english_keyword_can_be_a_denial(analyse):
    question = Question(
        10,
        "q",
        ("悪用状況で優先度を決める、自分ごととして捉える、直接の指示はできない",),
        keyword_text="悪用 + 優先 | うちも/自社も | 直接指示できない/指示はできない/can't give direct instructions",
    )
    text = "CVSSだけじゃなく、悪用されているかで優先順位をつけます。うちも同じ機器があって他人事じゃないと思いました。"
    assert verdicts(analyse, question, text)[:2] == (C, C)
    text = "Under an SES contract we can't give direct instructions to their engineers."
    assert verdicts(analyse, question, text)[2] == C
    # A real denial still denies.
    assert verdicts(analyse, question, "悪用されているかで優先順位はつけていません。")[0] == M


def test_a_decision_not_to_that_describes_a_noun_denies_nothing(analyse):
    question = Question(11, "q", ("経営会議での共有",), keyword_text="経営会議 + 共有")
    assert verdicts(analyse, question, "今期はやらないと決めた案件と理由は経営会議で共有します。") == (C,)
    assert verdicts(analyse, question, "経営会議で共有しないと判断しました。") == (M,)


def test_a_contrast_with_noni_cuts_a_clause_and_what_others_plan_admits_nothing(analyse):
    question = Question(12, "q", ("オフライン評価、本番の効果",), keyword_text="オフライン | 本番 + 効果")
    assert verdicts(analyse, question, "オフラインでは良かったのに、本番では効果が出なかった。")[0] == C
    question = Question(13, "q", ("応募先の課題",), keyword_text="御社 + 刷新")
    assert verdicts(analyse, question, "御社はデータ基盤の刷新をこれから進めると伺い、力になれると思いました。") == (C,)
    assert verdicts(analyse, question, "御社のデータ基盤の刷新に関わる準備は、まだこれからです。") == (M,)


def test_a_stage_or_a_start_still_ahead_admits_and_a_narrowing_keyword_is_found_as_written(analyse):
    question = Question(14, "q", ("開発速度の改善、資格の勉強",), keyword_text="速くなった | 資格 + 勉強")
    assert verdicts(analyse, question, "『体感では速くなった』という段階です。")[0] == M
    assert verdicts(analyse, question, "今後は資格の勉強から始めようと思っています。")[1] == M
    assert verdicts(analyse, question, "リードタイムが半分になって開発が速くなった。毎朝資格の勉強をしています。") == (C, C)
    question = Question(15, "q", ("原因究明より先に復旧",), keyword_text="原因調査より先")
    assert verdicts(analyse, question, "全員で原因調査に入ります。") == (M,)
    assert verdicts(analyse, question, "原因調査より先にロールバックしました。") == (C,)


def test_a_wish_that_did_not_come_true_a_lesson_and_things_left_as_they_were_admit(analyse):
    for text in (
        "ロールバックの判断もしたいのですが、権限がありません。",
        "役割分担が曖昧なまま進んだのは反省点です。",
        "ロールバックの手順は従来のままです。",
    ):
        assert C not in verdicts(analyse, INCIDENT, text)[:2], text
    assert verdicts(analyse, INCIDENT, "役割分担を決めてからロールバックしたのが勝因です。")[:2] == (C, C)


def test_a_keyword_resting_on_a_time_word_or_a_limiting_particle_is_found_as_written(analyse):
    question = Question(16, "q", ("承認後の効果測定、1件ずつの取得",), keyword_text="導入後/承認後 | 1件ずつ")
    assert verdicts(analyse, question, "EDRの全社導入を提案しました。1ページに100件表示します。") == (M, M)
    assert verdicts(analyse, question, "導入後は検知件数を毎月報告しました。関連データを1件ずつ取得していました。") == (C, C)


def test_what_a_reply_says_would_cost_too_much_is_set_aside(analyse):
    text = "ロールバックすると整合性が崩れるので、役割分担を決めてログを保全しながら原因を直しました。"
    assert verdicts(analyse, INCIDENT, text) == (C, M, C)
    text = "役割を分けるのも時間がかかるので、全員で一斉にロールバックしました。"
    assert verdicts(analyse, INCIDENT, text)[:2] == (M, C)
    # A state is not something one would do: 「手作業だと時間がかかるので」 sets nothing aside.
    question = Question(17, "q", ("手作業の自動化",), keyword_text="手作業 + 自動化")
    assert verdicts(analyse, question, "手作業だと時間がかかるので、自動化しました。") == (C,)


def test_a_wish_left_with_but_what_one_really_thinks_and_the_little_done_admit(analyse):
    for text in (
        "役割分担はきちんと決めたいと思っていますが、前職では手が回りませんでした。",
        "ロールバックの判断も、現状は権限がなくて難しいというのが本音です。",
        "ログの保全もチャットに残っているだけという状態です。",
    ):
        assert C not in verdicts(analyse, INCIDENT, text), text
    assert verdicts(analyse, INCIDENT, "入社後は役割分担とロールバックの判断を任せてほしいと思っています。")[:2] == (C, C)
