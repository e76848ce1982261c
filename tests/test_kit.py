"""The test tooling belongs to itself: tests and benchmarks share one kit (bot/testing), a test file
never imports another test file, the benchmarks never import the tests, and the bot never imports
the kit (it is the top layer, above the composition root)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.testing import ROOT


def imports(path: Path) -> set[str]:
    """The modules a file imports, at any depth (imports inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def offenders(folder: str, forbidden: tuple[str, ...], skip: str | None = None) -> dict[str, list[str]]:
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        if skip and path.is_relative_to(ROOT / skip):
            continue
        bad = sorted(m for m in imports(path) if any(m == f or m.startswith(f + ".") for f in forbidden))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_no_test_file_imports_another_test_file_fixtures_come_from_conftest_or_the_kit():
    assert offenders("tests", ("tests",)) == {}


def test_the_benchmarks_use_the_kit_and_never_the_tests():
    assert offenders("bench", ("tests",)) == {}


def test_nothing_in_the_bot_imports_the_test_kit():
    assert offenders("bot", ("bot.testing", "tests", "bench"), skip="bot/testing") == {}


def test_the_kit_imports_neither_the_tests_nor_the_benchmarks():
    assert offenders("bot/testing", ("tests", "bench")) == {}


def test_the_kit_is_found_by_these_checks():
    """The walk above sees real imports: this file imports the kit, and test_quick imports bench."""
    assert "bot.testing" in imports(Path(__file__))
    assert any(m.startswith("bench") for m in imports(ROOT / "tests" / "bench" / "test_quick.py"))
