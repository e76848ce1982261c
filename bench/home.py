"""8. App Home: how fast `app_home_opened` is acknowledged, and how many views.publish calls a
burst of replies from one member makes.

The Procfile's web process (WEB_CONCURRENCY=WORKERS, DRILL_TICK_SECONDS=0.2) with the Web API
stand-in on loopback. An admin sets a schedule and posts a drill now, as in the reply-ingestion
benchmark. Then, signed as Slack signs them, from CONCURRENCY threads of this process:

- `home_opens` members open their App Home once each (a distinct event id each): measured, the
  time to the HTTP 200 (the ack, which includes the short database write that records the opening);
  checked, that each of them got exactly one views.publish within PUBLISH_WAIT_S;
- one member whose Home is open sends `home_burst` thread replies in the drill's thread, CONCURRENCY
  at a time (a busy thread); after the debounce window has closed, the views.publish calls for that
  member are counted. Each web worker coalesces the touches it received, so the count is at most one
  per worker per window (WORKERS here), against one per reply without the debounce.

On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.databases import Unavailable, fresh_database
from bench.ingestion import CHANNEL, post_drill
from bench.plan import Plan
from bench.report import Figure, Target
from bench.servers import web_process
from bench.stats import percentile
from bot.testing.http import request
from bot.testing.signing import signed_headers
from bot.testing.slack_api import StubSlackApi

NAME = "8. App Home"
CONCURRENCY = 8
WORKERS = 2
MAX_ACK_P99_MS = 100  # on loopback; Slack's own limit is 3 s
PUBLISH_WAIT_S = 30.0
REQUEST_TIMEOUT_S = 30.0
BURST_USER = "UHOMEBURST"


def _event_body(event: dict, event_id: str) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
    )


def _send(url: str, event: dict, event_id: str) -> float:
    """Send one signed event; the ms until its 200."""
    body = _event_body(event, event_id)
    started = time.monotonic()
    answer = request(url + "/slack/events", body, signed_headers(body, "application/json"), timeout=REQUEST_TIMEOUT_S)
    elapsed = (time.monotonic() - started) * 1000
    if answer.status != 200:
        raise RuntimeError(f"an event ({event.get('type')}) was answered {answer.status}: {answer.text[:300]}")
    return elapsed


def _opening(user_id: str) -> dict:
    return {"type": "app_home_opened", "user": user_id, "channel": "D0HOME001", "tab": "home", "event_ts": f"{time.time():.6f}"}


def _published(stub: StubSlackApi, user_id: str) -> int:
    return sum(1 for c in stub.calls_to("views.publish") if c.params.get("user_id") == user_id)


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def measure(database_url: str, opens: int, burst: int, workdir: Path, count_seconds: float = 5.0) -> tuple[list[float], int, int]:
    """(ack times in ms, members without exactly one publish, publishes for the burst's member within
    `count_seconds` after the burst: the debounce window is 2 s, what arrives later is not counted)."""
    stub = StubSlackApi().start()
    try:
        with web_process(stub, database_url, workdir / "web.log", DRILL_TICK_SECONDS="0.2", WEB_CONCURRENCY=str(WORKERS)) as web:
            thread_ts = post_drill(web.url, stub)
            # Warm-up (not timed): each worker builds and publishes a Home once.
            for i in range(WORKERS * 2):
                _send(web.url, _opening(f"UHOMEWARM{i}"), f"EvWarm{i}")
            users = [f"UHOME{i:05d}" for i in range(opens)]
            with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                acks = list(pool.map(lambda i: _send(web.url, _opening(users[i]), f"EvHome{i}"), range(opens)))
            _wait(lambda: all(_published(stub, u) >= 1 for u in users), PUBLISH_WAIT_S)
            time.sleep(0.5)  # a publish sent twice would arrive by now
            wrong = sum(1 for u in users if _published(stub, u) != 1)

            _send(web.url, _opening(BURST_USER), "EvBurstOpen")
            if not _wait(lambda: _published(stub, BURST_USER) >= 1, PUBLISH_WAIT_S):
                raise RuntimeError("the burst member's Home was not published")
            before = _published(stub, BURST_USER)
            base = time.time()

            def reply(i: int) -> float:
                event = {
                    "type": "message",
                    "channel": CHANNEL,
                    "user": BURST_USER,
                    "text": "私の回答は…",
                    "ts": f"{base + i / 1000:.6f}",
                    "thread_ts": thread_ts,
                    "channel_type": "channel",
                }
                return _send(web.url, event, f"EvBurst{i}")

            # As a busy thread brings them: several at once, all well inside one 2 s window.
            with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                list(pool.map(reply, range(burst)))
            time.sleep(count_seconds)
            publishes = _published(stub, BURST_USER) - before
    finally:
        stub.stop()
    return acks, wrong, publishes


def run(plan: Plan, workdir: Path, progress: Callable[[str], None]) -> list[Figure]:
    n, b = plan.home_opens, plan.home_burst
    figures: list[Figure] = []
    for kind in plan.databases:
        label = f"{kind}: {n:,} members open their App Home (c={CONCURRENCY}, {WORKERS} workers)"
        figures += [
            Figure(f"home.{kind}.ack_p99", NAME, f"{label}, ack p99", "ms", target=Target("<", MAX_ACK_P99_MS)),
            Figure(f"home.{kind}.ack_p50", NAME, f"{kind}: App Home openings, ack p50", "ms"),
            Figure(
                f"home.{kind}.publish_wrong",
                NAME,
                f"{kind}: members without exactly one views.publish within {PUBLISH_WAIT_S:g} s",
                "",
                target=Target("==", 0),
            ),
            Figure(
                f"home.{kind}.burst_publishes",
                NAME,
                f"{kind}: views.publish calls after a burst of {b} replies from one member (debounced per worker)",
                "",
                target=Target("<=", WORKERS),
            ),
        ]
    by_key = {f.key: f for f in figures}
    for run_index in range(plan.runs):
        for kind in plan.databases:
            run_dir = workdir / f"{kind}-{run_index}"
            try:
                with fresh_database(kind, run_dir) as url:
                    acks, wrong, publishes = measure(url, n, b, run_dir, plan.home_count_seconds)
            except Unavailable as exc:
                for figure in figures:
                    if figure.key.startswith(f"home.{kind}."):
                        figure.note = str(exc)
                continue
            by_key[f"home.{kind}.ack_p99"].samples.append(percentile(acks, 99))
            by_key[f"home.{kind}.ack_p50"].samples.append(percentile(acks, 50))
            by_key[f"home.{kind}.publish_wrong"].samples.append(wrong)
            by_key[f"home.{kind}.burst_publishes"].samples.append(publishes)
            progress(
                f"home run {run_index + 1}/{plan.runs}, {kind}: {len(acks)} openings, ack p50/p99 "
                f"{percentile(acks, 50):.1f}/{percentile(acks, 99):.1f} ms; {wrong} without exactly one publish; "
                f"{publishes} publishes after {b} replies"
            )
    return figures
