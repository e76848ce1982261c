"""The workspace key is required below the adapters.

Every public function and method of the store and the use-cases that is scoped by a workspace
takes `team_id` as a keyword with no default: a caller that leaves it out fails at once instead of
silently reading or writing the single-workspace deployment's rows. Only the adapters that serve
that one workspace (Slack, the console, the web server and the composition root) supply its marker,
`SINGLE_WORKSPACE`; the models (a column's server default) and the migrations keep it too.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import bot.store
import bot.usecases

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (bot.store, bot.usecases)

# Where the marker may be named: its definition, the adapters of a single-workspace deployment, and
# the models. Migrations (outside bot/) keep their own frozen copy.
MARKER = "SINGLE_WORKSPACE"
# bot/testing/: the test kit's World drives the core as the single-workspace adapters do.
MARKER_ALLOWED = (
    "bot/domain/workspace.py",
    "bot/store/models.py",
    "bot/slack/",
    "bot/console.py",
    "bot/web.py",
    "bot/composition.py",
    "bot/testing/",
)


def modules(package: ModuleType) -> list[ModuleType]:
    return [importlib.import_module(info.name) for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]


def public_callables(module: ModuleType) -> Iterator[tuple[str, Callable]]:
    """Every public function of the module and public method of its classes (those defined there,
    not imported), by qualified name. A dataclass's generated __init__ builds a value; it scopes nothing."""
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(value):
            yield f"{module.__name__}.{name}", value
        elif inspect.isclass(value):
            for attr, member in vars(value).items():
                if attr.startswith("_"):
                    continue
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if inspect.isfunction(member):
                    yield f"{module.__name__}.{name}.{attr}", member


def team_id_problem(function: Callable) -> str | None:
    """What is wrong with the function's `team_id`, if it has one: positional, or defaulted."""
    parameter = inspect.signature(function).parameters.get("team_id")
    if parameter is None:
        return None
    if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
        return "positional"
    if parameter.default is not inspect.Parameter.empty:
        return f"defaults to {parameter.default!r}"
    return None


def test_the_check_catches_a_positional_or_defaulted_workspace_key():
    def positional(session, team_id: str): ...
    def defaulted(session, *, team_id: str = "single"): ...
    def optional(session, *, team_id: str | None = None): ...
    def required(session, *, team_id: str): ...
    def unscoped(session): ...

    assert [team_id_problem(f) for f in (positional, defaulted, optional, required, unscoped)] == [
        "positional",
        "defaults to 'single'",
        "defaults to None",
        None,
        None,
    ]


def test_every_store_and_use_case_function_takes_the_workspace_as_a_required_keyword():
    scoped, problems = [], []
    for package in PACKAGES:
        for module in modules(package):
            for name, function in public_callables(module):
                if "team_id" in inspect.signature(function).parameters:
                    scoped.append(name)
                problem = team_id_problem(function)
                if problem:
                    problems.append(f"{name}: team_id {problem}")
    assert problems == []
    # The walk reaches what it is meant to: both layers, functions and methods alike.
    assert {
        "bot.store.cards.member_cards",
        "bot.store.channel_records.export_replies",
        "bot.usecases.export.Export.build",
        "bot.usecases.schedule_admin.ScheduleAdmin.set",
    } <= set(scoped)
    assert len(scoped) >= 70


def test_only_the_adapters_the_models_and_the_migrations_name_the_single_workspace_marker():
    naming = sorted(
        path.relative_to(ROOT).as_posix() for path in (ROOT / "bot").rglob("*.py") if MARKER in path.read_text(encoding="utf-8")
    )
    outside = [path for path in naming if not path.startswith(MARKER_ALLOWED)]
    assert outside == []
    # The rule has something to hold: the adapters do supply the marker, the models keep it.
    assert {"bot/domain/workspace.py", "bot/store/models.py", "bot/composition.py", "bot/console.py"} <= set(naming)
