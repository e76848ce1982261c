"""The analyser adapter (bot/analysis): 表記ゆれ normalisation, the negation flag, ASCII terms,
input of any size and shape, one instance per process, thread safety, lazy imports, offline use.

The recommended analyser (DEFAULT) is a hard requirement: its tests never skip. The other
candidates are tested where their packages are installed and skipped where they are not.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.analysis import DEFAULT, Token, load_analyser
from bot.analysis.analysers import ANALYSERS, MAX_CHUNK_BYTES, POS_TAGS, chunks, prepare
from bot.testing import ROOT

MODULES = {
    "sudachi-core": ("sudachipy", "sudachidict_core"),
    "sudachi-small": ("sudachipy", "sudachidict_small"),
    "fugashi-unidic-lite": ("fugashi", "unidic_lite"),
    "janome": ("janome",),
}
NORMALISING = {"sudachi-core", "sudachi-small", "fugashi-unidic-lite"}  # Janome's IPADIC has no 表記ゆれ forms


# The project depends on the default analyser only; the others are compared by `python -m bench.analysers`
# where someone installed them by hand. Their adapters are tested where they are installed, and
# nothing is skipped: a test is collected only for an analyser that can run.
INSTALLED = [name for name in ANALYSERS if name == DEFAULT or all(importlib.util.find_spec(m) is not None for m in MODULES[name])]


@pytest.fixture(params=INSTALLED)
def analyser(request):
    return load_analyser(request.param)


@pytest.fixture
def default():
    return load_analyser()


def normalized(analyser, text: str) -> list[str]:
    return [t.normalized for t in analyser.tokens(text)]


def test_default_is_a_known_analyser_and_loads():
    assert DEFAULT in ANALYSERS
    assert load_analyser().name == DEFAULT


# ------------------------------------------------------------------------------- 表記ゆれ


@pytest.mark.parametrize("name", sorted(NORMALISING & set(INSTALLED)))
@pytest.mark.parametrize(("short", "long"), [("サーバ", "サーバー"), ("ユーザ", "ユーザー"), ("セキュリティ", "セキュリティー")])
def test_spelling_variants_share_a_normalized_form(name, short, long):
    analyser = load_analyser(name)
    assert normalized(analyser, short) == normalized(analyser, long) == [long]
    # In a sentence too, and the surface stays as written.
    tokens = analyser.tokens(f"{short}を再起動しました")
    assert tokens[0].surface == short and tokens[0].normalized == long


def test_default_normalises_variants_inside_sentences(default):
    a = normalized(default, "本番サーバのユーザ数を確認した")
    b = normalized(default, "本番サーバーのユーザー数を確認した")
    assert a == b


def test_default_keeps_compounds_whole(default):
    assert [t.surface for t in default.tokens("ECサイト")] == ["ECサイト"]
    assert normalized(default, "ECサイト") == ["ecサイト"]


# ------------------------------------------------------------------------------- negation


def test_negation_of_polite_form(analyser):
    tokens = analyser.tokens("導入していません")
    flagged = [t for t in tokens if t.negation]
    assert [t.surface for t in flagged] == ["ん"]
    assert flagged[0].pos == "auxiliary"
    assert tokens[0].surface == "導入" and tokens[0].pos == "noun" and not tokens[0].negation


def test_affirmative_has_no_negation(analyser):
    assert not any(t.negation for t in analyser.tokens("導入しています。EDRを全端末に展開しました。"))


@pytest.mark.parametrize(
    ("text", "negator"),
    [
        ("導入しない", "ない"),
        ("導入しなかった", "なかっ"),
        ("導入せず", "ず"),
        ("わかりません", "ん"),
        ("安全ではない", "ない"),
        ("高くない", "ない"),
        ("導入して無い", "無い"),
    ],
)
def test_default_flags_negating_forms(default, text, negator):
    assert [t.surface for t in default.tokens(text) if t.negation] == [negator]


@pytest.mark.parametrize("text", ["少ない", "情けない", "未導入", "問題ありますか"])
def test_default_does_not_flag_words_that_merely_contain_nai(default, text):
    assert not any(t.negation for t in default.tokens(text))


# ------------------------------------------------------------------------------- ASCII terms, NFKC


def test_ascii_terms_are_lower_cased_in_normalized(analyser):
    tokens = analyser.tokens("EDRとSIEMとAWSを使うKubernetes環境")
    surfaces = [t.surface for t in tokens]
    for term in ("EDR", "SIEM", "AWS", "Kubernetes"):
        assert term in surfaces
    for token in tokens:
        assert token.normalized == token.normalized.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))
    by_surface = {t.surface: t.normalized for t in tokens}
    assert by_surface["EDR"] == "edr" and by_surface["SIEM"] == "siem"


def test_input_is_nfkc_normalised(analyser):
    tokens = analyser.tokens("ＥＤＲで３０％削減、ｻｰﾊﾞｰも")
    surfaces = [t.surface for t in tokens]
    assert "EDR" in surfaces and "30" in surfaces and "%" in surfaces
    assert "".join(surfaces) == "EDRで30%削減、サーバーも"
    assert {t.normalized for t in tokens} >= {"edr", "30", "削減"}


def test_numbers_are_tagged_number(analyser):
    tokens = analyser.tokens("30%削減し、3割減、2倍になった")
    numbers = [t.surface for t in tokens if t.pos == "number"]
    assert numbers == ["30", "3", "2"]


# ------------------------------------------------------------------------------- any input


ODD_INPUTS = [
    "",
    " ",
    "\n\n\t ",
    "\x00\x01\x02\x07\x1b[31m\x7f\x9f",
    "😀🎉🔥👍🏽👨‍👩‍👧",
    "https://example.com/path?query=1&x=%E3%81%82#frag",
    "<https://example.com|リンク>",
    "```\nfor i in range(10):\n    print(i)  # コメント\n```",
    "`kubectl get pods -A`",
    "\ud800壊れたサロゲート\udfff",
    "\u200b\u200d\ufeff\u2028\u2029",
    "مرحبا بالعالم",
    "e\u0301\u0301\u0301",
    "ｶﾞｷﾞｸﾞ" * 3,
    "ー" * 50,
    "。" * 50,
    "a" * 5000,
    "\r\n".join(["行"] * 100),
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<@U012AB3CD> <#C0123|general> :thumbsup:",
]


@pytest.mark.parametrize("text", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_odd_input_never_raises(analyser, text):
    tokens = analyser.tokens(text)
    assert isinstance(tokens, list)
    for token in tokens:
        assert isinstance(token, Token)
        assert token.pos in POS_TAGS
        assert token.surface and not token.surface.isspace()
        assert isinstance(token.normalized, str) and isinstance(token.lemma, str)


def test_rejects_non_text(default):
    with pytest.raises(TypeError):
        default.tokens(b"bytes")  # type: ignore[arg-type]


LONG_INPUTS = {
    "one line of kana": "あ" * 100_000,
    "lines of sentences": ("サーバーのログをSIEMに集約し、EDRのアラートと突き合わせました。\n" * 3000)[:100_000],
    "sentences without line breaks": ("ゼロトラストを導入していません。" * 7000)[:100_000],
    "one line of ASCII": "x" * 100_000,
    "one line of words": ("token " * 20_000)[:100_000],
    "emoji": "😀" * 100_000,
}


@pytest.mark.parametrize("shape", list(LONG_INPUTS))
def test_long_input_works_and_loses_no_text(analyser, shape):
    text = LONG_INPUTS[shape]
    assert len(text) == 100_000
    tokens = analyser.tokens(text)
    assert tokens
    # Every character comes back in exactly one token (whitespace tokens are left out).
    assert "".join(t.surface for t in tokens) == "".join(prepare(text).split())


def test_long_input_keeps_negation_across_chunks(default):
    text = "ゼロトラストを導入していません。\n" * 8000  # about 400 KB: many chunks
    tokens = default.tokens(text)
    assert sum(t.negation for t in tokens) == 8000


# ------------------------------------------------------------------------------- chunking


def test_chunks_respect_the_byte_limit_and_keep_everything():
    text = "".join(f"{i}行目の文です。Sentence {i}. " + ("\n" if i % 3 == 0 else "") for i in range(2000))
    pieces = list(chunks(text, 1000))
    assert "".join(pieces) == text
    assert all(len(p.encode()) <= 1000 for p in pieces)
    assert len(pieces) > 10
    # Cuts fall at a line or sentence end.
    assert all(p.endswith(("\n", "。", ". ")) for p in pieces[:-1])


def test_chunks_hard_cut_a_single_long_line_at_character_boundaries():
    text = "あいうえお" * 1000 + "x y z " * 500
    pieces = list(chunks(text, 999))
    assert "".join(pieces) == text
    assert all(0 < len(p.encode()) <= 999 for p in pieces)


def test_short_text_is_one_chunk():
    assert list(chunks("短い文。", MAX_CHUNK_BYTES)) == ["短い文。"]
    assert list(chunks("", MAX_CHUNK_BYTES)) == []


def test_prepare_cleans_controls_and_surrogates():
    assert prepare("Ａ\x00Ｂ\ud800") == "A B\ufffd"
    assert prepare("改行\nと\tタブ\r") == "改行\nと\tタブ\r"


# ------------------------------------------------------------------------------- loading, threads


def test_one_instance_per_process_even_when_first_loaded_concurrently(default):
    with ThreadPoolExecutor(max_workers=8) as pool:
        instances = list(pool.map(lambda _: load_analyser(DEFAULT), range(32)))
    assert all(i is default for i in instances)
    assert load_analyser(DEFAULT) is load_analyser()


def test_unknown_analyser_is_refused():
    with pytest.raises(ValueError, match="unknown analyser"):
        load_analyser("mecab-ipadic")


def test_concurrent_use_gives_the_same_tokens_as_sequential(analyser):
    texts = [f"{i}件目: サーバのEDRアラートをSIEMで確認しましたが、まだ導入していません。" * (1 + i % 5) for i in range(60)]
    expected = [analyser.tokens(t) for t in texts]
    start = threading.Barrier(4)

    def work(offset: int) -> list[list[Token]]:
        start.wait()
        order = texts[offset:] + texts[:offset]
        return [analyser.tokens(t) for t in order]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, [0, 15, 30, 45]))
    for offset, result in zip([0, 15, 30, 45], results, strict=False):
        assert result == expected[offset:] + expected[:offset]


def test_imports_are_lazy_and_analysis_needs_no_network():
    """Importing bot.analysis imports no analyser; loading the default imports only its own; and it
    loads and analyses with every socket refused (the dictionary ships in a package)."""
    script = f"""
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network disabled in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
import bot.analysis
heavy = ("sudachipy", "fugashi", "janome", "unidic_lite", "sudachidict_core", "sudachidict_small")
assert not [m for m in heavy if m in sys.modules], [m for m in heavy if m in sys.modules]
analyser = bot.analysis.load_analyser()
assert analyser.name == {DEFAULT!r}
assert any(t.negation for t in analyser.tokens("導入していません"))
print(sorted(m for m in heavy if m in sys.modules))
"""
    completed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    loaded = completed.stdout.strip()
    assert "fugashi" not in loaded and "janome" not in loaded


if "fugashi-unidic-lite" in INSTALLED:

    def test_unidic_lemma_subscripts_are_dropped():
        analyser = load_analyser("fugashi-unidic-lite")
        assert normalized(analyser, "サーバの10万円") == ["サーバー", "の", "10", "万", "円"]
