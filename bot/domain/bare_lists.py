"""Whether a reply's clauses make a bare list of terms (buzzwords, no answer): a point found only
in one is at most partly covered (see answer_feedback.judge).

A list names things and says nothing about them. It is recognised by what its items lack, however it
is laid out: a predicate and case structure of their own. Whatever else it holds only frames it: a
lead (「ポイントは」「大事なのは」), a closing that does no more than rate the list (「…が大事だと思います」
「…あたりですね」「…を意識してます」), tags (「SLO：必須」「可視化（大事）」), bullets and their numbers.
Pure: it reads the tokens an analyser gave (bot/analysis), and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol


class Word(Protocol):
    """What is read of a token (answer_feedback.TokenLike has these and more)."""

    @property
    def surface(self) -> str: ...
    @property
    def lemma(self) -> str: ...
    @property
    def pos(self) -> str: ...
    @property
    def negation(self) -> bool: ...


_PREDICATE_POS = frozenset({"verb", "adjective"})

_LIST_ITEM_CHARACTERS = 15  # a term, not a phrase: 「ユーザーの重要操作の成功率とp95レイテンシ」 or an English clause is more
_LIST_ITEM_WORDS = 3  # a name such as Cost Explorer or Late Arriving Data, not an English clause
_TAG_CHARACTERS = 6  # an aside in brackets or after a colon (「（要改善）」「：期限付き」), too short to explain anything

# Words that rate a list, point at it or count it: they frame a list and say nothing about what it names.
_EVALUATING = frozenset(
    "大事 大切 重要 肝要 肝心 必要 必須 不可欠 必要不可欠 欠かす 欠かせる マスト must 肝 キモ きも 鍵 カギ かぎ キー key 要 "
    "ポイント point 要点 基本 基礎 鉄板 定番 王道 前提 大前提 重視 重要視 意識 心掛ける 心がける 気を付ける 気をつける 押さえる "
    "大丈夫 ok オッケー 完璧 最強 正義 絶対 マジ 超 最優先 "
    "あたり 辺り 辺 へん 周り 周辺 系 類 色々 いろいろ 諸々 もろもろ 一通り ひととおり 全部 全て すべて 全般 以上 以下 次 下記 上記 "
    "こちら これ それ あれ ここ そこ こう そう こんな そんな こういう そういう 感じ 感じる 雰囲気 キーワード ワード 用語 言葉 単語 "
    "項目 要素 観点 視点 話 あと 後 他 ほか etc 笑 w 思う 考える 言える 挙げる 浮かぶ 思い浮かぶ 思いつく 個人的 具体的".split()
)
# Light words frame a list with an evaluating word (「…を意識しています」) but not alone: 「…をします」
# and 「…があります」 say that something is done or there.
_LIGHT = frozenset(
    "する 為る いる 居る ある 有る なる 成る おく 置く しまう こと 事 もの 物 の よう ところ とこ 的 自分 私 僕 俺 等 など いう 言う".split()
)
_FRAMING = _EVALUATING | _LIGHT
_COUNTERS = frozenset("つ 点 個 項目 位".split())  # 「この3つ」「以下の5点」 count the list
_CONTENT = frozenset({"noun", "proper_noun", "verb", "adjective"})
_NAMING = frozenset({"noun", "proper_noun", "number", "symbol", "prefix", "suffix"})
_ARROWS = frozenset("→⇒➡➔⇨＞>")
_ITEM_SEPARATORS = frozenset("、,，・/／#＃|｜") | _ARROWS  # an arrow chains steps: 「検知→調査→報告」
_TAG_SEPARATORS = frozenset(":：")
_ASIDES = {"(": ")", "（": "）", "[": "]", "［": "］", "【": "】"}
_QUOTES = {"「": "」", "『": "』", '"': '"', "“": "”"}
_CLOSING_QUOTES = frozenset(_QUOTES.values())
_BRACKETS = frozenset(_ASIDES) | frozenset(_ASIDES.values()) | frozenset(_QUOTES) | frozenset(_QUOTES.values())
_CASE_PARTICLES = frozenset({"が", "を", "に", "で", "は", "へ", "より"})  # not から・まで・と, which names hold (失敗から学ぶ姿勢)
_CONTINUING = _CASE_PARTICLES | {"も"}
_FORMAL_NOUNS = frozenset({"こと", "事"})  # a clause made a noun (「…を明示すること」) keeps its arguments
_LISTED_BY_PARTICLE = 3  # 「AとかBとかCとか…」: as many terms marked by とか or や make the clause a list  # a line that ends in one goes on in the next (「保持期間は」): no closing
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_SPACE = re.compile(r"\s")
_NAMES_IN_TAG = re.compile(r"[、,，・/／|｜]")
_CUTS = re.compile(r"[、,，・/／#＃|｜→⇒➡➔⇨＞>\s(（\[［【「『\"“]|とか|や")  # where _items() may cut a clause, or must not
# Words of an English sentence, in lower case or capitalised (IT and AND in a list of names are not).
_ENGLISH_WORDS = (
    "a an the to of and or for with in on at by from we i you our my is are was were be it this that as if so but "
    "do does did have has had will would can should then when which they their into about not no yet"
).split()
_ENGLISH_SENTENCE = re.compile(r"\b(?:" + "|".join(w + "|" + w.capitalize() for w in _ENGLISH_WORDS) + r")\b|[a-z]'(?:t|s|m|re|ve|d|ll)\b")
# A short reply that ends by calling itself an impression (「…って感じっす」「…みたいな感じです」「…とか
# ですかね」「…とか」) gestures at an answer rather than gives one: its terms are a list however they
# are joined. Long replies that end so (a story, then 「みたいな感じで話してます」) are answers.
_HEDGED_END = re.compile(r"(?:(?:って|みたいな|的な)感じ(?:です|っす|でしょう)?(?:かね|ね)?|とか(?:です|っす)?よ?(?:かね|ね)?)$")
_HEDGED_REPLY_CHARACTERS = 80
FRAME, SENTENCE = 0, -1  # what _listed_terms() says of a clause that names no term


def _among(token: Word, words: frozenset[str]) -> bool:
    # Not the normalised form: it reads 抑える (to keep down, an act) as 押さえる (to have covered).
    return token.lemma.lower() in words or token.surface.lower() in words


def _framing(token: Word) -> bool:
    return token.pos not in _CONTENT or _among(token, _FRAMING)


def _frame(tokens: Sequence[Word]) -> bool:
    """Words that only frame a list: an evaluating word with particles, auxiliaries and light words
    around it (「このあたりが大事だと思います」), or no content word at all (「です」「（笑）」). A number is
    content (「4624」「99.9%」) unless it counts the list (「この3つ」)."""
    evaluating = content = False
    if _denies(tokens):
        return False  # a denial (「…は意識していません」) rates nothing
    for index, token in enumerate(tokens):
        if token.pos == "number":
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if after is None or after.surface not in _COUNTERS:
                return False
        elif not _framing(token):
            return False
        elif token.pos in _CONTENT:
            content = True
            evaluating = evaluating or _among(token, _EVALUATING)
    return evaluating or not content


def _denies(tokens: Sequence[Word]) -> bool:
    """A negation that denies: not 「欠かせない」 (indispensable) nor a condition that asks for something
    (「ないとダメ」「なければ」「なくては」)."""
    for index, token in enumerate(tokens):
        if not token.negation:
            continue
        before = tokens[index - 1].lemma if index else ""
        after = tokens[index + 1].surface if index + 1 < len(tokens) else ""
        if before not in ("欠かす", "欠かせる") and after not in ("と", "ば", "て", "ては", "きゃ"):
            return True
    return False


def _explains(tokens: Sequence[Word]) -> bool:
    """Whether an item says something about what it names: a case particle (「SIEMでログ分析」
    「手が回っていない状態」; not before の: 「SIEMでのログ分析」), or a predicate (verbs, adjectives and
    auxiliaries) that ends the item in a plain form or goes on with a particle (「ログ見る」「計測して改善」
    「といえば」「…です」). A predicate right before a noun describes it (「失敗から学ぶ姿勢」「守りたいもの」
    「重要なKPI」「発注者としての目利き」), and a verb's stem names an act (「レビュー待ち」): both are part of a
    term, and so are the case particles of a clause that describes a noun (「経営者が認識すべき3原則」),
    but not those of one made a noun by こと (「AI利用を明示すること」 says what to do; 「定期的に見直すこと」,
    without an argument, is a slogan). A topic (は) is never part of a term."""
    index = 0
    arguments = False  # case particles not yet shown to belong to a describing clause
    while index < len(tokens):
        token = tokens[index]
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.pos == "particle" and token.surface in _CASE_PARTICLES and (after is None or after.surface != "の"):
            if token.surface == "は" or after is None:
                return True
            arguments = True
            index += 1
            continue
        if token.pos == "auxiliary" and token.surface not in ("な", "に"):
            return True  # after a noun: 「…です」「…だ」, not an adverb (「定期的に見直す」)
        if token.pos not in _PREDICATE_POS:
            index += 1
            continue
        end = index
        while end + 1 < len(tokens) and (
            tokens[end + 1].pos in ("verb", "adjective", "auxiliary")
            or (tokens[end + 1].surface in ("て", "で") and end + 2 < len(tokens) and tokens[end + 2].pos in ("verb", "auxiliary"))
        ):
            end += 1
        head = tokens[end + 1] if end + 1 < len(tokens) else None
        if head is not None and head.surface in ("て", "で") and end + 3 < len(tokens) and tokens[end + 2].surface == "の":
            head = tokens[end + 3]  # 「としての目利き」「に向けての説明」
        describes = head is not None and head.pos in ("noun", "proper_noun", "suffix", "number")
        if not describes and (end + 1 < len(tokens) or tokens[end].pos == "auxiliary" or tokens[end].surface == tokens[end].lemma):
            return True
        if describes and head is not None and head.surface not in _FORMAL_NOUNS:
            arguments = False
        index = end + 1
    return arguments


class _Words:
    """A clause's tokens with the text each item spans (spaces included)."""

    __slots__ = ("piece", "tokens", "spans", "joined", "marked")

    def __init__(self, piece: str, tokens: Sequence[Word]):
        self.piece, self.tokens = piece, tokens
        self.spans = _spans(piece, tokens) if _SPACE.search(piece) else None
        self.joined: set[int] = set()
        self.marked: set[int] = set()  # the last tokens of items that 「とか」 or 「や」 follow (a lead may trim their start)

    def text(self, first: int, last: int) -> str:
        if self.spans is None:
            return "".join(t.surface for t in self.tokens[first : last + 1])
        return self.piece[self.spans[first][0] : self.spans[last][1]]

    def spaced(self, index: int) -> bool:
        """Whether spaces set the token apart from the one before it."""
        return self.spans is not None and index > 0 and self.spans[index - 1][1] < self.spans[index][0]


def _spans(piece: str, tokens: Sequence[Word]) -> list[tuple[int, int]] | None:
    spans, cursor = [], 0
    for token in tokens:
        at = piece.find(token.surface, cursor)
        if at < 0:
            return None
        spans.append((at, at + len(token.surface)))
        cursor = at + len(token.surface)
    return spans


def _items(words: _Words) -> list[list[int]]:
    """The clause cut into items (token indices) at 、・/#| , at 「とか」 and 「や」, and between names set
    apart by spaces unless they read as an English sentence; never inside brackets or quotes. An item
    after 「・」 starts at a token recorded in words.joined (「セキュリティ・情報管理」 may be one name)."""
    tokens = words.tokens
    if not _CUTS.search(words.piece):
        return [list(range(len(tokens)))] if tokens else []
    spaced = words.spans is not None and not _ENGLISH_SENTENCE.search(words.piece)
    items: list[list[int]] = [[]]
    closing: list[str] = []
    for index, token in enumerate(tokens):
        surface = token.surface
        if closing:
            if surface == closing[-1]:
                closing.pop()
            elif surface in _ASIDES or surface in _QUOTES:
                closing.append(_ASIDES.get(surface) or _QUOTES[surface])
            items[-1].append(index)
            continue
        if surface in _ASIDES or surface in _QUOTES:
            if surface in _QUOTES and index and tokens[index - 1].surface in _CLOSING_QUOTES and items[-1]:
                items.append([])  # 「A」「B」「C」: quoted names one after another
            closing.append(_ASIDES.get(surface) or _QUOTES[surface])
        elif token.pos == "symbol" and surface in _ITEM_SEPARATORS:
            items.append([index] if surface in "#＃" else [])  # a hashtag marks its item
            if surface == "・":
                words.joined.add(index + 1)
            continue
        elif token.pos == "particle" and (surface == "や" or (surface == "か" and items[-1] and tokens[items[-1][-1]].surface == "と")):
            if surface == "か":
                items[-1].pop()  # 「AとかBとか」
            if items[-1]:
                words.marked.add(items[-1][-1])
            items.append([])
            continue
        elif spaced and words.spaced(index) and token.pos in _NAMING and tokens[index - 1].pos in _NAMING:
            items.append([])  # between names set apart by spaces (not 「Kafka の event」: a particle joins them)
        items[-1].append(index)
    return [item for item in items if item]


def _bare(words: _Words, item: list[int]) -> bool | None:
    """Whether an item names a term (True), a phrase too long for one (False), or says something
    (None). Tags that rate it or set it aside (「SLO：必須」「可視化（大事）」「再発防止（期限付き）」) and
    a hashtag's words do not count; a quote is a name (「『特にないです』（厳禁）」); a heading with what it
    stands for (「検知：EDRアラート」) is two names, unless the second explains (「ログ：SIEMで分析」)."""
    tokens = words.tokens
    said: list[int] = []  # the words whose grammar counts
    quoted: list[int] = []  # a quote's words: a name, whatever its grammar
    at = 0
    while at < len(item):
        surface = tokens[item[at]].surface
        close = _ASIDES.get(surface) or _QUOTES.get(surface)
        if close is None:
            said.append(item[at])
            at += 1
            continue
        end = at + 1
        while end < len(item) and tokens[item[end]].surface != close:
            end += 1
        inner = item[at + 1 : end]
        if surface in _QUOTES:
            quoted.extend(inner)
        elif not _tag(words, inner):
            said.extend(inner)
        at = end + 1
    colon = next((position for position, i in enumerate(said) if tokens[i].surface in _TAG_SEPARATORS), None)
    if colon is None:
        names = [sorted(said + quoted)]
    else:
        heading, rest = said[:colon], said[colon + 1 :]
        if _tag(words, rest):
            said, names = heading, [sorted(heading + quoted)]
        elif _frame([tokens[i] for i in heading]):
            said, names = rest, [sorted(rest + quoted)]  # 「ポイント：…」
        else:
            said, names = heading + rest, [heading, rest]  # a heading and its term: two names
    said = [i for i in said if tokens[i].pos != "symbol"]
    hashtag = tokens[item[0]].surface in "#＃"
    if said and not hashtag and _explains([tokens[i] for i in said]):
        return None
    return all(_term_like(words.text(name[0], name[-1])) for name in names if name)


def _tag(words: _Words, inner: list[int]) -> bool:
    """Words in brackets or after a colon that rate or set aside what they follow: a frame, or too
    short to explain anything (each of them, when they are names set apart by 、・/|)."""
    if not inner or _frame([words.tokens[i] for i in inner]):
        return True  # (a list of short names in brackets is a tag too: 「（開発者/提供者/利用者）」)
    return all(len(name) <= _TAG_CHARACTERS for name in _NAMES_IN_TAG.split(words.text(inner[0], inner[-1])))


def _listed_terms(piece: str, tokens: Sequence[Word], loose: int = _LISTED_BY_PARTICLE) -> tuple[int, int]:
    """How many bare terms a clause names: FRAME when it only frames a list (「ポイントは以下です」「この
    あたりが大事かなと」, a bullet's number), SENTENCE when it says something (a predicate or case
    structure of its own) or is a phrase rather than terms; and how many entries it adds to a list
    that goes on over several clauses: its terms, but words joined by 「・」 as one unless the clause
    is a list of its own (three terms or more)."""
    if all(t.pos in ("number", "symbol") for t in tokens) and len(tokens) <= 2:
        return FRAME, 0  # 「1.」 before a bullet, or nothing
    words = _Words(piece, tokens)
    # The frame: whole items (「、この3つが肝です」), a lead on the first (「ポイントは」「1」) and a closing on
    # the last (「…が大事だと思います」).
    terms = [item for item in _items(words) if not _frame([tokens[i] for i in item])]
    if not terms:
        return FRAME, 0
    last = terms[-1]
    close = len(last)
    while close > 1 and _framing(tokens[last[close - 1]]) and tokens[last[close - 1]].surface not in _BRACKETS:
        close -= 1  # (brackets and quotes are for _bare: 「可視化（大事）」)
    while close < len(last) and tokens[last[close - 1]].pos in ("verb", "adjective", "auxiliary"):
        close += 1  # a closing follows a name (「Cが大事」), not a predicate (「といえば」)
    if close < len(last) and _frame([tokens[i] for i in last[close:]]) and tokens[last[-1]].surface not in _CONTINUING:
        terms[-1] = last[:close]
    first = terms[0]
    lead = 0
    while lead < len(first) - 1 and _framing(tokens[first[lead]]) and tokens[first[lead]].surface not in _BRACKETS:
        lead += 1
    while lead and tokens[first[lead - 1]].pos in _CONTENT:
        lead -= 1  # a lead ends in a particle or a symbol: 「ポイントは」, not the 人 of 「人、プロセス」
    if lead and _frame([tokens[i] for i in first[:lead]]):
        terms[0] = first[lead:]
    if len(terms) == 1 and _bare(words, terms[0]) is None:
        said = [tokens[i] for i in terms[0] if tokens[i].pos != "symbol"]
        if said and len(words.text(terms[0][0], terms[0][-1])) <= _TERSE_CHARACTERS and _slogan(said):
            return 1, 1  # a slogan on a line of its own (「・不満は言わない」), among bullets of terms
    bare = 0
    for position, item in enumerate(reversed(terms)):  # the last first: a sentence most often shows itself at its end
        term = _bare(words, item)
        if term is None:
            if position and len(terms) >= 3 and not _chained(words, terms) and _terse(words, item):
                bare += 1  # a note among terms (「形骸化、システムで強制、教育」「報連相 / 抱え込まない / 切り替え」)
                continue
            if not _chained(words, terms):
                return _marked_terms(words, terms, loose)
            continue  # a step that says something, in a chain of terms (「仮押さえ→決済→期限切れで解放」)
        bare += term
    if bare < 0.75 * len(terms) or bare < len(terms) and bare < 3:
        return _marked_terms(words, terms, loose)
    return len(terms), len(terms) if len(terms) >= 3 else max(1, sum(item[0] not in words.joined for item in terms))


_TERSE_CHARACTERS = 12


def _terse(words: _Words, item: list[int]) -> bool:
    """A short note that states nothing in full: it ends in a noun (「システムで強制」) or is a slogan
    in the plain negative (「抱え込まない」「不満は言わない」), with no topic before a noun ending."""
    said = [words.tokens[i] for i in item if words.tokens[i].pos != "symbol"]
    if not said or len(words.text(item[0], item[-1])) > _TERSE_CHARACTERS:
        return False
    if _slogan(said):
        return True
    return said[-1].pos in ("noun", "suffix", "proper_noun", "adjective") and not any(t.surface == "は" for t in said)


def _slogan(said: Sequence[Word]) -> bool:
    """A rule in the plain negative (「抱え込まない」「他責にしない」): a slogan, not something done."""
    last = said[-1]
    return last.negation and last.surface in ("ない", "ず") and not any(t.pos == "auxiliary" and not t.negation for t in said)


def _after_topic(words: _Words, item: list[int]) -> list[int]:
    """An item without the topic it starts with: 「SOARは」 or 「こういうのは」 before 「エンリッチメントとか」."""
    topic = max((position for position, i in enumerate(item) if words.tokens[i].surface == "は"), default=-1)
    return item[topic + 1 :] or item


def _chained(words: _Words, terms: list[list[int]]) -> bool:
    """Whether the items are joined by arrows: a chain of steps."""
    starts = {item[0] for item in terms[1:]}
    return any(words.tokens[i - 1].surface in _ARROWS for i in starts if i)


def _marked_terms(words: _Words, terms: list[list[int]], loose: int = _LISTED_BY_PARTICLE) -> tuple[int, int]:
    """A clause that says something, unless it names its terms with 「とか」 or 「や」 three times or more
    (「IPAのサイトとかPPCの発表とか勉強会とかで追ってます」「AとかBとかCとかですかね、…」), or before 「みたいな」
    (「短所・長所・改善策、みたいなフレームで…」): examples named that loosely are a list, whatever the casual
    sentence around them says of them."""
    marks = words.marked
    if words.tokens[terms[-1][0]].lemma == "みたい":
        marks = marks | {item[-1] for item in terms[:-1]}
    if len(marks) < loose:
        return SENTENCE, 0
    marked = [item for item in terms if item[-1] in marks and _bare(words, _after_topic(words, item))]
    if len(marked) >= loose:
        return max(len(marked), _LISTED_BY_PARTICLE), len(marked)  # named loosely: a list by itself
    return SENTENCE, 0


def _term_like(item: str) -> bool:
    """A term rather than a phrase: a few Japanese characters, or a name of up to three words."""
    if _JAPANESE.search(item):
        return len(item) <= _LIST_ITEM_CHARACTERS
    return len(item.split()) <= _LIST_ITEM_WORDS


def listed_clauses(analysed: Sequence[tuple[str, Sequence[Word]]]) -> list[bool]:
    """Which clauses are part of a bare list. A clause naming three terms or more is one by itself.
    Terms one per line, bullet or emoji are one too: a run of three or more with only frames between
    them (a lead 「ポイントは以下です」, a closing 「あたりですね」); and so are all the terms of a reply
    that is mostly terms, with an explained line among them (that line still counts in full)."""
    if analysed and _hedged(analysed):
        return [any(t.pos in _CONTENT for t in tokens) for _, tokens in analysed]
    # In a short reply two terms named loosely (「エンリッチメントとか承認フローとかが肝っすね」) are a list.
    short = sum(len(piece) for piece, _ in analysed) <= _HEDGED_REPLY_CHARACTERS
    shapes = [_listed_terms(piece, tokens, 2 if short else _LISTED_BY_PARTICLE) for piece, tokens in analysed]
    counts = [count for count, _ in shapes]
    entries = [entry for _, entry in shapes]
    listed = [count >= 3 for count in counts]
    run: list[int] = []
    for index, count in enumerate([*counts, SENTENCE]):
        if count != SENTENCE:
            run.append(index)
            continue
        if sum(entries[i] for i in run) >= 3:
            for i in run:
                listed[i] = listed[i] or counts[i] > 0  # the terms, not the frames
        run = []
    terms = [i for i, count in enumerate(counts) if count > 0]
    if sum(entries[i] for i in terms) >= 3 and len(terms) >= 3 * counts.count(SENTENCE):
        for i in terms:
            listed[i] = True
    return listed


def _hedged(analysed: Sequence[tuple[str, Sequence[Word]]]) -> bool:
    """A short reply whose last clause ends by calling it an impression (_HEDGED_END)."""
    if sum(len(piece) for piece, _ in analysed) > _HEDGED_REPLY_CHARACTERS:
        return False
    last = analysed[-1][0].rstrip("〜~ー-ｰ…。.、 ")
    return bool(_HEDGED_END.search(last))
