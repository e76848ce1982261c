"""9. Long replies: 40,000-character thread replies (Slack's longest message), 16 at a time, through
the web process with two workers, and a member's lookup while they arrive.

Answer feedback judges a reply before its event is acknowledged, so what a reply costs before the
200 is what holds a sync worker, and what a lookup in another channel queues behind. The replies
are digit-heavy (「30% 3割 100万円 」 repeated), the slowest shape for the analyser seen so far. Slack
delivers an event again when it gets no 200 in 3 s, so after the first deliveries every reply is
delivered once more with the retry headers Slack adds; a retry of a recorded reply must not be
analysed again.

One run, on a fresh web process (WEB_CONCURRENCY=2) and database: an admin posts a drill; one
thread in this process sends `/career ciso` from another channel, one lookup after another; then
the replies are sent at concurrency 16 from a separate process (bench/loadgen.py), first each once,
then each as a retry. Measured: every reply's ack (the slowest one is the figure: every ack must
be under 1 s; one not answered with a 200 within the load generator's 10 s counts as
unacknowledged), the lookups that started while replies were being sent, and the server's CPU
time per reply (steadier than latency on a shared machine). Checked: every reply is recorded, with
a verdict (the text was judged), and none twice.
"""

from __future__ import annotations

import http.client
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from bench.databases import Unavailable, count, fresh_database
from bench.ingestion import CONCURRENCY, post_drill, reply_event
from bench.load import LoadResult, SignedRequest, replay
from bench.plan import Plan
from bench.report import Figure, Target
from bench.servers import web_process
from bench.stats import percentile
from bot.testing.signing import command_body
from bot.testing.slack_api import StubSlackApi

NAME = "9. Long replies"
WORKERS = "2"
REPLY_CHARACTERS = 40_000  # Slack's limit for a message's text
DIGITS = "30% 3割 100万円 "
MAX_ACK_MS = 1_000
MAX_LOOKUP_P99_MS = 300
LOOKUP_CHANNEL = "C0OTHER01"  # a lookup in another channel than the drill's
LOOKUP_PAUSE_S = 0.02  # between one lookup's answer and the next lookup
LEAD_IN_S = 0.3  # lookups start first, so that the replies meet a warm connection
MAX_SECONDS = 300  # per phase: the bound on sending the replies


def long_text() -> str:
    return (DIGITS * (REPLY_CHARACTERS // len(DIGITS) + 1))[:REPLY_CHARACTERS]


def as_retry(request: SignedRequest, attempt: int = 1) -> SignedRequest:
    """The same event delivered again, as Slack does it: signed anew, with its retry headers."""
    signed = SignedRequest.sign(request.body, "application/json")
    return SignedRequest(signed.body, {**signed.headers, "X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"})


class Lookups(threading.Thread):
    """`/career ciso` sent one after another until `stop()` (or the time bound); each answer timed."""

    def __init__(self, url: str, request: SignedRequest, max_seconds: float):
        super().__init__(name="lookups", daemon=True)
        self._address = urlsplit(url)
        self._request = request
        self._deadline = time.monotonic() + max_seconds
        self._stopping = threading.Event()
        self.timed: list[tuple[float, float]] = []  # (sent at, monotonic; latency in ms)
        self.failed = 0  # not answered within 30 s, or not with the role's card

    def run(self) -> None:
        connection = http.client.HTTPConnection(self._address.hostname, self._address.port, timeout=30)
        body = self._request.body.encode()
        try:
            while not self._stopping.is_set() and time.monotonic() < self._deadline:
                sent = time.monotonic()
                try:
                    connection.request("POST", "/slack/events", body=body, headers=self._request.headers)
                    response = connection.getresponse()
                    answer = response.read()
                except (OSError, http.client.HTTPException):
                    connection.close()
                    self.failed += 1
                    continue
                if response.status != 200 or b"CISO" not in answer:
                    self.failed += 1
                else:
                    self.timed.append((sent, (time.monotonic() - sent) * 1000))
                self._stopping.wait(LOOKUP_PAUSE_S)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=60)

    def between(self, start: float, end: float) -> list[float]:
        return [ms for sent, ms in self.timed if start <= sent < end]


def measure(database_url: str, rounds: int, workdir: Path) -> dict[str, float]:
    """One fresh web process and database: the figures of one run."""
    stub = StubSlackApi().start()
    try:
        with web_process(stub, database_url, workdir / "web.log", DRILL_TICK_SECONDS="0.2", WEB_CONCURRENCY=WORKERS) as web:
            thread_ts = post_drill(web.url, stub)
            base_ts = int(float(thread_ts)) + 1  # after the post: see bench/ingestion.py
            text = long_text()
            firsts = [
                SignedRequest.sign(reply_event(n, thread_ts, base_ts, text=text), "application/json") for n in range(CONCURRENCY * rounds)
            ]
            lookup = SignedRequest.sign(command_body("ciso", channel_id=LOOKUP_CHANNEL, response_url=stub.response_url("lookup")))
            lookups = Lookups(web.url, lookup, max_seconds=2 * MAX_SECONDS + 60)
            lookups.start()
            try:
                time.sleep(LEAD_IN_S)
                retries = [as_retry(r) for r in firsts]
                began, cpu_began = time.monotonic(), web.cpu_seconds()
                first = replay(web.url + "/slack/events", firsts, CONCURRENCY, workdir, max_requests=len(firsts), max_seconds=MAX_SECONDS)
                cpu_between = web.cpu_seconds()
                again = replay(web.url + "/slack/events", retries, CONCURRENCY, workdir, max_requests=len(retries), max_seconds=MAX_SECONDS)
                ended, cpu_ended = time.monotonic(), web.cpu_seconds()
            finally:
                lookups.stop()
            during = lookups.between(began, ended)
            if not during:
                raise RuntimeError("no lookup was answered while the replies were sent")
        recorded = count(database_url, "SELECT count(*) FROM replies WHERE deleted = false AND user_id IS NOT NULL")
        judged = count(database_url, "SELECT count(*) FROM replies WHERE deleted = false AND verdicts IS NOT NULL")
    finally:
        stub.stop()
    return {
        "ack_max": first.max_ms,
        "ack_p50": first.p50_ms,
        "cpu_ms": (cpu_between - cpu_began) / len(firsts) * 1000,
        "retry_cpu_ms": (cpu_ended - cpu_between) / len(retries) * 1000,
        "retry_ack_max": again.max_ms,
        "unacked": _unacked(first, len(firsts)) + _unacked(again, len(retries)),
        "lookup_p99": percentile(during, 99),
        "lookup_p50": percentile(during, 50),
        "lookups": len(during),
        "lookups_failed": lookups.failed,
        "lost": len(firsts) - recorded,
        "unjudged": len(firsts) - judged,
    }


def _unacked(result: LoadResult, sent: int) -> int:
    """Deliveries not answered with a 2xx within the load generator's timeout (10 s), which is
    where Slack, waiting 3 s, would have given up on them too."""
    return sent - result.ok


def run(plan: Plan, workdir: Path, progress: Callable[[str], None]) -> list[Figure]:
    n = CONCURRENCY * plan.long_reply_rounds
    figures: list[Figure] = []
    for kind in plan.databases:
        label = f"{kind}: {n} replies of {REPLY_CHARACTERS:,} characters at c={CONCURRENCY}, {WORKERS} workers"
        figures += [
            Figure(f"longreplies.{kind}.ack_max", NAME, f"{label}, slowest ack", "ms", target=Target("<", MAX_ACK_MS)),
            Figure(
                f"longreplies.{kind}.retry_ack_max",
                NAME,
                f"{kind}: each delivered again (Slack's retry), slowest ack",
                "ms",
                target=Target("<", MAX_ACK_MS),
            ),
            Figure(
                f"longreplies.{kind}.lookup_p99",
                NAME,
                f"{kind}: /career lookup in another channel meanwhile, p99",
                "ms",
                target=Target("<", MAX_LOOKUP_P99_MS),
            ),
            Figure(f"longreplies.{kind}.unacked", NAME, f"{kind}: deliveries not acknowledged within 10 s", "", target=Target("==", 0)),
            Figure(f"longreplies.{kind}.lookups_failed", NAME, f"{kind}: lookups not answered within 30 s", "", target=Target("==", 0)),
            Figure(f"longreplies.{kind}.lost", NAME, f"{kind}: replies not recorded", "", target=Target("==", 0)),
            Figure(f"longreplies.{kind}.unjudged", NAME, f"{kind}: replies recorded without a verdict", "", target=Target("==", 0)),
            Figure(f"longreplies.{kind}.ack_p50", NAME, f"{kind}: reply ack p50", "ms"),
            Figure(f"longreplies.{kind}.lookup_p50", NAME, f"{kind}: lookup p50", "ms"),
            # CPU time is not stretched by other processes waiting for a core, unlike the latencies.
            Figure(f"longreplies.{kind}.cpu_ms", NAME, f"{kind}: server CPU per reply (the lookups meanwhile included)", "ms"),
            Figure(f"longreplies.{kind}.retry_cpu_ms", NAME, f"{kind}: server CPU per retried reply (likewise)", "ms"),
            Figure(f"longreplies.{kind}.lookups", NAME, f"{kind}: lookups answered meanwhile", ""),
        ]
    by_key = {f.key: f for f in figures}
    for run_index in range(plan.runs):
        for kind in plan.databases:
            run_dir = workdir / f"{kind}-{run_index}"
            try:
                with fresh_database(kind, run_dir) as url:
                    measured = measure(url, plan.long_reply_rounds, run_dir)
            except Unavailable as exc:
                for figure in figures:
                    if figure.key.startswith(f"longreplies.{kind}."):
                        figure.note = str(exc)
                continue
            for what, value in measured.items():
                if math.isnan(value):  # e.g. the slowest ack when no delivery was acknowledged
                    by_key[f"longreplies.{kind}.{what}"].note = "nothing to measure in a run"
                else:
                    by_key[f"longreplies.{kind}.{what}"].samples.append(value)
            progress(
                f"long replies run {run_index + 1}/{plan.runs}, {kind}: slowest ack {measured['ack_max']:.0f} ms "
                f"(retries {measured['retry_ack_max']:.0f} ms), CPU per reply {measured['cpu_ms']:.0f} ms (retries "
                f"{measured['retry_cpu_ms']:.1f} ms), lookup p99 {measured['lookup_p99']:.0f} ms over {measured['lookups']:.0f}; "
                f"{measured['unacked']:.0f} unacknowledged, {measured['lookups_failed']:.0f} lookups failed, {measured['lost']:.0f} lost, {measured['unjudged']:.0f} unjudged"
            )
    return figures
