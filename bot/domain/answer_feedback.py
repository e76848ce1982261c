"""Which answer points a reply covers: pure matching over the tokens a morphological analyser gives.

A point is matched by its curated keyword groups (`キーワード：…` in the role document) or, when the
document has none, by the point's own content words. A reply is cut into clauses (sentences, and
「〜が、」「〜けど」 turns); a clause that is negated (「導入していません」「不要です」) covers nothing,
so a member who says they do not do something is not told they covered it. Numbers are compared
with their units read alike (3割 = 30%). The text is only ever held in memory: the result is a verdict
per point, nothing else.
"""

from __future__ import annotations

import enum
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from bot.domain.bare_lists import listed_clauses
from bot.domain.role import Keywords, Question, Role


class TokenLike(Protocol):
    @property
    def surface(self) -> str: ...
    @property
    def normalized(self) -> str: ...
    @property
    def lemma(self) -> str: ...
    @property
    def pos(self) -> str: ...  # noun, proper_noun, verb, adjective, adverb, auxiliary, particle, prefix, suffix, symbol, number, other
    @property
    def negation(self) -> bool: ...


Analyse = Callable[[str], Sequence[TokenLike]]


FALLBACK_COVERED = 0.4


class Verdict(enum.IntEnum):
    MISSING = 0
    PARTLY = 1
    COVERED = 2

    @property
    def mark(self) -> str:
        return {Verdict.COVERED: "✓", Verdict.PARTLY: "△", Verdict.MISSING: "–"}[self]

    @property
    def code(self) -> str:
        return "mpc"[self.value]

    @classmethod
    def from_code(cls, code: str) -> Verdict:
        code = code.lower()
        return cls("mpc".index(code)) if code in ("m", "p", "c") else cls.MISSING


def verdict_codes(verdicts: Sequence[Verdict], shortened: bool = False) -> str:
    """A reply's verdicts as they are kept: one letter per point (c covered, p partly, m missing),
    in capitals when the reply was longer than JUDGED_CHARACTERS and only its start was judged (the
    column keeps one letter per point, and its width, for both facts)."""
    codes = "".join(v.code for v in verdicts)
    return codes.upper() if shortened else codes


def read_codes(codes: str) -> tuple[tuple[Verdict, ...], bool]:
    """(verdicts, shortened) from what verdict_codes() wrote."""
    return tuple(Verdict.from_code(c) for c in codes), codes.isupper()


CONTENT_POS = frozenset({"noun", "proper_noun", "verb", "adjective", "number", "prefix", "suffix"})
# Words that carry no point of their own: matching them says nothing about the answer.
STOP_WORDS = frozenset(
    "こと もの ため よう など 等 する ある いる なる できる 出来る れる られる せる 思う 考える 行う 言う いう "
    "自分 具体 的 化 性 上 中 時 場合 方 点 際 后 後 前 つ 人 的確 それ これ あれ どれ 何 内容 形 ところ "
    "とき 事 物 為 様 さ み 達 たち 方法 について における よる 対する 関する".split()
)
# A clause is cut here: 「導入済みですが、運用はしていません」 negates only its second half.
# Not a decimal point (99.9%, CSF 2.0); 「だけでなく、」「のみならず、」 add rather than deny.
_CLAUSE = re.compile(
    # 笑 and w (after Japanese), and emoji, stand where 。 would in a chat: they end a sentence.
    r"[(（]笑[)）]|笑(?![\u3040-\u30ff\u4e00-\u9fff])|(?<=[\u3040-\u30ff\u4e00-\u9fff])[wｗ]+(?![a-z])"
    r"|[\U0001F000-\U0001FAFF\u2600-\u2604\u2607-\u27BF\u2B50\u2B55]+[\ufe0f]?"  # ★ and ☆ are text (★3)
    r"|[。．!?！？;；\n]+|(?<!\d)\.|\.(?!\d)|(?<=が)[、,]|(?<=けど)[、,]?|(?<=けれど)[、,]?|(?<=一方)[、,]?|(?<=ものの)[、,]?"
    r"|(?<=なく)(?<!だけでなく)(?<!のみでなく)[、,]|(?<=ず)(?<!のみならず)(?<!に限らず)(?<!かかわらず)[、,]|(?<=し)[、,]|(?<=て)[、,]"
)
_TENTHS = re.compile(r"(\d+(?:\.\d+)?)\s*割")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|パーセント|％)")
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
    r"(です|でした|だ|である|な?と(?:今は|今では|今になって|いまは)?(?:思|考え|感じ)(?:います|ました|ています|てます|ている|る|う|た)?|ね|よ|な|[\s、,…])+$"
)
# 〜ないように, 〜ないため, 〜なければ: the negation serves what follows, it does not deny the clause.
_NOT_DENIAL_AFTER = frozenset({"よう", "ため", "と", "ば", "なら", "限り", "場合", "うち", "まま", "こと", "で"})
# Negative forms that affirm: an obligation, something indispensable, a rhetorical question.
_AFFIRMING = re.compile(
    r"なければ|なくては|ないと(なら|いけ|だめ|ダメ)|ねばなら|なきゃ|ざるを(得|え)|欠かせ(ない|ません)|ではないでしょうか|ではないか|じゃないか"
    r"|手はない|に違いない|しか[^、,]{0,12}?(?:ない|ません|なかった|ず)|ほかない|以外にない|だけでなく|のみならず|に限らず"
)
# An admission says the point is not done yet, in words that are not a grammatical negation: the
# clause it is in covers nothing (「まだこれからです」「予算がなくて難しい」「手が回っていない」).
# Only that clause: a reply that admits one gap still covers the points it makes elsewhere.
_ADMISSION = re.compile(
    r"まだ[^、,]{0,20}?これから|これから|難し(?:い|く|かった)|手が回(?:って|ら|りません)|手つかず|未着手"
    r"|でき(?:て)?(?:い)?な(?:い|かった)|できていません|できてません|追いついていな|浅(?:い|く|かった)(?![\u4e00-\u9fff\u30a0-\u30ff])|弱(?:い|く|かった)(?![点\u4e00-\u9fff\u30a0-\u30ff])"
    # 放置 as a state (「放置されがち」), not as a condition (「放置すれば損失が出る」); a challenge
    # still open (「…が課題です」「今後の課題」), not the 課題 of a story told in the past.
    r"|放置(?:され|して(?:い|お)|したまま|のまま|状態|気味|がち)|(?<!な)課題(?:です|だ)(?![っと])|(?:今後の|まだ|今の)課題|課題が残"
    # Not done, said as the state of things (「決めていないのが正直なところです」).
    r"|な(?:い|かった)(?:の|こと)が(?:正直なところ|正直|現状|実情|実態|本音)"
    # A regret: what should have been done was not (「連絡係まで決めるべきだった」「やっておけばよかった」).
    r"|べきだった|(?:ば|たら)(?:よかった|良かった)"
)
# No need to do it, when the clause ends so (「あまり気にしなくていいと思います」), not a state reached
# (「夜間も気にしなくていい状態にした」).
_NO_NEED = re.compile(r"なくて(?:も)?(?:いい|良い|よい|大丈夫|構わない|問題ない)$")
# An English negation denies a clause when it negates a verb (「we don't」「is not」「never」); 「X, not Y」
# and 「not only」 contrast two things and deny neither (「outcome, not output」「IC track, not management」).
_ENGLISH_NEGATION = re.compile(
    r"\b(?:never|no longer|not yet|cannot|(?:have|has|had|do|does|did|wo|would|is|are|was|were|ca|could|should|must)n['’]t"
    r"|(?:['’]s|['’]re|['’]m|am|is|are|was|were|be|been|do|does|did|have|has|had|will|would|can|could|should|must|may|might|shall)"
    r"(?:\s+\w+)?\s+not(?!\s+(?:only|just|merely)))\b"
)
# A negation inside a relative or conditional clause qualifies a thing (「data that wouldn't be
# available」「so that it doesn't recur」), it does not deny what the sentence says.
_ENGLISH_SUBORDINATE = re.compile(r"\b(?:that|which|who|whom|whose|where|if|when|unless|so|until)\s+(?:[\w'’-]+\s+){0,3}$")


def _english_denies(piece: str) -> bool:
    return any(not _ENGLISH_SUBORDINATE.search(piece[: m.start()]) for m in _ENGLISH_NEGATION.finditer(piece))


_SUBSTANCE = frozenset({"noun", "proper_noun", "verb", "adjective", "number"})
_DECIDED_NOT = frozenset({"方針", "予定", "つもり", "考え", "計画"})
_THINKING = frozenset({"思う", "考える", "判断", "感じる", "決める", "結論"})


_ADMISSION_TAIL = 6  # characters after the admission before the clause ends (「…状態です」)


def _admits(piece: str) -> bool:
    """Whether the clause ends in an admission: 「一人ではできない成果」 and 「カバーできていない
    範囲を可視化した」 go on past it, so they admit nothing."""
    bare = _POLITE_END.sub("", piece)
    return any(len(bare) - match.end() <= _ADMISSION_TAIL for match in _ADMISSION.finditer(bare))


def negated(piece: str, tokens: Sequence[TokenLike]) -> bool:
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
        if len(said) >= 2 and said[0].surface == "と" and said[1].lemma in _THINKING:
            return True  # 「必要ないと思っています」「導入しないと判断した」: the thought is the denial
        if after and (after[0].surface in _NOT_DENIAL_AFTER or after[0].lemma in _NOT_DENIAL_AFTER):
            continue
        if after and after[0].surface in _DECIDED_NOT and not any(t.pos in _SUBSTANCE for t in after[1:]):
            return True  # 「導入しない方針です」: a decision not to
        if any(t.pos in _SUBSTANCE for t in after):
            continue  # the clause goes on: the negation is inside it
        return True
    return False


def normalize_text(text: str) -> str:
    """NFKC, with numbers and units read alike: 3割 → 30%, ３０％ → 30%."""
    text = unicodedata.normalize("NFKC", text)
    text = _TENTHS.sub(lambda m: f"{_number(float(m.group(1)) * 10)}%", text)
    return _PERCENT.sub(lambda m: f"{m.group(1)}%", text)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(normalize_text(text)) if c and c.strip()]


_NEGATION_WORDS = frozenset({"ない", "無い", "なし", "無し"})


def _keys(tokens: Iterable[TokenLike]) -> list[str]:
    """The forms a clause is matched by: normalised and dictionary forms of content words. A
    negation is never one: 「禁止ではなく」 does not say 無い about anything a point asks for."""
    keys: list[str] = []
    for token in tokens:
        if token.pos not in CONTENT_POS or token.lemma in _NEGATION_WORDS or token.surface in _NEGATION_WORDS:
            continue
        for form in {token.normalized.lower(), token.lemma.lower(), token.surface.lower()}:
            if form and form not in STOP_WORDS:
                keys.append(form)
    return keys


@dataclass(frozen=True)
class Clause:
    text: str  # NFKC, lower-cased: for terms an analyser cuts apart (zero trust, CI/CD)
    keys: frozenset[str]
    negated: bool
    listed: bool = False  # part of a bare list of terms: a point found only there is at most partly


# Only a reply's start is judged. It is judged before its event is acknowledged, and analysis time
# grows faster than the text: Slack's longest message (40,000 characters) held a worker for most
# of a second, while 2,000 characters (a long, complete answer) take about 10 ms. A longer reply is
# not a better answer, and its feedback says where judging stopped.
JUDGED_CHARACTERS = 2_000


_PREDICATE_POS = frozenset({"verb", "adjective"})
_COMMAS = frozenset({"、", ",", "，"})


# 「忘れずに」「欠かさずに」「迷わずに」「消さずに」「押し付けずに」: not doing these is what a good answer
# does, so the words around them are still said.
_DOUBLE_NEGATIVE = frozenset(
    "忘れる 欠かす 怠る 漏らす 逃す 見逃す 迷う 絶やす 諦める 休む 抜かす 惜しむ 躊躇う ためらう 妥協 手抜き 先送り 後回し 放置 溜める 隠す "
    "消す 削除 捨てる 壊す 失う 押し付ける 押しつける 責める 否定 決めつける 丸投げ 頼る 依存".split()
)
# After 「〜するより」, these make it a time (「デプロイするより前に」), not a choice against it.
_TIME_AFTER_YORI = frozenset("前 先 早い 早く 以前 後 あと".split())


def _denied_by_what_follows(tokens: Sequence[TokenLike], index: int) -> bool:
    """Whether tokens[index] ends a part that what follows sets aside: 「役割は決めずに全員で調査」
    (without doing it), 「確認しないでデプロイ」, 「ロールバックで止めるより、原因を直すほうが」 (rather
    than doing it). The part before is denied; the rest is said as usual."""
    token = tokens[index]
    before = tokens[index - 1] if index else None
    if before is None or index + 1 >= len(tokens) or not any(t.pos in _SUBSTANCE for t in tokens[index + 1 :]):
        return False
    if token.surface in ("に", "で") and before.negation and before.surface in ("ず", "ない"):
        if token.surface == "に" and before.surface != "ず" or token.surface == "で" and before.surface != "ない":
            return False
        verb = tokens[index - 2] if index >= 2 else None
        doer = tokens[index - 3] if index >= 3 and verb is not None and verb.lemma in ("する", "為る") else verb
        return not (verb is not None and (verb.lemma in _DOUBLE_NEGATIVE or (doer is not None and doer.lemma in _DOUBLE_NEGATIVE)))
    if token.surface == "より" and before.pos in ("verb", "auxiliary") and not before.negation:
        following = next((t for t in tokens[index + 1 :] if t.surface not in ("も", "、", ",")), None)
        return following is None or following.lemma not in _TIME_AFTER_YORI
    return False


def _cut_at_continuative(piece: str, tokens: Sequence[TokenLike]) -> list[tuple[str, list[TokenLike], bool]]:
    """A clause split at 「、」 right after a verb or adjective (連用中止: 「書き、」「行い、」「多く、」),
    where one predicate ends and the next begins, so a denial at the end (「…は出さず」) does not
    deny what came before it; and after a part that what follows sets aside (「…は決めずに」「…する
    より」), which is denied (the flag) while the rest is not."""
    parts: list[tuple[str, list[TokenLike], bool]] = []
    current: list[TokenLike] = []
    for index, token in enumerate(tokens):
        if token.surface in _COMMAS and index and tokens[index - 1].pos in _PREDICATE_POS and current:
            parts.append(("".join(t.surface for t in current), current, False))
            current = []
            continue
        current.append(token)
        if _denied_by_what_follows(tokens, index):
            # Only from the last comma: 「…を知っているので、無理なルールを押し付けずに」 sets aside the rule.
            comma = max((i for i, t in enumerate(current) if t.surface in _COMMAS), default=-1)
            if comma > 0:
                parts.append(("".join(t.surface for t in current[:comma]), current[:comma], False))
            aside = current[comma + 1 :]
            parts.append(("".join(t.surface for t in aside), aside, True))
            current = []
    if not parts:
        return [(piece, list(tokens), False)]
    if current:
        parts.append(("".join(t.surface for t in current), current, False))
    return parts


def analyse_reply(text: str, analyse: Analyse, limit: int = JUDGED_CHARACTERS) -> list[Clause]:
    """The reply as clauses the matcher can read, from its first `limit` characters only."""
    found = []
    pieces = clauses(text[:limit])
    analysed = [(piece, analyse(piece)) for piece in pieces]
    for (piece, tokens), listed in zip(analysed, listed_clauses(analysed), strict=True):
        for part, part_tokens, set_aside in _cut_at_continuative(piece, tokens):
            lowered = part.lower()
            found.append(Clause(lowered, frozenset(_keys(part_tokens)), set_aside or negated(lowered, part_tokens), listed))
    return found


@dataclass(frozen=True)
class Synonym:
    text: str  # NFKC, lower-cased
    keys: tuple[str, ...]  # its content words' forms (any form of each must appear)
    # A keyword that is itself a negation (「責めない」「隠さない」) is found in denied clauses too:
    # the point is the denial.
    negative: bool = False


@dataclass(frozen=True)
class PointMatcher:
    groups: tuple[tuple[Synonym, ...], ...]
    curated: bool
    # Without curated keywords, each group (one content word of the point) weighs by its rarity
    # among all points: 「具体的」「経験」 say little, 「ポストモーテム」 says the point.
    weights: tuple[float, ...] = ()


def rarity_weights(points: Iterable[str], analyse: Analyse) -> Callable[[str], float]:
    """A word's weight by how few points use it (smoothed inverse document frequency), for points
    without curated keywords."""
    counts: dict[str, int] = {}
    total = 0
    for point in points:
        total += 1
        for word in set(_point_words(analyse(normalize_text(point)))):
            counts[word] = counts.get(word, 0) + 1

    def weight(word: str) -> float:
        return math.log((1 + total) / (1 + counts.get(word, 0))) + 1.0

    return weight


def _point_words(tokens: Sequence[TokenLike]) -> list[str]:
    words: list[str] = []
    for token in tokens:
        form = (token.normalized or token.lemma).lower()
        if (
            token.pos in ("noun", "proper_noun", "verb", "adjective", "number")
            and form not in STOP_WORDS
            and form not in _NEGATION_WORDS
            and len(form) > 1
            and form not in words
        ):
            words.append(form)
    return words


def _is_denial(text: str, tokens: Sequence[TokenLike]) -> bool:
    return any(t.negation for t in tokens) or text.endswith(("ない", "ず", "ぬ", "不要", "せず", "しない"))


def _synonym(text: str, analyse: Analyse) -> Synonym:
    normalized = normalize_text(text).lower().strip()
    tokens = analyse(normalized)
    per_token = [t for t in tokens if t.pos in CONTENT_POS and t.lemma not in _NEGATION_WORDS]
    keys = tuple(t.normalized.lower() or t.lemma.lower() for t in per_token if (t.normalized.lower() or t.lemma.lower()) not in STOP_WORDS)
    negative = _is_denial(normalized, tokens)
    # A keyword that is a denial (「禁止ではなく」) is found as written: its words without the
    # denial would match the opposite (「すべて禁止します」).
    return Synonym(normalized, () if negative else keys, negative=negative)


def matcher_for(point: str, keywords: Keywords | None, analyse: Analyse, rarity: Callable[[str], float] | None = None) -> PointMatcher:
    """Curated groups when the document gives them; otherwise each content word of the point is a
    group of its own. A point that is itself a denial (「担当者の不注意で終わらせず」) is found in a
    denied clause too, curated or not."""
    if keywords:
        return PointMatcher(tuple(tuple(_synonym(s, analyse) for s in group) for group in keywords), curated=True)
    normalized = normalize_text(point)
    tokens = analyse(normalized)
    negative = _is_denial(normalized, tokens)
    words = _point_words(tokens)
    weights = tuple(rarity(w) if rarity else 1.0 for w in words)
    return PointMatcher(tuple((Synonym(w, (w,), negative=negative),) for w in words), curated=False, weights=weights)


def _found(synonym: Synonym, clause: Clause) -> bool:
    if synonym.text and synonym.text in clause.text:
        return True
    return bool(synonym.keys) and all(key in clause.keys for key in synonym.keys)


_DENIALS = ("ない", "ず", "ぬ", "ません", "なかった", "なく")


def _found_affirmed(synonym: Synonym, clause: Clause) -> bool:
    """Found where it is not denied. In a denied clause a keyword still counts when the denial is
    its own meaning: a keyword written as one (「責めない」), a point that is one, or a stem the
    denial directly follows (「個人を責め」 in 「個人を責めない」)."""
    if not clause.negated:
        return _found(synonym, clause)
    if synonym.negative:
        if synonym.text and synonym.text in clause.text:
            return True
        return not synonym.text.endswith(("ない", "ず")) and _found(synonym, clause)  # a fallback word of a denying point
    return bool(synonym.text) and any(synonym.text + denial in clause.text for denial in _DENIALS)


_KATAKANA = re.compile(r"^[\u30a0-\u30ff]{6,}$")


@lru_cache(maxsize=8192)
def _near_pattern(word: str) -> re.Pattern[str]:
    """A word of katakana within one edit (a letter changed, added or dropped): 「ローテンション」
    for ローテーション. Only long katakana words: short ones and Latin words have neighbours that
    mean something else (patch/pitch, scope/score)."""
    variants = []
    for i in range(len(word)):
        variants.append(re.escape(word[:i]) + "." + re.escape(word[i + 1 :]))  # changed
        variants.append(re.escape(word[:i]) + re.escape(word[i + 1 :]))  # dropped
        variants.append(re.escape(word[:i]) + "." + re.escape(word[i:]))  # added
    return re.compile("|".join(variants))


def _found_near(synonym: Synonym, clause: Clause) -> bool:
    return not clause.negated and bool(_KATAKANA.match(synonym.text)) and bool(_near_pattern(synonym.text).search(clause.text))


def judge(matcher: PointMatcher, reply: Sequence[Clause]) -> Verdict:
    """Covered when every group is found in the reply's affirmative clauses; partly when some are.
    A group found only in a bare list of terms, or only by a near spelling, counts as partly."""
    if not matcher.groups:
        return Verdict.MISSING
    matched = firm = 0
    firm_weight = 0.0
    weights = matcher.weights or (1.0,) * len(matcher.groups)
    # Most keywords are nowhere in a reply: look for each in the whole reply once before clause by clause.
    whole = "\n".join(c.text for c in reply)
    keys = frozenset().union(*(c.keys for c in reply)) if reply else frozenset()
    for group, weight in zip(matcher.groups, weights, strict=False):
        present = [s for s in group if (s.text and s.text in whole) or (s.keys and all(k in keys for k in s.keys))]
        hits = [c for c in reply if any(_found_affirmed(s, c) for s in present)] if present else []
        if hits:
            matched += 1
            if any(not c.listed for c in hits):
                firm += 1
                firm_weight += weight
        elif any(_found_near(s, c) for s in group for c in reply):
            matched += 1
    if matcher.curated:
        if matched == len(matcher.groups):
            return Verdict.COVERED if firm == matched else Verdict.PARTLY
        return Verdict.PARTLY if matched else Verdict.MISSING
    # Without curated keywords a paraphrase shares few of the point's own words: 40% of their
    # weight (rare words weigh more; tuned on the evaluation set's dev half, docs/FEEDBACK.md)
    # reads as covered.
    share = firm_weight / sum(weights)
    if share >= FALLBACK_COVERED:
        return Verdict.COVERED
    return Verdict.PARTLY if matched else Verdict.MISSING


def best(verdicts: Iterable[Sequence[Verdict]]) -> tuple[Verdict, ...]:
    """A member's verdict for a drill: per point, the best over their replies."""
    rows = list(verdicts)
    width = max((len(r) for r in rows), default=0)
    return tuple(max((r[i] for r in rows if i < len(r)), default=Verdict.MISSING) for i in range(width))


@dataclass(frozen=True)
class AnswerFeedback:
    """What one member is told about one drill: per answer point, whether their replies covered it."""

    role: Role
    question: Question
    verdicts: tuple[Verdict, ...]
    shortened: bool = False  # a reply was longer than JUDGED_CHARACTERS: only its start was judged

    @property
    def lines(self) -> list[tuple[Verdict, str]]:
        return [(self.verdicts[i] if i < len(self.verdicts) else Verdict.MISSING, point) for i, point in enumerate(self.question.points)]
