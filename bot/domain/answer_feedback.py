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
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, Protocol, Sequence

from bot.domain.role import Keywords, Question, Role


class TokenLike(Protocol):
    surface: str
    normalized: str
    lemma: str
    pos: str  # noun, proper_noun, verb, adjective, adverb, auxiliary, particle, prefix, suffix, symbol, number, other
    negation: bool


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
    def from_code(cls, code: str) -> "Verdict":
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
    r"[。．!?！？;；\n]+|(?<!\d)\.|\.(?!\d)|(?<=が)[、,]|(?<=けど)[、,]?|(?<=けれど)[、,]?|(?<=一方)[、,]?|(?<=ものの)[、,]?"
    r"|(?<=なく)(?<!だけでなく)(?<!のみでなく)[、,]|(?<=ず)(?<!のみならず)(?<!に限らず)(?<!かかわらず)[、,]|(?<=し)[、,]|(?<=て)[、,]"
)
_TENTHS = re.compile(r"(\d+(?:\.\d+)?)\s*割")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|パーセント|％)")
# Negation an analyser does not mark on a token, when a clause ends with it: 「…は不要です」.
_NEGATING_ENDS = ("不要", "必要ない", "必要はない", "未実施", "未導入", "未対応", "なし", "無し", "まだ")
_POLITE_END = re.compile(r"(です|でした|だ|である|と考えます|と思います|と考えている|と思う|ね|よ|[\s、,…])+$")
# 〜ないように, 〜ないため, 〜なければ: the negation serves what follows, it does not deny the clause.
_NOT_DENIAL_AFTER = frozenset({"よう", "ため", "と", "ば", "なら", "限り", "場合", "うち", "まま", "こと", "で"})
# Negative forms that affirm: an obligation, something indispensable, a rhetorical question.
_AFFIRMING = re.compile(
    r"なければ|なくては|ないと(なら|いけ|だめ|ダメ)|ねばなら|なきゃ|ざるを(得|え)|欠かせ(ない|ません)|ではないでしょうか|ではないか|じゃないか"
    r"|手はない|に違いない|しかない|しかありません|ほかない|以外にない|だけでなく|のみならず|に限らず"
)
_ENGLISH_NEGATION = re.compile(r"\b(not(?! only)|never|no longer|haven't|hasn't|don't|doesn't|didn't|won't|isn't|aren't|wasn't|weren't|cannot|can't)\b")
_SUBSTANCE = frozenset({"noun", "proper_noun", "verb", "adjective", "number"})


def negated(piece: str, tokens: Sequence[TokenLike]) -> bool:
    """Whether a clause denies what it says: its predicate is negated (「導入していません」「予算が
    ない」). A negation the clause goes on past (「使われていないリソースを削除した」「価値を生まず
    繰り返す作業」「起きないように監視する」), 「かもしれない」 and 「〜しなければならない」 do not."""
    if _ENGLISH_NEGATION.search(piece):
        return True
    if _AFFIRMING.search(piece):
        return False
    if _POLITE_END.sub("", piece).endswith(_NEGATING_ENDS):
        return True
    for index, token in enumerate(tokens):
        if not token.negation:
            continue
        if index and tokens[index - 1].surface in ("しれ", "知れ"):
            continue  # かもしれない: a possibility
        after = tokens[index + 1:]
        if after and (after[0].surface in _NOT_DENIAL_AFTER or after[0].lemma in _NOT_DENIAL_AFTER):
            continue
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


def _keys(tokens: Iterable[TokenLike]) -> list[str]:
    """The forms a clause is matched by: normalised and dictionary forms of content words."""
    keys: list[str] = []
    for token in tokens:
        if token.pos not in CONTENT_POS:
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


# Only a reply's start is judged. It is judged before its event is acknowledged, and analysis time
# grows faster than the text: Slack's longest message (40,000 characters) held a worker for most
# of a second, while 2,000 characters (a long, complete answer) take about 10 ms. A longer reply is
# not a better answer, and its feedback says where judging stopped.
JUDGED_CHARACTERS = 2_000


def analyse_reply(text: str, analyse: Analyse, limit: int = JUDGED_CHARACTERS) -> list[Clause]:
    """The reply as clauses the matcher can read, from its first `limit` characters only."""
    found = []
    for piece in clauses(text[:limit]):
        tokens = analyse(piece)
        found.append(Clause(piece.lower(), frozenset(_keys(tokens)), negated(piece.lower(), tokens)))
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


def _synonym(text: str, analyse: Analyse) -> Synonym:
    normalized = normalize_text(text).lower().strip()
    tokens = analyse(normalized)
    per_token = [t for t in tokens if t.pos in CONTENT_POS]
    keys = tuple(t.normalized.lower() or t.lemma.lower() for t in per_token if (t.normalized.lower() or t.lemma.lower()) not in STOP_WORDS)
    return Synonym(normalized, keys, negative=any(t.negation for t in tokens) or normalized.endswith(("ない", "ず", "ぬ", "不要")))


def matcher_for(point: str, keywords: Keywords | None, analyse: Analyse) -> PointMatcher:
    """Curated groups when the document gives them; otherwise each content word of the point is a
    group of its own."""
    if keywords:
        return PointMatcher(tuple(tuple(_synonym(s, analyse) for s in group) for group in keywords), curated=True)
    words: list[str] = []
    for token in analyse(normalize_text(point)):
        form = (token.normalized or token.lemma).lower()
        if token.pos in ("noun", "proper_noun", "verb", "adjective", "number") and form not in STOP_WORDS and len(form) > 1 and form not in words:
            words.append(form)
    return PointMatcher(tuple((Synonym(w, (w,)),) for w in words), curated=False)


def _found(synonym: Synonym, clause: Clause) -> bool:
    if synonym.text and synonym.text in clause.text:
        return True
    return bool(synonym.keys) and all(key in clause.keys for key in synonym.keys)


_DENIALS = ("ない", "ず", "ぬ", "ません", "なかった", "なく")


def _found_affirmed(synonym: Synonym, clause: Clause) -> bool:
    """Found where it is not denied. In a denied clause a keyword still counts when the denial is
    its own meaning: a keyword written as one (「責めない」), or a stem the denial directly follows
    (「個人を責め」 in 「個人を責めない」)."""
    if not clause.negated:
        return _found(synonym, clause)
    if synonym.negative:
        return bool(synonym.text) and synonym.text in clause.text  # its words alone would drop the denial
    return bool(synonym.text) and any(synonym.text + denial in clause.text for denial in _DENIALS)


def judge(matcher: PointMatcher, reply: Sequence[Clause]) -> Verdict:
    """Covered when every group is found in the reply's affirmative clauses; partly when some are."""
    if not matcher.groups:
        return Verdict.MISSING
    matched = sum(1 for group in matcher.groups if any(_found_affirmed(s, c) for s in group for c in reply))
    if matcher.curated:
        if matched == len(matcher.groups):
            return Verdict.COVERED
        return Verdict.PARTLY if matched else Verdict.MISSING
    # Without curated keywords a paraphrase shares few of the point's own words: 40% of them
    # (tuned on the evaluation set's dev half, docs/FEEDBACK.md) reads as covered.
    share = matched / len(matcher.groups)
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
