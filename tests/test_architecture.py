"""The shape of bot/: imports point one way through the layers, and every module fits in one sitting.

The layer order is written once, in LAYERS. A module may import its own layer and the layers
below it, never one above it. docs/ARCHITECTURE.md describes the same order in prose."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# Lowest first. Each entry lists the top-level parts of `bot` that share a layer.
LAYERS: list[set[str]] = [
    {"domain"},
    {"ports", "config", "content", "store", "analysis", "package_data"},
    {"usecases"},
    {"views", "commands"},
    {"slack", "console", "console_chat", "web", "ticker"},
    {"composition", "console_app", "__main__"},
    {"testing"},
]

# Within a layer, imports that are still forbidden: (importer, imported).
FORBIDDEN_WITHIN_LAYER = {("views", "commands")}

# The domain is pure: frameworks that do I/O stay out of it (fsrs, a pure scheduling algorithm, may be used).
FRAMEWORKS = ("slack_bolt", "slack_sdk", "sqlalchemy", "alembic", "apscheduler", "gunicorn", "sudachipy")

MAX_LINES = 500


def _part(module_path: Path) -> str:
    relative = module_path.relative_to(BOT)
    first = relative.parts[0]
    return first[:-3] if first.endswith(".py") else first


def _layer(part: str) -> int:
    for index, parts in enumerate(LAYERS):
        if part in parts:
            return index
    raise AssertionError(f"bot/{part} is in no layer: add it to LAYERS in tests/test_architecture.py")


def _modules() -> list[Path]:
    return sorted(path for path in BOT.rglob("*.py") if "migrations" not in path.relative_to(BOT).parts)


def _imported_names(path: Path, source: str | None = None) -> list[str]:
    """Every module `path` imports, relative imports resolved against its package."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            package = path.relative_to(BOT.parent).with_suffix("").parts[: -node.level]
            names.append(".".join((*package, node.module or "")).rstrip("."))
    return names


def _bot_part(imported: str) -> str | None:
    pieces = imported.split(".")
    if pieces[0] != "bot" or len(pieces) < 2:
        return None
    return pieces[1]


def test_every_part_of_bot_has_a_layer():
    for path in _modules():
        if path.parent == BOT and path.name == "__init__.py":
            continue
        _layer(_part(path))


def test_imports_point_down_the_layers():
    upward = []
    for path in _modules():
        if path.parent == BOT and path.name == "__init__.py":
            continue
        importer = _part(path)
        for imported in _imported_names(path):
            target = _bot_part(imported)
            if target is None or target == importer:
                continue
            if _layer(target) > _layer(importer) or (importer, target) in FORBIDDEN_WITHIN_LAYER:
                upward.append(f"{path.relative_to(BOT.parent)} imports {imported}")
    assert upward == []


def test_the_domain_imports_no_framework():
    found = []
    for path in (BOT / "domain").rglob("*.py"):
        for imported in _imported_names(path):
            if imported.split(".")[0] in FRAMEWORKS:
                found.append(f"{path.relative_to(BOT.parent)} imports {imported}")
    assert found == []


@pytest.mark.parametrize("path", _modules(), ids=lambda path: str(path.relative_to(BOT.parent)))
def test_no_module_is_longer_than_one_sitting(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(BOT.parent)} has {lines} lines (at most {MAX_LINES})"


def test_the_import_reader_sees_absolute_and_relative_imports():
    """So the layer rule above can fail: a use-case importing upward is named."""
    source = "from bot.slack import app\nfrom ..views import blocks\nimport bot.composition\n"
    names = _imported_names(BOT / "usecases" / "lookup.py", source=source)
    assert names == ["bot.slack", "bot.views", "bot.composition"]
    assert all(_layer(_bot_part(name) or "") > _layer("usecases") for name in names)
