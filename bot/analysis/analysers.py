"""Japanese morphological analysis behind one small interface.

The bot reads members' Slack replies (Japanese, often mixed with English terms) in memory to tell
them which answer points they covered. Everything else in the bot depends only on `Token`,
`Analyser` and `load_analyser`; which analyser sits behind them is chosen in docs/FEEDBACK.md
("Choosing the analyser"), and `DEFAULT` follows that choice.

Every adapter:

- NFKC-normalises its input first (full-width Ａ/１/％ become A/1/%, half-width ｶﾅ becomes カナ), turns
  control characters into spaces and lone surrogates into U+FFFD, so odd input never reaches the
  analyser;
- splits input longer than its chunk limit at line or sentence ends (and hard-cuts a single line
  that is still too long), so text of any size works: SudachiPy rejects inputs over 49,149 UTF-8
  bytes, and a bounded chunk bounds every analyser's lattice memory;
- leaves out whitespace tokens;
- imports its analyser lazily, so loading the bot imports only the one it uses;
- needs nothing from the network: each dictionary ships in a PyPI package.
"""

from __future__ import annotations

import re
import string
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

__all__ = ["ANALYSERS", "DEFAULT", "Analyser", "Token", "load_analyser", "prepare", "chunks"]

# The recommendation in docs/FEEDBACK.md, "Choosing the analyser".
DEFAULT = "sudachi-core"

POS_TAGS = (
    "noun",
    "proper_noun",
    "verb",
    "adjective",
    "adverb",
    "auxiliary",
    "particle",
    "prefix",
    "suffix",
    "symbol",
    "number",
    "other",
)

# Chunks are kept well below SudachiPy's limit (49,149 bytes): its input plugins may lengthen the
# text a little (lower-casing some letters takes more bytes), and smaller chunks bound the memory of
# every analyser's lattice. The cost of a cut is nil: cuts fall at line or sentence ends.
MAX_CHUNK_BYTES = 30_000


@dataclass(frozen=True)
class Token:
    surface: str  # as written (after NFKC)
    normalized: str  # the analyser's normalised form, ASCII letters lower-cased
    lemma: str  # dictionary form
    pos: str  # coarse part of speech: one of POS_TAGS
    negation: bool  # an auxiliary (or the non-independent adjective 無い) that negates


class Analyser(Protocol):
    name: str

    def tokens(self, text: str) -> list[Token]: ...


# ---------------------------------------------------------------------------------------------
# Input preparation, shared by every adapter

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# C0 and C1 control characters except tab, line feed and carriage return; lone surrogates (which a
# JSON payload can carry as \\udXXX escapes and no UTF-8 codec accepts).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Chunk boundaries: after a line break, a Japanese or ASCII sentence end, or ". " (after NFKC the
# full-width ！？． are ASCII already).
_BOUNDARY = re.compile(r"(?<=[\n。!?])|(?<=\.\s)")
# Where a hard cut does least harm: after whitespace or a comma.
_SOFT_CUT = re.compile(r"[\s、,]")


def prepare(text: str) -> str:
    """The text every analyser sees: NFKC, control characters as spaces, lone surrogates as U+FFFD."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    text = _SURROGATE.sub("\ufffd", text)
    text = unicodedata.normalize("NFKC", text)
    return _CONTROL.sub(" ", text)


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _hard_cut(piece: str, max_bytes: int) -> Iterator[str]:
    """Cuts one line that is longer than max_bytes: after the last whitespace or comma in the second
    half of the longest prefix that fits, or at that prefix's end."""
    while _utf8_len(piece) > max_bytes:
        # The longest prefix that fits (a character cut in two by the byte limit is left out).
        end = max(1, len(piece.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")))
        soft = None
        for match in _SOFT_CUT.finditer(piece, end // 2, end):
            soft = match.end()
        end = soft or end
        yield piece[:end]
        piece = piece[end:]
    if piece:
        yield piece


def chunks(text: str, max_bytes: int = MAX_CHUNK_BYTES) -> Iterator[str]:
    """Splits text into pieces of at most max_bytes UTF-8 bytes, at line or sentence ends where it can."""
    if len(text) * 4 <= max_bytes or _utf8_len(text) <= max_bytes:
        if text:
            yield text
        return
    current: list[str] = []
    size = 0
    for piece in _BOUNDARY.split(text):
        if not piece:
            continue
        length = _utf8_len(piece)
        if size + length > max_bytes and current:
            yield "".join(current)
            current, size = [], 0
        if length > max_bytes:
            *whole, rest = _hard_cut(piece, max_bytes)
            yield from whole
            piece, length = rest, _utf8_len(rest)
        current.append(piece)
        size += length
    if current:
        yield "".join(current)


def _normalized(form: str) -> str:
    return form.translate(_ASCII_LOWER)


# ---------------------------------------------------------------------------------------------
# Thread safety. Sudachi tokenizers, MeCab taggers and Janome tokenizers keep per-call state and
# must not be used by two threads at once. Either each thread gets its own (built from the one
# shared dictionary), or calls take turns behind a lock; bench/analysers.py measures both, and each
# adapter's CONCURRENCY follows the measurement (docs/FEEDBACK.md).


class _PerThread:
    """One instance per thread, built on the thread's first call."""

    def __init__(self, factory: Callable[[], object]) -> None:
        self._factory = factory
        self._local = threading.local()

    @contextmanager
    def borrow(self):
        instance = getattr(self._local, "instance", None)
        if instance is None:
            instance = self._local.instance = self._factory()
        yield instance


class _Locked:
    """One instance, one caller at a time."""

    def __init__(self, factory: Callable[[], object]) -> None:
        self._instance = factory()
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self):
        with self._lock:
            yield self._instance


_POLICIES: dict[str, type[_PerThread] | type[_Locked]] = {"per-thread": _PerThread, "lock": _Locked}


def _pool(concurrency: str, factory: Callable[[], object]) -> _PerThread | _Locked:
    if concurrency not in _POLICIES:
        raise ValueError(f"concurrency must be one of {', '.join(_POLICIES)}")
    pool = _POLICIES[concurrency](factory)
    with pool.borrow():  # build the first instance now: fail at load time, not at the first reply
        pass
    return pool


# ---------------------------------------------------------------------------------------------
# SudachiPy + SudachiDict (core or small)

# UniDic-style POS (Sudachi and UniDic share it): the first level, or the first two levels.
_UNIDIC_POS = {
    "名詞": "noun",
    "代名詞": "noun",
    "形状詞": "adjective",
    "形容詞": "adjective",
    "動詞": "verb",
    "副詞": "adverb",
    "助動詞": "auxiliary",
    "助詞": "particle",
    "接頭辞": "prefix",
    "接尾辞": "suffix",
    "補助記号": "symbol",
    "記号": "symbol",
    "空白": "symbol",
}


def _unidic_coarse(pos1: str, pos2: str) -> str:
    if pos1 == "名詞":
        if pos2 == "固有名詞":
            return "proper_noun"
        if pos2 == "数詞":
            return "number"
    return _UNIDIC_POS.get(pos1, "other")


class _Adapter:
    """What every adapter shares: preparation, chunking, whitespace dropping and the pool."""

    name: str
    max_chunk_bytes = MAX_CHUNK_BYTES

    def __init__(self, factory: Callable[[], object], concurrency: str) -> None:
        self.concurrency = concurrency
        self._pool = _pool(concurrency, factory)

    def tokens(self, text: str) -> list[Token]:
        prepared = prepare(text)
        result: list[Token] = []
        if not prepared or prepared.isspace():
            return result
        with self._pool.borrow() as instance:
            for chunk in chunks(prepared, self.max_chunk_bytes):
                self._analyse(instance, chunk, result)
        return result

    def _analyse(self, instance, chunk: str, out: list[Token]) -> None:
        raise NotImplementedError


class SudachiAnalyser(_Adapter):
    """SudachiPy with a SudachiDict package, split mode C (compounds kept whole).

    normalized = Sudachi's normalized_form (サーバ → サーバー, 為る for し, 30 for 三十), lemma =
    dictionary_form. Negation: the auxiliaries ない and ぬ (ず, ん, ません's ん) and the
    non-independent adjective 無い (ではない, くない, 必要ない, がない).
    """

    CONCURRENCY = "per-thread"  # never slower than a lock (other threads run during tokenize()); 1-2 MiB each

    def __init__(self, edition: str, concurrency: str = CONCURRENCY) -> None:
        from sudachipy import Dictionary, SplitMode

        self.name = f"sudachi-{edition}"
        dictionary = Dictionary(dict=edition)
        # Coarse tag and negation candidacy per POS id: worked out once per id, not per morpheme.
        self._pos_cache: dict[int, tuple[str, str]] = {}
        super().__init__(lambda: dictionary.tokenizer(SplitMode.C), concurrency)

    def _pos(self, morpheme) -> tuple[str, str]:
        pos_id = morpheme.part_of_speech_id()
        cached = self._pos_cache.get(pos_id)
        if cached is None:
            pos = morpheme.part_of_speech()
            if pos[0] == "助動詞":
                kind = "aux"
            elif pos[0] == "形容詞" and pos[1] == "非自立可能":
                kind = "adj"
            else:
                kind = ""
            # A race only computes the same value twice; dict assignment is atomic.
            cached = self._pos_cache[pos_id] = (_unidic_coarse(pos[0], pos[1]), kind)
        return cached

    def _analyse(self, tokenizer, chunk: str, out: list[Token]) -> None:
        for morpheme in tokenizer.tokenize(chunk):
            surface = morpheme.surface()
            if surface.isspace():
                continue
            coarse, kind = self._pos(morpheme)
            normalized = morpheme.normalized_form()
            lemma = morpheme.dictionary_form()
            if kind == "aux":
                negation = lemma in ("ない", "ぬ") or normalized in ("ない", "ず")
            elif kind == "adj":
                negation = normalized == "無い"
            else:
                negation = False
            out.append(Token(surface, _normalized(normalized), lemma, coarse, negation))


# ---------------------------------------------------------------------------------------------
# fugashi (MeCab) + unidic-lite


def _unidic_lemma(lemma: str) -> str:
    """A UniDic lemma without its subscript: loanwords carry their source word (サーバー-server,
    ゼロ-zero), some words a sense (円-助数詞)."""
    cut = lemma.find("-")
    return lemma[:cut] if cut > 0 else lemma


class FugashiUnidicLiteAnalyser(_Adapter):
    """fugashi (MeCab) with the unidic-lite dictionary (UniDic 2.1.2).

    normalized = the UniDic lemma (語彙素) without its subscript, NFKC'd; lemma = orthBase.
    Unknown words (most ASCII terms) have neither: the surface stands in.
    """

    name = "fugashi-unidic-lite"
    CONCURRENCY = "lock"  # measured: a tagger per thread gains nothing and maps the dictionary again

    def __init__(self, concurrency: str = CONCURRENCY) -> None:
        import fugashi
        import unidic_lite

        arguments = f'-r "{unidic_lite.DICDIR}/mecabrc" -d "{unidic_lite.DICDIR}"'
        super().__init__(lambda: fugashi.Tagger(arguments), concurrency)

    def _analyse(self, tagger, chunk: str, out: list[Token]) -> None:
        for word in tagger(chunk):
            surface = word.surface
            if not surface or surface.isspace():
                continue
            feature = word.feature
            pos1, pos2 = feature.pos1 or "", feature.pos2 or ""
            lemma_field = feature.lemma
            normalized = surface
            if lemma_field and lemma_field != "*":
                normalized = unicodedata.normalize("NFKC", _unidic_lemma(lemma_field)) or surface
            base = feature.orthBase if feature.orthBase and feature.orthBase != "*" else surface
            if pos1 == "助動詞":
                negation = lemma_field in ("ない", "ず", "ぬ")
            elif pos1 == "形容詞" and pos2 == "非自立可能":
                negation = lemma_field == "無い"
            else:
                negation = False
            out.append(Token(surface, _normalized(normalized), base, _unidic_coarse(pos1, pos2), negation))


# ---------------------------------------------------------------------------------------------
# Janome (pure Python, IPADIC 2.7.0)

_IPADIC_POS = {
    "名詞": "noun",
    "動詞": "verb",
    "形容詞": "adjective",
    "副詞": "adverb",
    "助動詞": "auxiliary",
    "助詞": "particle",
    "接頭詞": "prefix",
    "記号": "symbol",
}


def _ipadic_coarse(pos: str) -> str:
    levels = pos.split(",")
    pos1 = levels[0]
    pos2 = levels[1] if len(levels) > 1 else ""
    if pos1 == "名詞":
        if pos2 == "固有名詞":
            return "proper_noun"
        if pos2 == "数":
            return "number"
        if pos2 == "接尾":
            return "suffix"
    return _IPADIC_POS.get(pos1, "other")


class JanomeAnalyser(_Adapter):
    """Janome with its bundled IPADIC. normalized = lemma = base_form (no 表記ゆれ normalisation)."""

    name = "janome"
    CONCURRENCY = "lock"  # pure Python: a tokenizer per thread gains nothing and costs 17 MiB

    def __init__(self, concurrency: str = CONCURRENCY) -> None:
        from janome.tokenizer import Tokenizer

        super().__init__(Tokenizer, concurrency)

    def _analyse(self, tokenizer, chunk: str, out: list[Token]) -> None:
        for word in tokenizer.tokenize(chunk):
            surface = word.surface
            if not surface or surface.isspace():
                continue
            base = word.base_form if word.base_form and word.base_form != "*" else surface
            pos = word.part_of_speech
            pos1 = pos.split(",", 1)[0]
            if pos1 == "助動詞":
                negation = base in ("ない", "ぬ", "ん")
            elif pos1 == "形容詞":
                negation = base in ("ない", "無い")
            else:
                negation = False
            out.append(Token(surface, _normalized(base), base, _ipadic_coarse(pos), negation))


# ---------------------------------------------------------------------------------------------
# Loading: one instance per name and process

ANALYSERS: dict[str, tuple[Callable[..., Analyser], str]] = {
    # name: (factory, taking an optional concurrency= "per-thread" or "lock"; what to install)
    "sudachi-core": (lambda **options: SudachiAnalyser("core", **options), "sudachipy, sudachidict-core"),
    "sudachi-small": (lambda **options: SudachiAnalyser("small", **options), "sudachipy, sudachidict-small"),
    "fugashi-unidic-lite": (FugashiUnidicLiteAnalyser, "fugashi, unidic-lite"),
    "janome": (JanomeAnalyser, "janome"),
}

_loaded: dict[str, Analyser] = {}
_load_lock = threading.Lock()


def load_analyser(name: str = DEFAULT) -> Analyser:
    """The analyser of that name, built once per process (dictionary loading takes a while) and
    safe to use from any number of threads."""
    analyser = _loaded.get(name)
    if analyser is not None:
        return analyser
    if name not in ANALYSERS:
        raise ValueError(f"unknown analyser {name!r}; one of: {', '.join(ANALYSERS)}")
    factory, packages = ANALYSERS[name]
    with _load_lock:
        analyser = _loaded.get(name)
        if analyser is None:
            try:
                analyser = factory()
            except ModuleNotFoundError as error:
                raise ModuleNotFoundError(f"analyser {name!r} needs the packages {packages}: {error}", name=error.name) from error
            _loaded[name] = analyser
    return analyser
