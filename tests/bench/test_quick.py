"""Smoke test of the benchmark suite (bench/): `python -m bench --quick` runs every benchmark end to
end and reports a complete table.

Each test runs one benchmark (on one database, for those measured on SQLite and PostgreSQL) on the
quick plan made smaller still with `--set` (SMOKE), so that a test takes seconds, not tens of
seconds: every figure is still measured, on less work. The sizes that name figures (1, 10 and 100
roles; concurrency 1 and 16) are kept.

It checks what was reported, never how fast: timing targets belong to the benchmark's report
(docs/PERFORMANCE.md), not to the test suite, which runs on machines of every speed.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.load import SignedRequest, constant_load, replay
from bench.servers import bare_process, web_process
from bot.config import available_cores
from bot.testing import ROOT
from bot.testing.db import postgres_available
from bot.testing.signing import command_body
from bot.testing.slack_api import StubSlackApi

# Every figure the quick plan reports (its sizes: 1, 10 and 100 roles; 100 channels; 500 replies; 20 graders;
# 8 members in mock interviews).
EXPECTED = [
    *(f"lookup.{ratio}.c{c}" for ratio in ("ratio", "ratio_same") for c in (1, 16)),
    *(f"lookup.{app}.c{c}.{what}" for app in ("web", "best", "bare") for c in (1, 16) for what in ("rps", "p50", "p99")),
    *(f"lookup.{app}.c16.cpu" for app in ("web", "best", "bare")),
    *(f"lookup.busy.{what}" for what in ("rps", "p50", "p99", "reply_p99", "replies")),
    "content.lookup_growth",
    "content.rss_mb.baseline",
    *(
        f"content.{what}.{size}"
        for what in ("load_s", "rss_mb", "helpers_rss_mb", "lookup_us", "first_us", "miss_ms")
        for size in (1, 10, 100)
    ),
    *(f"fanout.{db}.{what}" for db in ("sqlite", "postgresql") for what in ("wall_s", "wrong_count", "too_fast", "ticks", "posts_per_s")),
    *(f"ingestion.{db}.{what}" for db in ("sqlite", "postgresql") for what in ("p99", "lost", "p50", "eps")),
    *(f"admin.{what}" for what in ("p99", "p50", "unanswered", "answer_p50")),
    *(
        f"learning.{db}.{flow}.{what}"
        for db in ("sqlite", "postgresql")
        for flow in ("grade", "walk")
        for what in ("ack_p99", "answer_p99", "ack_p50", "answer_p50")
    ),
    *(f"learning.{db}.{what}" for db in ("sqlite", "postgresql") for what in ("unanswered", "drill_reviews_wrong", "walk_reviews_wrong")),
    *(
        f"modal.{what}"
        for what in (
            "open_p99",
            "open_p50",
            "filled_p50",
            "valid.ack_p99",
            "valid.ack_p50",
            "valid.saved_p50",
            "invalid.ack_p99",
            "invalid.ack_p50",
            "unsaved",
        )
    ),
    *(f"home.{db}.{what}" for db in ("sqlite", "postgresql") for what in ("ack_p99", "ack_p50", "publish_wrong", "burst_publishes")),
    *(
        f"longreplies.{db}.{what}"
        for db in ("sqlite", "postgresql")
        for what in (
            "ack_max",
            "retry_ack_max",
            "lookup_p99",
            "unacked",
            "lookups_failed",
            "lost",
            "unjudged",
            "ack_p50",
            "lookup_p50",
            "cpu_ms",
            "retry_cpu_ms",
            "lookups",
        )
    ),
    *(
        f"mock.{db}.{what}"
        for db in ("sqlite", "postgresql")
        for what in (
            "ack_p99",
            "ack_p95",
            "ack_p50",
            "feedback_p99",
            "feedback_p50",
            "model_p50",
            "quiet_p99",
            "quiet_p50",
            "wrong",
            "leaked",
        )
    ),
]
# Each benchmark (`python -m bench --only NAME`), by the title its table rows and section start with.
BENCHMARKS = {
    "lookup": "1. Lookup",
    "content": "2. Content scale",
    "fanout": "3. Drill fan-out",
    "ingestion": "4. Reply ingestion",
    "admin": "5. Admin ack",
    "learning": "6. Learning",
    "modal": "7. Schedule modal",
    "home": "8. App Home",
    "longreplies": "9. Long replies",
    "mock": "10. Mock interview",
}


# The benchmarks measured on each database: one test per database.
BY_DATABASE = ("fanout", "ingestion", "learning", "home", "longreplies", "mock")
DATABASES = ("sqlite", "postgresql")
# What each smoke run does less of than the quick plan (`--set FIELD=VALUE`, fields of bench/plan.py).
SMOKE = {
    "lookup": ("lookup_seconds=0.2", "lookup_warmup_seconds=0", "lookup_busy_lead_in=0.2", "lookup_busy_reply_rate=50"),
    "content": ("content_lookups=50",),
    "fanout": ("fanout_channels=20",),
    "ingestion": ("ingestion_events=100",),
    "admin": ("admin_commands=1",),
    "learning": ("learning_members=8", "learning_walks=4"),
    "modal": ("modal_submissions=2",),
    # The debounce window is 2 s: its publishes are counted for 2.5 s after the burst, not 5.
    "home": ("home_opens=8", "home_burst=8", "home_count_seconds=2.5"),
    "longreplies": (),  # one round of 16 replies already
    # One warm-up session per worker; a 1-second quiet spell (MOCK_ANSWER_QUIET_SECONDS) rather than 5.
    "mock": ("mock_members=2", "mock_questions=1", "mock_warm_up=2", "mock_quiet_seconds=1"),
}
SMOKE_RUNS = [(name, database) for name in BENCHMARKS for database in (DATABASES if name in BY_DATABASE else (None,))]


def _belongs(key: str, name: str, database: str | None) -> bool:
    return key.startswith(name + ".") and (database is None or key.startswith(f"{name}.{database}."))


def run_quick(tmp_path: Path, only: str, timeout: float = 150, changes: tuple[str, ...] = ()) -> tuple[str, str]:
    command = [
        sys.executable,
        "-m",
        "bench",
        "--quick",
        "--only",
        only,
        *(f"--set={change}" for change in changes),
        "--json",
        str(tmp_path / "figures.json"),
        "--output",
        str(tmp_path / "PERFORMANCE.md"),
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)  # lets the benchmark stop the servers it started
        out, err = process.communicate(timeout=30)
        pytest.fail(f"python -m bench --quick --only {only} took over {timeout} s:\n{err[-3000:]}")
    assert process.returncode == 0, f"python -m bench --quick --only {only} failed:\n{err[-3000:]}"
    return out, err


@pytest.mark.slow  # `.venv/bin/python -m pytest -m "not slow"` skips it locally; CI runs it
@pytest.mark.parametrize(("name", "database"), SMOKE_RUNS, ids=[f"{n}-{d}" if d else n for n, d in SMOKE_RUNS])
def test_quick_mode_reports_every_benchmark_with_numbers(tmp_path, name, database):
    """`python -m bench --quick`, one benchmark (and database) at a time, so that the suite's workers
    share them out: together they report every figure of EXPECTED."""
    out, _err = run_quick(tmp_path, name, changes=SMOKE[name] + ((f"databases={database}",) if database else ()))

    def ours(key: str) -> bool:
        return _belongs(key, name, database)

    figures = {f["key"]: f for f in json.loads((tmp_path / "figures.json").read_text())["figures"]}
    assert sorted(figures) == sorted(filter(ours, EXPECTED))
    postgres_may_be_missing = postgres_available() is not None and os.environ.get("CI", "").lower() != "true"
    for key, figure in figures.items():
        if postgres_may_be_missing and ".postgresql." in key:
            continue
        assert figure["samples"], f"{key} was not measured: {figure['note']}"
        numbers = [figure["median"], figure["min"], figure["max"], *figure["samples"]]
        assert all(isinstance(n, (int, float)) and math.isfinite(n) for n in numbers), key
        assert figure["min"] <= figure["median"] <= figure["max"], key
        # A figure with a target says whether it was met; one without is information, never a verdict.
        verdict = figure["status"].startswith(("met", "missed"))
        assert (figure["target"] is not None) == (figure["met"] in (True, False)) == verdict, key

    # The correctness checks inside the benchmarks held: nothing lost, nothing posted twice.
    for key in filter(
        ours,
        (
            "fanout.sqlite.wrong_count",
            "fanout.sqlite.too_fast",
            "ingestion.sqlite.lost",
            "admin.unanswered",
            "learning.sqlite.unanswered",
            "learning.sqlite.drill_reviews_wrong",
            "learning.sqlite.walk_reviews_wrong",
            "modal.unsaved",
            "home.sqlite.publish_wrong",
            "longreplies.sqlite.unacked",
            "longreplies.sqlite.lookups_failed",
            "longreplies.sqlite.lost",
            "longreplies.sqlite.unjudged",
            "mock.sqlite.wrong",
            "mock.sqlite.leaked",
            "mock.postgresql.wrong",
            "mock.postgresql.leaked",
        ),
    ):
        assert figures[key]["samples"] == [0], key
    # The lookup target is judged against the best-served bare app, and the ack against Slack's 3 s.
    if name == "lookup":
        assert figures["lookup.ratio.c16"]["target"] == "≥ 80%" and figures["lookup.ratio_same.c16"]["target"] is None
    if name == "admin":
        assert figures["admin.p99"]["target"] == "< 3,000 ms"
    if name == "longreplies":
        assert (
            figures[f"longreplies.{database}.ack_max"]["target"] == "< 1,000 ms"
            and figures[f"longreplies.{database}.lookup_p99"]["target"] == "< 300 ms"
        )
    if name == "mock":  # a DM answer is acked like a thread reply; its feedback follows within a second
        assert figures[f"mock.{database}.ack_p99"]["target"] == "< 100 ms"
        assert figures[f"mock.{database}.feedback_p99"]["target"] == "< 1,000 ms"
        assert figures[f"mock.{database}.quiet_p99"]["target"] == "< 1,000 ms"

    table = out.split("\n")
    assert sum(1 for line in table if line.startswith(BENCHMARKS[name])) >= 4, BENCHMARKS[name]
    assert "targets met" in out

    document = (tmp_path / "PERFORMANCE.md").read_text(encoding="utf-8")
    assert "bench:results:begin" in document and "bench:results:end" in document
    assert "`python -m bench --quick" in document and "CPU model" in document
    assert BENCHMARKS[name] in document


def test_the_quick_runs_together_are_every_benchmark_and_every_figure():
    from bench.__main__ import BENCHMARKS as RUNS
    from bench.plan import QUICK

    assert list(BENCHMARKS) == list(RUNS) == list(SMOKE)
    assert all(sum(_belongs(key, name, database) for name, database in SMOKE_RUNS) == 1 for key in EXPECTED)
    assert QUICK.databases == DATABASES
    for changes in SMOKE.values():  # each a smaller workload than the quick plan's, never a larger one
        smaller = QUICK.adjusted(changes=changes)
        assert all(getattr(smaller, c.partition("=")[0]) <= getattr(QUICK, c.partition("=")[0]) for c in changes), changes


def test_a_plan_change_is_checked_before_anything_runs():
    from bench.__main__ import main

    assert main(["--quick", "--only", "modal", "--set", "modal_submissions=many"]) == 2
    assert main(["--quick", "--only", "modal", "--set", "no_such_size=1"]) == 2


def test_python_load_generator_drives_a_server(tmp_path):
    """The fallback used where wrk is not installed: a separate process, bounded, every answer counted."""
    stub = StubSlackApi().start()
    try:
        with bare_process(stub, tmp_path / "bare.log") as bare:
            request = SignedRequest.sign(command_body("ciso", response_url=stub.response_url()))
            result = constant_load(bare.url + "/slack/events", request, concurrency=4, seconds=0.5, workdir=tmp_path, generator="python")
    finally:
        stub.stop()
    assert result.tool == "bench.loadgen"
    assert result.requests > 0 and result.failed == 0
    assert 0 < result.p50_ms <= result.p99_ms


def test_paced_replay_sends_no_faster_than_its_rate(tmp_path):
    """The busy-lookup measurement sends thread replies at a set rate, not as fast as answered."""
    stub = StubSlackApi().start()
    try:
        with bare_process(stub, tmp_path / "bare.log") as bare:
            request = SignedRequest.sign(command_body("ciso", response_url=stub.response_url()))
            result = replay(
                bare.url + "/slack/events",
                [request],
                concurrency=4,
                workdir=tmp_path,
                max_requests=1_000,
                max_seconds=1.0,
                cycle=True,
                rate=20,
            )
    finally:
        stub.stop()
    assert result.failed == 0
    assert 10 <= result.requests <= 21  # 20/s for 1 s, the first one at once


def _workers(server, timeout: float = 30) -> tuple[str, int]:
    """(worker class, workers booted) from the server's gunicorn log, once every worker is up."""
    deadline = time.monotonic() + timeout
    while True:
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
        found = re.search(r"Using worker: (\w+)", log)
        booted = len(re.findall(r"Booting worker with pid", log))
        if (found and booted >= available_cores()) or time.monotonic() > deadline:
            return (found.group(1) if found else "?"), booted
        time.sleep(0.1)


def test_web_process_is_served_like_the_best_bare_baseline_by_default(tmp_path):
    """With no WEB_CONCURRENCY, the Procfile's web process runs what the lookup target's baseline
    runs: gunicorn sync workers, one per core, so the ratio measures the bot's own work."""
    stub = StubSlackApi().start()
    try:
        web = web_process(stub, f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path / "web.log")
        web.env.pop("WEB_CONCURRENCY", None)  # the default, whatever this shell has
        with web, bare_process(stub, tmp_path / "best.log", best=True) as best:
            assert _workers(web) == _workers(best) == ("sync", available_cores())
    finally:
        stub.stop()
