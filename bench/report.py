"""Figures, targets, and the two ways they are shown: a terminal table and docs/PERFORMANCE.md."""

from __future__ import annotations

import hashlib
import math
import operator
import os
import platform
import re
import sqlite3
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bench.stats import median

_OPS = {"<": operator.lt, "<=": operator.le, ">=": operator.ge, ">": operator.gt, "==": operator.eq}
_SYMBOLS = {"<": "<", "<=": "≤", ">=": "≥", ">": ">", "==": "="}


@dataclass(frozen=True)
class Target:
    """A limit the median of a figure must respect, e.g. Target("<", 10) for "< 10 ms"."""

    op: str
    value: float

    def met(self, measured: float) -> bool:
        return _OPS[self.op](measured, self.value)

    def describe(self, unit: str) -> str:
        return f"{_SYMBOLS[self.op]} {format_number(self.value)}{_spaced(unit)}"

    def margin(self, measured: float, unit: str) -> str:
        """'met by …' or 'missed by …', in the figure's unit and, where it means something, in %."""
        gap = abs(measured - self.value)
        verdict = "met" if self.met(measured) else "missed"
        if self.op == "==":
            return verdict if gap == 0 else f"{verdict} by {format_number(gap)}{_spaced(unit)}"
        if unit == "%":
            return f"{verdict} by {format_number(gap)} points"
        share = f" ({gap / abs(self.value) * 100:.0f}%)" if self.value else ""
        return f"{verdict} by {format_number(gap)}{_spaced(unit)}{share}"


@dataclass
class Figure:
    """One measured quantity: a sample per run, and optionally the target its median must meet."""

    key: str  # stable id, e.g. "lookup.web.c16.p99"
    benchmark: str  # the table's first column: "1. Lookup", …
    label: str
    unit: str
    samples: list[float] = field(default_factory=list)
    target: Target | None = None
    note: str = ""  # why it was not measured
    baseline: bool = False  # a figure of what the bot is compared with, not of the bot

    @property
    def measured(self) -> bool:
        return bool(self.samples)

    @property
    def median(self) -> float:
        return median(self.samples)

    @property
    def status(self) -> str:
        if not self.measured:
            return "not measured"
        if self.target is None:
            return "baseline" if self.baseline else "info"
        met_runs = sum(1 for s in self.samples if self.target.met(s))
        return f"{self.target.margin(self.median, self.unit)}; {met_runs}/{len(self.samples)} runs"

    @property
    def met(self) -> bool | None:
        if not self.measured or self.target is None:
            return None
        return self.target.met(self.median)

    def spread(self) -> str:
        if not self.measured:
            return "—"
        return f"{format_number(min(self.samples))}–{format_number(max(self.samples))}"

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "benchmark": self.benchmark,
            "label": self.label,
            "unit": self.unit,
            "samples": self.samples,
            "median": self.median if self.measured else None,
            "min": min(self.samples) if self.measured else None,
            "max": max(self.samples) if self.measured else None,
            "target": self.target.describe(self.unit) if self.target else None,
            "met": self.met,
            "status": self.status,
            "note": self.note,
        }


def format_number(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100 or float(value).is_integer():
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _spaced(unit: str) -> str:
    """The unit as written after a number: "12 ms", "80%", "1.2×"."""
    return unit if unit in ("", "%", "×") else f" {unit}"


def _cells(figure: Figure) -> list[str]:
    value = f"{format_number(figure.median)}{_spaced(figure.unit)}" if figure.measured else "—"
    target = figure.target.describe(figure.unit) if figure.target else "—"
    status = figure.status if figure.measured else f"not measured: {figure.note}"
    return [figure.benchmark, figure.label, value, figure.spread(), str(len(figure.samples)), target, status]


HEADERS = ["Benchmark", "Figure", "Median", "Spread (min–max)", "Runs", "Target", "Result"]


def text_table(figures: Sequence[Figure]) -> str:
    rows = [HEADERS] + [_cells(f) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(figures: Sequence[Figure]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for figure in figures:
        cells = [cell.replace("|", "\\|") for cell in _cells(figure)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- the machine


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _tool_version(command: list[str]) -> str | None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (result.stdout or result.stderr).strip().splitlines()
    return first[0] if first else None


# What the benchmarks measure: the bot, its content and schema, and how it is started.
MEASURED_PATHS = ("bot", "content", "migrations", "Procfile", "pyproject.toml")


def code_revision() -> str:
    """The commit measured, and whether the measured files differed from it (read-only git calls)."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        changed = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", *MEASURED_PATHS], cwd=root, capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    if commit.returncode != 0:
        return "unknown (not a git checkout)"
    return commit.stdout.strip() + (" with uncommitted changes to the bot" if changed.returncode == 1 else "")


def source_fingerprint() -> str:
    """A digest of the measured files, to tell whether they changed while the benchmarks ran."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for top in MEASURED_PATHS:
        paths = [root / top] if (root / top).is_file() else sorted((root / top).rglob("*"))
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def machine_facts(postgres_version: str | None, code: str) -> list[tuple[str, str]]:
    wrk = _tool_version(["wrk", "--version"])
    return [
        ("Code", code),
        ("CPUs", str(os.cpu_count())),
        ("CPU model", cpu_model()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("OS", platform.platform()),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", postgres_version or "not reachable"),
        ("Load generator", re.sub(r"\s*Copyright.*", "", wrk) if wrk else "bench.loadgen (wrk is not installed)"),
    ]


# ----------------------------------------------------------------------------------- the document

BEGIN = "<!-- bench:results:begin (generated by `python -m bench`; edit outside these markers) -->"
END = "<!-- bench:results:end -->"


def results_section(figures: Sequence[Figure], facts: list[tuple[str, str]], command: str, started: datetime, seconds: float) -> str:
    measured = [f for f in figures if f.met is not None]
    met = sum(1 for f in measured if f.met)
    lines = [
        BEGIN,
        "",
        f"- **Date:** {started.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC (took {seconds / 60:.1f} min)",
        f"- **Command:** `{command}`",
        *(f"- **{name}:** {value}" for name, value in facts),
        f"- **Targets:** {met} of {len(measured)} met",
        "",
        markdown_table(figures),
        "",
        END,
    ]
    return "\n".join(lines)


def write_document(path: Path, section: str, skeleton: str) -> None:
    """Replace the generated section of the document, keeping everything written around it."""
    text = path.read_text(encoding="utf-8") if path.exists() else skeleton
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------- a partial run

UPDATED = "- **Updated:** the rows of "
_ROW_CELL = re.compile(r"(?<!\\) \| ")


def current_section(path: Path) -> str | None:
    """The generated section of the document (markers included), if it has one."""
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return None
    return BEGIN + text.split(BEGIN, 1)[1].split(END, 1)[0] + END


def _cells_of(row: str) -> list[str]:
    return _ROW_CELL.split(row.strip()[2:-2])


def _order(benchmark: str) -> float:
    """A benchmark title's number ("10. Mock interview" → 10); untitled ones go last."""
    number = benchmark.split(".", 1)[0]
    return float(number) if number.isdigit() else math.inf


def merged_section(
    previous: str, figures: Sequence[Figure], facts: list[tuple[str, str]], command: str, started: datetime, seconds: float
) -> str:
    """The section `previous` (as results_section wrote it) after a run of some benchmarks only: their
    rows replaced by this run's (a benchmark new to the table goes in its numbered place), every
    other row kept as it was measured, the targets counted again over all rows, and one line saying
    which rows this run wrote, with its command, date, code and the machine facts that differ. A
    line of an earlier partial run whose rows this one rewrote all of goes."""
    lines = previous.splitlines()
    table = [line for line in lines if line.startswith("|")]
    if len(table) < 2:
        return results_section(figures, facts, command, started, seconds)
    ran = list(dict.fromkeys(f.benchmark for f in figures))
    new_rows = markdown_table(figures).splitlines()[2:]
    rows = [row for row in table[2:] if _cells_of(row)[0] not in ran]
    for name in ran:
        place = next((i for i, row in enumerate(rows) if _order(_cells_of(row)[0]) > _order(name)), len(rows))
        rows[place:place] = [row for row in new_rows if _cells_of(row)[0] == name]

    shown = dict(re.findall(r"^- \*\*([^*]+):\*\* (.*)$", "\n".join(line for line in lines if not line.startswith(UPDATED)), re.M))
    differing = [f"{name}: {value}" for name, value in facts if name != "Code" and shown.get(name) not in (None, value)]
    code = dict(facts).get("Code", "unknown")
    updated = (
        UPDATED
        + ", ".join(f"*{name}*" for name in ran)
        + f" by `{command}`, {started.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC (took {seconds / 60:.1f} min), code {code}"
        + (f"; {'; '.join(differing)}" if differing else "")
    )
    results = [_cells_of(row)[-1] for row in rows]
    judged = [r for r in results if r.startswith(("met", "missed"))]
    head: list[str] = []
    for line in lines[: lines.index(table[0])]:
        if line.startswith(UPDATED) and set(re.findall(r"\*([^*]+)\*", line[len(UPDATED) :].split(" by `", 1)[0])) <= set(ran):
            continue  # an earlier partial run of these same benchmarks, now measured again
        if line.startswith("- **Targets:**"):
            line = f"- **Targets:** {sum(1 for r in judged if r.startswith('met'))} of {len(judged)} met"
        head.append(line)
    while head and not head[-1].strip():
        head.pop()
    return "\n".join([*head, updated, "", *table[:2], *rows, "", END])
