"""3. Drill fan-out: a thousand channels whose drill is due in the same minute.

The drill runs as the web process runs it: `bot.composition.build_slack_bot` wires the real `SlackChat` and
Web API clients to the Web API stand-in, which here takes 100 ms to answer chat.postMessage (a
realistic round trip to Slack). `DrillCycle.tick(now)` is called with `now` at the due time and,
while channels are still waiting, again every DRILL_TICK_SECONDS (the scheduler's interval), as the
scheduler would. Measured: from the first tick's start to the last post's answer.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.databases import Unavailable, count, fresh_database
from bench.plan import Plan
from bench.report import Figure, Target
from bench.servers import ADMIN, CONTENT_DIR
from bot.composition import build_slack_bot
from bot.domain.schedule_input import parse_schedule_set
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.testing.botserver import settings_for
from bot.testing.slack_api import Call, StubSlackApi

NAME = "3. Drill fan-out"
POST_DELAY_S = 0.1
MAX_WALL_S = 30  # every channel posted within 30 s of the due time
DUE = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
SCHEDULE = ["ciso", "09:00", "tz=UTC", "reveal=+8h"]
MAX_TICKS = 20
MAX_SECONDS = 180
MIN_GAP_S = 1.0  # Slack allows about one message per second per channel


class SlowPostingSlackApi(StubSlackApi):
    """The Web API stand-in, answering chat.postMessage after `delay` seconds and noting when each
    channel's posts were answered."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay
        self.answered: dict[str, list[float]] = defaultdict(list)
        self._answered_lock = threading.Lock()
        self._post = self.handlers["chat.postMessage"]
        self.handlers["chat.postMessage"] = self._slow_post

    def _slow_post(self, call: Call) -> dict:
        time.sleep(self.delay)
        answer = self._post(call)
        with self._answered_lock:
            self.answered[str(call.params.get("channel"))].append(time.monotonic())
        return answer


@dataclass(frozen=True)
class FanOut:
    wall_s: float  # first tick's start → last post answered
    ticks: int
    wrong_count: int  # channels that did not get exactly one post
    too_fast: int  # channels that got two posts less than a second apart
    recorded: int  # drills the database shows as posted


def channel_ids(channels: int) -> list[str]:
    return [f"CBENCH{number:05d}" for number in range(channels)]


def fan_out(database_url: str, channels: int) -> FanOut:
    stub = SlowPostingSlackApi(POST_DELAY_S).start()
    try:
        settings = settings_for(stub, CONTENT_DIR, DATABASE_URL=database_url)
        services = build_slack_bot(settings).bot  # the scheduler is not started: we tick
        try:
            request = parse_schedule_set(SCHEDULE, "UTC")
            for channel in channel_ids(channels):
                services.schedules.set(channel, ADMIN, request, DUE - timedelta(minutes=1), team_id=SINGLE_WORKSPACE)
            started, ticks = time.monotonic(), 0
            while ticks < MAX_TICKS and time.monotonic() - started < MAX_SECONDS:
                services.cycle.tick(DUE + timedelta(seconds=time.monotonic() - started))
                ticks += 1
                if len(stub.answered) >= channels:
                    break
                # Channels still wait: the scheduler's next tick is one interval after the last was due.
                time.sleep(max(0.0, started + ticks * settings.drill_tick_seconds - time.monotonic()))
        finally:
            services.engine.dispose()
        answered = dict(stub.answered)
    finally:
        stub.stop()
    expected = set(channel_ids(channels))
    last = max((t for times in answered.values() for t in times), default=started)
    return FanOut(
        wall_s=last - started,
        ticks=ticks,
        wrong_count=len(expected - answered.keys()) + sum(1 for c, t in answered.items() if c not in expected or len(t) != 1),
        too_fast=sum(1 for times in answered.values() if _too_fast(times)),
        recorded=count(database_url, "SELECT count(*) FROM drills WHERE status = 'posted'"),
    )


def _too_fast(times: list[float]) -> bool:
    ordered = sorted(times)
    return any(later - earlier < MIN_GAP_S for earlier, later in zip(ordered, ordered[1:], strict=False))


def run(plan: Plan, workdir: Path, progress: Callable[[str], None]) -> list[Figure]:
    n = plan.fanout_channels
    figures: list[Figure] = []
    for kind in plan.databases:
        figures += [
            Figure(f"fanout.{kind}.wall_s", NAME, f"{kind}: {n:,} channels, due → last post", "s", target=Target("<", MAX_WALL_S)),
            Figure(f"fanout.{kind}.wrong_count", NAME, f"{kind}: channels without exactly one post", "", target=Target("==", 0)),
            Figure(f"fanout.{kind}.too_fast", NAME, f"{kind}: channels with > 1 message/s", "", target=Target("==", 0)),
            Figure(f"fanout.{kind}.ticks", NAME, f"{kind}: scheduler ticks needed", ""),
            Figure(f"fanout.{kind}.posts_per_s", NAME, f"{kind}: posts/s", "posts/s"),
        ]
    by_key = {f.key: f for f in figures}
    for run_index in range(plan.runs):
        for kind in plan.databases:  # the backends alternate, so a noisy minute hits both
            try:
                with fresh_database(kind, workdir / f"{kind}-{run_index}") as url:
                    result = fan_out(url, n)
            except Unavailable as exc:
                for figure in figures:
                    if figure.key.startswith(f"fanout.{kind}."):
                        figure.note = str(exc)
                continue
            if result.recorded != n:
                raise RuntimeError(f"{kind}: the database shows {result.recorded} of {n} drills as posted")
            by_key[f"fanout.{kind}.wall_s"].samples.append(result.wall_s)
            by_key[f"fanout.{kind}.wrong_count"].samples.append(result.wrong_count)
            by_key[f"fanout.{kind}.too_fast"].samples.append(result.too_fast)
            by_key[f"fanout.{kind}.ticks"].samples.append(result.ticks)
            by_key[f"fanout.{kind}.posts_per_s"].samples.append(n / result.wall_s)
            progress(
                f"fan-out run {run_index + 1}/{plan.runs}, {kind}: {n:,} channels in {result.wall_s:.1f} s over {result.ticks} tick(s); "
                f"{result.wrong_count} without exactly one post, {result.too_fast} over 1 message/s"
            )
    return figures
