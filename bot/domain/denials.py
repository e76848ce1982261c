"""Whether a clause of a reply denies what it says: a negated predicate (「導入していません」), a
denial the analyser does not mark (「不要です」「時間の無駄だと思います」), a thought or a decision not to
(「必要ないと判断した」「しない方針です」), an admission (「まだこれからです」「手が回っていない」), an English
negation of a verb; and which part of a clause what follows sets aside (「…は決めずに」「…するより」).
Pure: it reads the tokens an analyser gave (bot/analysis), and nothing else. Used by answer_feedback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.bare_lists import Word

# Negation an analyser does not mark on a token, when a clause ends with it: 「…は不要です」.
_NEGATING_ENDS = (
    "不要",
    "必要ない",
    "必要はない",
    "未実施",
    "未導入",
    "未対応",
    "なし",
    "無し",
    "まだ",
    "無駄",
    "無意味",
    "いらない",
    "要らない",
)
# The same ends, said as a thought: 「不要だと思っています」.
_THOUGHT_END = re.compile(
    r"(不要|必要ない|必要はない|未実施|未導入|無駄|無意味|いらない|要らない|意味がない|意味はない)だ?と(思|考え|感じ|判断)"
)
_POLITE_END = re.compile(
    r"(です|でした|だ|である|な?と(?:今は|今では|今になって|いまは)?(?:思|考え|感じ)[っいうえおてまるすした]*|ね|よ|な|[\s、,…])+$"
)
# 〜ないように, 〜ないため, 〜なければ: the negation serves what follows, it does not deny the clause.
_NOT_DENIAL_AFTER = frozenset({"よう", "ため", "と", "ば", "なら", "限り", "場合", "うち", "まま", "こと", "で", "かどうか"})
# Negative forms that affirm: an obligation, something indispensable, a rhetorical question.
_AFFIRMING = re.compile(
    r"なければ|なくては|ないと(なら|いけ|だめ|ダメ)|ねばなら|なきゃ|ざるを(得|え)|欠かせ(ない|ません)|ではないでしょうか|ではないか|じゃないか"
    r"|手はない|に違いない|しか[^、,]{0,12}?(?:ない|ません|なかった|ず)|ほかない|以外にない|のみならず|に限らず"
    # 「CVSSだけじゃなく」 (not only), 「他人事じゃない」 (it concerns us): negative in form only.
    r"|(?:だけ|ばかり|のみ)(?:で|じゃ|では)(?:なく|ない)|他人事(?:じゃ|では)な|無関係(?:じゃ|では)な|無縁(?:じゃ|では)な"
)
# An admission says the point is not done yet, in words that are not a grammatical negation: the
# clause it is in covers nothing (「まだこれからです」「予算がなくて難しい」「手が回っていない」).
# Only that clause: a reply that admits one gap still covers the points it makes elsewhere.
_ADMISSION = re.compile(
    r"まだ[^、,]{0,20}?これから|これから|難し(?:い|く(?!な[るりっ])|かった)|手が回(?:って|ら|りません)|手つかず|未着手"
    r"|でき(?:て)?(?:い)?な(?:い|かった)|できていません|できてません|追いついていな|浅(?:い|く|かった)(?![\u4e00-\u9fff\u30a0-\u30ff])|弱(?:い|く|かった)(?![点\u4e00-\u9fff\u30a0-\u30ff])"
    # 放置 as a state (「放置されがち」), not as a condition (「放置すれば損失が出る」); a challenge
    # still open (「…が課題です」「今後の課題」), not the 課題 of a story told in the past.
    r"|放置(?:され|して(?:い|お)|したまま|のまま|状態|気味|がち)|(?<!な)課題(?:です|だ)(?![っと])|(?:今後の|まだ|今の)課題|課題が残"
    # Not done, said as the state of things (「決めていないのが正直なところです」).
    r"|な(?:い|かった)(?:の|こと)が(?:正直なところ|正直|現状|実情|実態|本音)"
    # Still at a stage, or about to start (「体感では速くなったという段階です」「資格の勉強から始めようと思っています」).
    r"|という段階|(?:の|な)段階(?!的)|から始めよう|これから始め"
    # A wish that did not come true (「キャリアの話もしたいのですが」「入れたかったんですが」), a lesson
    # about what went wrong (「…のは反省点です」), things left as they were (「従来のままです」).
    r"|た(?:い|かった)(?:の|ん)ですが|た(?:い|かった)んだけど|たいと思っ(?:てい|て)?(?:ます|る)?が$|反省点|(?:従来|昔|旧来)のまま"
    # What one really thinks, said last (「予算がなくて難しいというのが本音です」), and the little done
    # (「記録もチャットに残っているだけという状態です」).
    r"|(?:という|の)が本音|だけ(?:という|の)状態"
    # A regret: what should have been done was not (「連絡係まで決めるべきだった」「やっておけばよかった」).
    r"|べきだった|(?:ば|たら)(?:よかった|良かった)"
)
# No need to do it, when the clause ends so (「あまり気にしなくていいと思います」), not a state reached
# (「夜間も気にしなくていい状態にした」).
_NO_NEED = re.compile(r"なくて(?:も)?(?:いい|良い|よい|大丈夫|構わない|問題ない)$")
# An English negation denies a clause when it negates a verb (「we don't」「is not」「never」); 「X, not Y」
# and 「not only」 contrast two things and deny neither (「outcome, not output」「IC track, not management」).
ENGLISH_NEGATION = re.compile(
    r"\b(?:never|no longer|not yet|cannot|(?:have|has|had|do|does|did|wo|would|is|are|was|were|ca|could|should|must)n['’]t"
    r"|(?:['’]s|['’]re|['’]m|am|is|are|was|were|be|been|do|does|did|have|has|had|will|would|can|could|should|must|may|might|shall)"
    r"(?:\s+\w+)?\s+not(?!\s+(?:only|just|merely)))\b"
)
# A negation inside a relative or conditional clause qualifies a thing (「data that wouldn't be
# available」「so that it doesn't recur」), it does not deny what the sentence says.
_ENGLISH_SUBORDINATE = re.compile(r"\b(?:that|which|who|whom|whose|where|if|when|unless|so|until)\s+(?:[\w'’-]+\s+){0,3}$")


# That a mishap did not happen again is an outcome: 「it hasn't recurred」「we haven't had an outage since」.
_ENGLISH_MISHAP = re.compile(
    r"^\s+(?:\w+\s+){0,2}?(?:recur|happen(?:ed)? again|occur(?:red)? again|had (?:an? )?(?:outage|incident|breach|leak)|break|broke|fail|crash|go down|went down|leak)"
)


def _english_denies(piece: str) -> bool:
    return any(
        not _ENGLISH_SUBORDINATE.search(piece[: m.start()]) and not _ENGLISH_MISHAP.match(piece[m.end() :])
        for m in ENGLISH_NEGATION.finditer(piece)
    )


_SUBSTANCE = frozenset({"noun", "proper_noun", "verb", "adjective", "number"})
_DECIDED_NOT = frozenset({"方針", "予定", "つもり", "考え", "計画"})
_LIGHT = frozenset({"する", "為る", "いる", "居る", "おる", "ある", "有る"})
_THINKING = frozenset({"思う", "考える", "判断", "感じる", "決める", "結論"})


_ADMISSION_TAIL = 6  # characters after the admission before the clause ends (「…状態です」)
# Things that go wrong: that they do not happen is an outcome, not a denial (「後で揉めない」「二重に
# 請求されない」「障害が再発しない」「IoCを過信しない」).
_MISHAPS = frozenset(
    "揉める 困る 迷う 壊れる 落ちる 止まる 漏れる 漏らす 失敗 忘れる 遅れる 崩れる 詰まる 溢れる 炎上 再発 ぶれる ブレる 重複 "
    "消える 失う 間違える 間違う ミス 混乱 過信 属人化 見逃す 偏る 劣化 途切れる 慌てる 焦る 二重 抜ける 漏れ 手戻り 後戻り".split()
)


_HAPPEN = frozenset("起きる 起こる 発生".split())
_TROUBLES = frozenset("障害 問題 事故 インシデント エラー 不具合 漏えい 漏洩 事象 トラブル 事件 ミス 遅延".split())


def _mishap_before(tokens: Sequence[Word], index: int) -> bool:
    """Whether the negation at tokens[index] denies a mishap: the verb before it (past られる, する)
    or the noun that する makes a verb of (「再発しない」)."""
    words = [t for t in tokens[:index] if t.pos != "auxiliary"][-4:]
    for token in reversed(words):
        if token.lemma in _MISHAPS or token.surface in _MISHAPS:
            return True
        if token.lemma in _HAPPEN and any(t.lemma in _TROUBLES for t in tokens[:index]):
            return True  # 「同じ障害は起きていません」
        if token.lemma not in _LIGHT and token.lemma not in ("れる", "られる") and token.surface not in ("て", "で", "が"):
            return False
    return False


def _admits(piece: str) -> bool:
    """Whether the clause ends in an admission: 「一人ではできない成果」 and 「カバーできていない
    範囲を可視化した」 go on past it, so they admit nothing."""
    bare = _POLITE_END.sub("", piece)
    for match in _ADMISSION.finditer(bare):
        if len(bare) - match.end() > _ADMISSION_TAIL or bare.startswith(_SERVING, match.end()) or _REPORTED.search(bare, match.end()):
            continue  # (「特定できないようにする」: it serves what follows)
        if match.group().startswith("でき") and _IMPACT.search(bare[: match.start()]):
            continue  # 「ユーザーの6割がログインできない状態でした」: what an incident did, not a gap admitted
        return True
    return False


_SERVING = ("よう", "ため", "と", "ば")
_COMMAS = ("、", ",", "，")
# What someone else said is coming (「御社はこれから進めると伺い」) admits nothing of one's own.
_REPORTED = re.compile(r"と(?:伺|聞|お聞き)|とのこと")
# Who an incident affects: what they could not do is its impact.
_IMPACT = re.compile(r"(?:ユーザー?|顧客|お客様|お客さん|利用者|会員|社員|全員|取引先)[^、,。]{0,12}?(?:が|は|も)")


def negated(piece: str, tokens: Sequence[Word]) -> bool:
    """Whether a clause denies what it says: its predicate is negated (「導入していません」「予算が
    ない」). A negation the clause goes on past (「使われていないリソースを削除した」「価値を生まず
    繰り返す作業」「起きないように監視する」), 「かもしれない」 and 「〜しなければならない」 do not."""
    if _english_denies(piece):
        return True
    if _AFFIRMING.search(piece):
        return False
    if _admits(piece):
        return True
    bare = _POLITE_END.sub("", piece)
    if bare.endswith(_NEGATING_ENDS) or _THOUGHT_END.search(piece) or _NO_NEED.search(bare):
        return True
    for index, token in enumerate(tokens):
        if not token.negation:
            continue
        if index and tokens[index - 1].surface in ("しれ", "知れ"):
            continue  # かもしれない: a possibility
        after = tokens[index + 1 :]
        said = list(after)
        while said and said[0].pos == "auxiliary":
            said.pop(0)  # 「…なかったと思います」: the thought follows the tense
        if (
            len(said) >= 2
            and said[0].surface == "と"
            and said[1].lemma in _THINKING
            and not any(t.pos in _SUBSTANCE and t.lemma not in _LIGHT for t in said[2:])
        ):
            return True  # 「必要ないと思っています」「導入しないと判断した」: the thought is the denial
        if after and (after[0].surface in _NOT_DENIAL_AFTER or after[0].lemma in _NOT_DENIAL_AFTER):
            continue
        if after and after[0].surface == "か" and (len(after) == 1 or after[1].surface not in ("な", "ね", "も", "なぁ", "しら")):
            continue  # 「権限が作られていないか」: a check, not 「できていないかな」
        if _mishap_before(tokens, index):
            continue
        if after and after[0].surface in _DECIDED_NOT and not any(t.pos in _SUBSTANCE for t in after[1:]):
            return True  # 「導入しない方針です」: a decision not to
        if any(t.pos in _SUBSTANCE for t in after):
            continue  # the clause goes on: the negation is inside it
        return True
    return False


# 「忘れずに」「欠かさずに」「迷わずに」「消さずに」「押し付けずに」: not doing these is what a good answer
# does, so the words around them are still said.
_DOUBLE_NEGATIVE = frozenset(
    "忘れる 欠かす 怠る 漏らす 逃す 見逃す 迷う 絶やす 諦める 休む 抜かす 惜しむ 躊躇う ためらう 妥協 手抜き 先送り 後回し 放置 溜める 隠す "
    "消す 削除 捨てる 壊す 失う 押し付ける 押しつける 責める 否定 決めつける 丸投げ 頼る 依存".split()
)
# After 「〜するより」, these make it a time (「デプロイするより前に」), not a choice against it.
_TIME_AFTER_YORI = frozenset("前 先 早い 早く 以前 後 あと".split())


def denied_by_what_follows(tokens: Sequence[Word], index: int) -> bool:
    """Whether tokens[index] ends a part that what follows sets aside: 「役割は決めずに全員で調査」
    (without doing it), 「確認しないでデプロイ」, 「ロールバックで止めるより、原因を直すほうが」 (rather
    than doing it). The part before is denied; the rest is said as usual."""
    if not index or index + 1 >= len(tokens):
        return False
    token, before = tokens[index], tokens[index - 1]
    without = (token.surface, before.surface) in (("に", "ず"), ("で", "ない")) and before.negation
    rather = token.surface == "より" and before.pos in ("verb", "auxiliary") and not before.negation
    costly = tokens[index + 1].surface in _COMMAS
    # Cheap tests first: this runs for every token of a reply, and what follows is read only here.
    if not (without or rather or costly) or not any(t.pos in _SUBSTANCE for t in tokens[index + 1 :]):
        return False
    if without:
        verb = tokens[index - 2] if index >= 2 else None
        doer = tokens[index - 3] if index >= 3 and verb is not None and verb.lemma in ("する", "為る") else verb
        return not (verb is not None and (verb.lemma in _DOUBLE_NEGATIVE or (doer is not None and doer.lemma in _DOUBLE_NEGATIVE)))
    if rather:
        following = next((t for t in tokens[index + 1 :] if t.surface not in ("も", *_COMMAS)), None)
        return following is None or following.lemma not in _TIME_AFTER_YORI
    return _drawback_before(tokens, index)


# What doing something would cost: 「チェックを入れると速度が落ちるので、」「分けて管理するのは複雑に
# なるので、」「説得するのも時間がかかるので、」 set aside what would be done.
_DRAWBACKS = frozenset("遅い 落ちる 崩れる 複雑 面倒 大変 やりすぎ やり過ぎ 無駄 重い 非効率 過剰 煩雑 下がる 悪化 混乱 割に合う".split())
_COSTS = frozenset("時間 手間 コスト 工数 お金 費用".split())


def _drawback_before(tokens: Sequence[Word], index: int) -> bool:
    """Whether the words up to tokens[index] (just before a comma) say that doing something costs
    too much: a verb with と, のは, のも or ても, then a drawback."""
    start = max((i for i in range(index) if tokens[i].surface in _COMMAS), default=-1) + 1
    span = tokens[start : index + 1]
    for at in range(len(span) - 2):
        verb = span[at].pos == "verb" or span[at].lemma in ("れる", "られる", "せる", "させる")
        if not verb or span[at].negation:
            continue  # (not 「手作業だと時間がかかる」: a state, not something one would do)
        after = span[at + 1 :]
        conditional = after[0].surface == "と" or (after[0].surface in ("の", "て") and len(after) > 1 and after[1].surface in ("は", "も"))
        if not conditional:
            continue
        rest = after[1:]
        for k, word in enumerate(rest):
            if word.lemma in _DRAWBACKS or word.surface in _DRAWBACKS:
                return True
            if word.lemma in ("かかる", "掛かる") and any(t.lemma in _COSTS for t in rest[:k]):
                return True
    return False
