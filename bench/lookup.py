"""1. Lookup: `/career ciso` through the Procfile's web process, beside a bare Bolt app.

Both servers run side by side for the whole benchmark, and each run measures them one right after
the other at every concurrency (which goes first alternates from run to run), so a noisy moment on
the machine hits both. The ratio web/bare is taken per run, from those adjacent measurements.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from bench.bare_app import ANSWER
from bench.load import SignedRequest, constant_load
from bench.plan import Plan
from bench.report import Figure, Target
from bench.servers import ServerProcess, bare_process, web_process
from tests.support.signing import command_body
from tests.support.slack_api import StubSlackApi

NAME = "1. Lookup"
MIN_RATIO_PERCENT = 80  # the web process keeps at least 80% of the bare app's throughput
MAX_P99_MS = 10  # at concurrency 16
P99_CONCURRENCY = 16


def run(plan: Plan, workdir: Path, progress: Callable[[str], None]) -> list[Figure]:
    figures: dict[str, Figure] = {}

    def figure(key: str, label: str, unit: str, target: Target | None = None) -> Figure:
        return figures.setdefault(key, Figure(f"lookup.{key}", NAME, label, unit, target=target, baseline=key.startswith("bare.")))

    stub = StubSlackApi().start()
    web = web_process(stub, f"sqlite:///{workdir / 'web.sqlite3'}", workdir / "web.log")
    bare = bare_process(stub, workdir / "bare.log")
    try:
        web.start()
        bare.start()
        request = SignedRequest.sign(command_body("ciso", response_url=stub.response_url()))
        _check_answer(web, request, "CISO（Chief Information Security Officer")
        _check_answer(bare, request, ANSWER)
        for concurrency in plan.lookup_concurrency:  # warm-up, not recorded
            for server in (web, bare):
                constant_load(server.url + "/slack/events", request, concurrency, 1, workdir, plan.load_generator)
        for run_index in range(plan.runs):
            # Slack accepts a signature for five minutes: sign again for every run.
            request = SignedRequest.sign(command_body("ciso", response_url=stub.response_url()))
            for concurrency in plan.lookup_concurrency:
                results = {}
                pair = (("web", web), ("bare", bare))
                for name, server in pair if run_index % 2 == 0 else reversed(pair):
                    result = constant_load(server.url + "/slack/events", request, concurrency, plan.lookup_seconds, workdir, plan.load_generator)
                    if result.failed or not result.requests:
                        raise RuntimeError(f"{server.name}: {result.failed} of {result.requests} requests failed at c={concurrency}")
                    results[name] = result
                    app = "web process" if name == "web" else "bare Bolt app"
                    figure(f"{name}.c{concurrency}.rps", f"{app}, c={concurrency}: throughput", "req/s").samples.append(result.rps)
                    figure(f"{name}.c{concurrency}.p50", f"{app}, c={concurrency}: p50 latency", "ms").samples.append(result.p50_ms)
                    p99_target = Target("<", MAX_P99_MS) if name == "web" and concurrency == P99_CONCURRENCY else None
                    figure(f"{name}.c{concurrency}.p99", f"{app}, c={concurrency}: p99 latency", "ms", p99_target).samples.append(result.p99_ms)
                ratio = results["web"].rps / results["bare"].rps * 100
                figure(f"ratio.c{concurrency}", f"web/bare throughput, c={concurrency}", "%", Target(">=", MIN_RATIO_PERCENT)).samples.append(ratio)
                progress(
                    f"lookup run {run_index + 1}/{plan.runs}, c={concurrency}: web {results['web'].rps:.0f} req/s "
                    f"(p99 {results['web'].p99_ms:.1f} ms), bare {results['bare'].rps:.0f} req/s, ratio {ratio:.0f}% [{results['web'].tool}]"
                )
    finally:
        web.stop()
        bare.stop()
        stub.stop()
    order = [f"ratio.c{c}" for c in plan.lookup_concurrency] + [
        f"{name}.c{c}.{what}" for c in plan.lookup_concurrency for name in ("web", "bare") for what in ("rps", "p50", "p99")
    ]
    return [figures[key] for key in order]


def _check_answer(server: ServerProcess, request: SignedRequest, expected: str) -> None:
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
