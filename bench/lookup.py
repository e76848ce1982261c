"""1. Lookup: `/career ciso` through the Procfile's web process, beside two bare Bolt apps.

The baselines (bench/bare_app.py) ack a constant. One is served the best way a bare Bolt app is
served on this machine, gunicorn's sync workers, one per core: the lookup target is judged against
it, so that the web process's server settings are measured as well as its listener. The other runs
under the web process's own server settings (`bot.web.serve`, its defaults): the gap to it is the
bot's own work alone.

All three servers run side by side for the whole benchmark, and each run measures them one right
after the other at every concurrency (the order rotates from run to run), so a noisy moment on the
machine hits all of them. The ratios are taken per run, from those adjacent measurements. Beside
throughput and latency, the CPU time the server used per request is shown: it does not count time
spent waiting for a core, so it is steadier than throughput on a shared machine.

Then, in each run, the web process is measured again while thread replies to a posted drill arrive
at a steady rate (each one written to the database before its ack): a sync worker serves one
request at a time, so this shows what a lookup waits for on a busy bot.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from bench.bare_app import ANSWER
from bench.ingestion import CONCURRENCY as REPLY_CONCURRENCY
from bench.ingestion import post_drill, reply_event
from bench.load import LoadResult, SignedRequest, constant_load, start_replay
from bench.plan import Plan
from bench.report import Figure, Target
from bench.servers import ServerProcess, bare_process, start_together, stop_together, web_process
from bot.testing.signing import command_body
from bot.testing.slack_api import StubSlackApi

NAME = "1. Lookup"
MIN_RATIO_PERCENT = 80  # the web process keeps at least 80% of the best-served bare app's throughput
MAX_P99_MS = 10  # at concurrency 16
P99_CONCURRENCY = 16
BUSY_CONCURRENCY = 16  # lookups while replies are written

APPS = {
    "web": "web process",
    "best": "bare Bolt app, sync workers × cores",
    "bare": "bare Bolt app, web's server settings",
}


def run(plan: Plan, workdir: Path, progress: Callable[[str], None]) -> list[Figure]:
    figures: dict[str, Figure] = {}

    def figure(key: str, label: str, unit: str, target: Target | None = None) -> Figure:
        baseline = key.startswith(("bare.", "best."))
        return figures.setdefault(key, Figure(f"lookup.{key}", NAME, label, unit, target=target, baseline=baseline))

    label = f"web process, c={BUSY_CONCURRENCY}, while {plan.lookup_busy_reply_rate:g} replies/s are written"
    busy_figures = {
        "rps": figure("busy.rps", f"{label}: throughput", "req/s"),
        "p50": figure("busy.p50", f"{label}: p50 latency", "ms"),
        "p99": figure("busy.p99", f"{label}: p99 latency", "ms"),
        "reply_p99": figure("busy.reply_p99", f"{label}: reply ack p99", "ms"),
        "replies": figure("busy.replies", f"{label}: replies acked", "events/s"),
    }
    busy_note = ""
    stub = StubSlackApi().start()
    servers = {
        "web": web_process(stub, f"sqlite:///{workdir / 'web.sqlite3'}", workdir / "web.log"),
        "best": bare_process(stub, workdir / "best.log", best=True),
        "bare": bare_process(stub, workdir / "bare.log"),
    }
    web = servers["web"]
    try:
        start_together(list(servers.values()))
        request = SignedRequest.sign(command_body("ciso", response_url=stub.response_url()))
        check_answer(web, request, "CISO（Chief Information Security Officer")
        for name in ("best", "bare"):
            check_answer(servers[name], request, ANSWER)
        try:  # for the busy measurement: replies need a drill to reply to
            thread_ts: str | None = post_drill(web.url, stub)
        except RuntimeError as exc:
            thread_ts, busy_note = None, f"no drill to reply to: {exc}"
        for concurrency in plan.lookup_concurrency if plan.lookup_warmup_seconds > 0 else ():  # warm-up, not recorded
            for server in servers.values():
                constant_load(server.url + "/slack/events", request, concurrency, plan.lookup_warmup_seconds, workdir, plan.load_generator)
        order = list(servers.items())
        for run_index in range(plan.runs):
            # Slack accepts a signature for five minutes: sign again for every run.
            request = SignedRequest.sign(command_body("ciso", response_url=stub.response_url()))
            rotated = order[run_index % len(order) :] + order[: run_index % len(order)]
            for concurrency in plan.lookup_concurrency:
                results: dict[str, LoadResult] = {}
                for name, server in rotated:
                    cpu_before = server.cpu_seconds()
                    result = constant_load(
                        server.url + "/slack/events", request, concurrency, plan.lookup_seconds, workdir, plan.load_generator
                    )
                    cpu_us = (server.cpu_seconds() - cpu_before) / max(1, result.requests) * 1e6
                    if result.failed or not result.requests:
                        raise RuntimeError(f"{server.name}: {result.failed} of {result.requests} requests failed at c={concurrency}")
                    results[name] = result
                    app = APPS[name]
                    figure(f"{name}.c{concurrency}.rps", f"{app}, c={concurrency}: throughput", "req/s").samples.append(result.rps)
                    figure(f"{name}.c{concurrency}.p50", f"{app}, c={concurrency}: p50 latency", "ms").samples.append(result.p50_ms)
                    p99_target = Target("<", MAX_P99_MS) if name == "web" and concurrency == P99_CONCURRENCY else None
                    figure(f"{name}.c{concurrency}.p99", f"{app}, c={concurrency}: p99 latency", "ms", p99_target).samples.append(
                        result.p99_ms
                    )
                    if concurrency == P99_CONCURRENCY:
                        figure(f"{name}.c{concurrency}.cpu", f"{app}, c={concurrency}: server CPU per request", "µs").samples.append(cpu_us)
                best = results["web"].rps / results["best"].rps * 100
                same = results["web"].rps / results["bare"].rps * 100
                figure(
                    f"ratio.c{concurrency}", f"web / best-served bare app throughput, c={concurrency}", "%", Target(">=", MIN_RATIO_PERCENT)
                ).samples.append(best)
                figure(f"ratio_same.c{concurrency}", f"web / bare app on web's server settings, c={concurrency}", "%").samples.append(same)
                progress(
                    f"lookup run {run_index + 1}/{plan.runs}, c={concurrency}: web {results['web'].rps:.0f} req/s "
                    f"(p99 {results['web'].p99_ms:.1f} ms), best bare {results['best'].rps:.0f} req/s ({best:.0f}%), "
                    f"same-config bare {results['bare'].rps:.0f} req/s ({same:.0f}%) [{results['web'].tool}]"
                )
            if thread_ts is None:
                continue
            lookups, replies = _busy(web, request, thread_ts, plan, run_index, workdir)
            busy_figures["rps"].samples.append(lookups.rps)
            busy_figures["p50"].samples.append(lookups.p50_ms)
            busy_figures["p99"].samples.append(lookups.p99_ms)
            busy_figures["reply_p99"].samples.append(replies.p99_ms)
            busy_figures["replies"].samples.append(replies.rps)
            progress(
                f"lookup run {run_index + 1}/{plan.runs}, busy: {lookups.rps:.0f} lookups/s (p99 {lookups.p99_ms:.1f} ms) "
                f"with {replies.rps:.0f} replies/s (ack p99 {replies.p99_ms:.1f} ms)"
            )
    finally:
        stop_together(list(servers.values()))
        stub.stop()
    for busy in busy_figures.values():
        busy.note = busy_note
    order_keys = [f"{kind}.c{c}" for c in plan.lookup_concurrency for kind in ("ratio", "ratio_same")]
    for c in plan.lookup_concurrency:
        for name in APPS:
            order_keys += [f"{name}.c{c}.{what}" for what in ("rps", "p50", "p99")]
            if c == P99_CONCURRENCY:
                order_keys.append(f"{name}.c{c}.cpu")
    order_keys += ["busy.rps", "busy.p50", "busy.p99", "busy.reply_p99", "busy.replies"]
    return [figures[key] for key in order_keys]


def _busy(
    web: ServerProcess, request: SignedRequest, thread_ts: str, plan: Plan, run_index: int, workdir: Path
) -> tuple[LoadResult, LoadResult]:
    """Lookups at BUSY_CONCURRENCY while thread replies arrive at the plan's rate from another process."""
    lead_in = plan.lookup_busy_lead_in  # the replies start first, so that every lookup measured meets them
    seconds = plan.lookup_seconds + 2 * lead_in
    count = int(plan.lookup_busy_reply_rate * seconds) + 1
    base_ts = int(time.time())
    first = 100_000 * (run_index + 1)  # every run's replies are new events
    bodies = [SignedRequest.sign(reply_event(first + n, thread_ts, base_ts), "application/json") for n in range(count)]
    replies = start_replay(
        web.url + "/slack/events",
        bodies,
        REPLY_CONCURRENCY,
        workdir,
        max_requests=count,
        max_seconds=seconds,
        rate=plan.lookup_busy_reply_rate,
        name="replies",
    )
    try:
        time.sleep(lead_in)
        lookups = constant_load(web.url + "/slack/events", request, BUSY_CONCURRENCY, plan.lookup_seconds, workdir, plan.load_generator)
        answered = replies.result()
    finally:
        replies.stop()
    if lookups.failed or answered.failed:
        raise RuntimeError(
            f"{web.name}: {lookups.failed} lookups and {answered.failed} replies failed while both were sent:\n{web.log_tail()}"
        )
    return lookups, answered


def check_answer(server: ServerProcess, request: SignedRequest, expected: str) -> None:
    """One request before the load: the server answers 200 with what it should, after its own
    start-up (gunicorn binds the port before the worker has booted)."""
    target = urlsplit(server.url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        connection.request("POST", "/slack/events", body=request.body.encode(), headers=request.headers)
        response = connection.getresponse()
        body = response.read().decode("utf-8")
    finally:
        connection.close()
    try:  # Bolt answers JSON when there are blocks, and the bare text otherwise
        shown = json.dumps(json.loads(body), ensure_ascii=False)
    except ValueError:
        shown = body
    if response.status != 200 or expected not in shown:
        raise RuntimeError(f"{server.name} answered {response.status}: {body[:300]}\n{server.log_tail()}")
