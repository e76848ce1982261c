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
from bot.domain.denials import ENGLISH_NEGATION, denied_by_what_follows, negated
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
    r"|[。．!?！？;；\n]+|(?<!\d)\.|\.(?!\d)|(?<=が)[、,]|(?<=のに)[、,]|(?<=けど)[、,]?|(?<=けれど)[、,]?|(?<=一方)[、,]?|(?<=ものの)[、,]?"
    r"|(?<=なく)(?<!だけでなく)(?<!のみでなく)(?<!だけじゃなく)(?<!だけではなく)(?<!ばかりでなく)[、,]|(?<=ず)(?<!のみならず)(?<!に限らず)(?<!かかわらず)[、,]|(?<=し)[、,]|(?<=て)[、,]"
)
_TENTHS = re.compile(r"(\d+(?:\.\d+)?)\s*割")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|パーセント|％)")


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
# する, ある, いる and なる as the analyser normalises them.
_LIGHT_VERBS = frozenset({"為る", "有る", "居る", "成る"})


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
        if denied_by_what_follows(tokens, index):
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
            and form not in _LIGHT_VERBS
            and len(form) > 1
            and form not in words
        ):
            words.append(form)
    return words


def _is_denial(text: str, tokens: Sequence[TokenLike]) -> bool:
    """A keyword or point that is itself a denial: 「責めない」, or in English 「can't instruct」."""
    return (
        any(t.negation for t in tokens)
        or text.endswith(("ない", "ず", "ぬ", "不要", "せず", "しない"))
        or bool(ENGLISH_NEGATION.search(text))
    )


def _synonym(text: str, analyse: Analyse) -> Synonym:
    """A keyword, found by its text or by all its content words in one clause; or by its text only
    when its content words alone would say something else:
    - a denial (「禁止ではなく」): without it, its words match the opposite (「すべて禁止します」);
    - only a light verb (「何をした」 is 為る once analysed): that verb is in almost every clause;
    - a word the analyser drops (「バーンレート」 is an adverb and レート): any rate is not a burn rate;
    - a particle or a time word its meaning rests on (「原因調査より」「個人情報だけ」「再実行しても」「導入後」)."""
    normalized = normalize_text(text).lower().strip()
    tokens = analyse(normalized)
    forms = ((t.normalized or t.lemma).lower() for t in tokens if t.pos in CONTENT_POS and t.lemma not in _NEGATION_WORDS)
    keys = tuple(form for form in forms if form not in STOP_WORDS)
    negative = _is_denial(normalized, tokens)
    as_written = negative or all(key in _LIGHT_VERBS for key in keys) or any(t.pos == "adverb" for t in tokens) or _narrowing(tokens)
    return Synonym(normalized, () if as_written else keys, negative=negative)


_NARROWING = frozenset({"より", "だけ", "のみ", "しか", "ばかり", "ずつ", "として"})
# Time words the matcher drops as carrying no point, which a keyword's meaning rests on (「導入後」
# is not any 導入, 「原因調査は後」 not any 原因調査).
_WHEN = frozenset({"後", "前", "先", "以降", "以前", "以後", "あと"})


def _narrowing(tokens: Sequence[TokenLike]) -> bool:
    """A comparison, a limit or a concession (「より」「だけ」「しても」) in a keyword."""
    for index, token in enumerate(tokens):
        if token.pos == "particle" and token.surface in _NARROWING or token.surface in _WHEN:
            return True
        if token.surface == "も" and index and tokens[index - 1].surface in ("て", "で"):
            return True
    return False


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
