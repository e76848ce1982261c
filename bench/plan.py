"""How much each benchmark does: the full plan behind docs/PERFORMANCE.md, and the quick one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, get_args, get_origin, get_type_hints


@dataclass(frozen=True)
class Plan:
    name: str
    runs: int  # repetitions of every measurement; the report gives their median and spread
    lookup_seconds: float  # per (app, concurrency, run)
    lookup_concurrency: tuple[int, ...]
    content_sizes: tuple[int, ...]  # numbers of role files
    content_lookups: int  # lookups averaged per size and run
    fanout_channels: int
    ingestion_events: int
    lookup_busy_reply_rate: float  # thread replies/s sent while lookups are measured on a busy bot
    admin_commands: int  # admin commands timed per run, one after another
    learning_members: int  # members grading a revealed drill, per run (a quarter of them double-click)
    learning_walks: int  # of them, members walking /career review → points → grade, per run
    modal_submissions: int = 20  # schedule editor forms opened, each submitted invalid then valid, per run
    home_opens: int = 50  # members opening their App Home once each, per run
    home_burst: int = 20  # thread replies from one member whose Home is open, sent in a burst
    long_reply_rounds: int = 1  # 40,000-character replies sent, in sixteens, per run (each then retried)
    mock_members: int = 8  # members each running a mock interview through the web process, per run
    mock_questions: int = 2  # questions in each of their sessions
    mock_warm_up: int = 4  # untimed one-question sessions first, shared by the workers
    mock_quiet_seconds: float = 5  # MOCK_ANSWER_QUIET_SECONDS: the quiet spell before feedback without 「以上です」
    databases: tuple[str, ...] = ("sqlite", "postgresql")
    load_generator: str = "auto"  # "wrk", "python" (bench.loadgen), or "auto": wrk when installed
    lookup_warmup_seconds: float = 1  # per (app, concurrency), before the measured runs; 0: none
    lookup_busy_lead_in: float = 0.5  # the busy measurement's replies start this long before its lookups (and end as long after)
    home_count_seconds: float = 5  # after a burst of replies, how long its publishes are counted (the debounce window is 2 s)

    def adjusted(self, runs: int | None = None, load_generator: str | None = None, changes: Sequence[str] = ()) -> Plan:
        """With `runs` and `load_generator` when given, and each of `changes` ("field=value", as
        `--set` takes them) applied."""
        values = {k: v for k, v in (("runs", runs), ("load_generator", load_generator)) if v is not None}
        for change in changes:
            name, value = parse_change(change)
            values[name] = value
        return replace(self, **values)


def parse_change(change: str) -> tuple[str, Any]:
    """`field=value` → (field, value in the field's type); a tuple is given comma-separated. Raises
    ValueError naming what is wrong."""
    name, equals, text = change.partition("=")
    name = name.strip()
    known = {f.name for f in fields(Plan)} - {"name"}
    if not equals or name not in known:
        raise ValueError(f"--set {change!r}: expected FIELD=VALUE with FIELD one of {', '.join(sorted(known))}")
    kind = get_type_hints(Plan)[name]
    try:
        if get_origin(kind) is tuple:
            item = get_args(kind)[0]
            value: Any = tuple(item(part.strip()) for part in text.split(",") if part.strip())
        else:
            value = kind(text.strip())
    except ValueError:
        raise ValueError(f"--set {change!r}: {text!r} is not a {getattr(kind, '__name__', kind)}") from None
    if value == () or (isinstance(value, (int, float)) and value < 0):
        raise ValueError(f"--set {change!r}: must not be empty or negative")
    return name, value


FULL = Plan(
    name="full",
    runs=5,
    lookup_seconds=5,
    lookup_concurrency=(1, 16),
    content_sizes=(1, 100, 1_000, 5_000),
    content_lookups=2_000,
    fanout_channels=1_000,
    ingestion_events=5_000,
    lookup_busy_reply_rate=200,
    admin_commands=4,
    learning_members=200,
    learning_walks=100,
    modal_submissions=40,
    home_opens=200,
    home_burst=50,
    long_reply_rounds=4,
    mock_members=48,
    mock_questions=3,
)

# Every benchmark end to end, once, on small sizes: for trying changes and for the smoke test.
QUICK = Plan(
    name="quick",
    runs=1,
    lookup_seconds=1,
    lookup_concurrency=(1, 16),
    content_sizes=(1, 10, 100),
    content_lookups=200,
    fanout_channels=100,
    ingestion_events=500,
    lookup_busy_reply_rate=200,
    admin_commands=2,
    learning_members=20,
    learning_walks=10,
    modal_submissions=5,
    home_opens=20,
    home_burst=20,
    long_reply_rounds=1,
    mock_members=8,
    mock_questions=2,
)
