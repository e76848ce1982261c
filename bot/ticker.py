"""APScheduler wiring: one interval job whose body is one call into the drill's tick."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

JOB_ID = "drill-tick"


class Ticker:
    """Ticks the drill every few seconds. The database says what is due, so a restart, a schedule
    change or another replica needs no job bookkeeping here."""

    def __init__(self, tick: Callable[[datetime], object], clock: Callable[[], datetime], interval_seconds: float = 10.0):
        self._tick_body = tick
        self.clock = clock
        self.interval_seconds = interval_seconds
        self._scheduler = BackgroundScheduler(timezone=timezone.utc)

    def start(self) -> None:
        self._scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=self.interval_seconds),
            id=JOB_ID,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(timezone.utc),
            misfire_grace_time=None,
        )
        self._scheduler.start()
        log.info("drill scheduler started (every %ss)", self.interval_seconds)

    def wake(self) -> None:
        """Run a tick now (after a schedule change or `/career drill now`)."""
        if self._scheduler.running:
            self._scheduler.modify_job(JOB_ID, next_run_time=datetime.now(timezone.utc))

    def wake_at(self, when: datetime, body: Callable[[datetime], object]) -> None:
        """Run `body(now)` once at `when` (a mock interview's feedback after its quiet spell), besides
        the interval: the database still says what is due, so a run that finds nothing does nothing."""
        if not self._scheduler.running:
            return

        def run() -> None:
            try:
                body(self.clock())
            except Exception:  # noqa: BLE001 - the interval tick takes it up
                log.exception("a timed wake failed; the next tick takes it up")

        self._scheduler.add_job(run, DateTrigger(run_date=when), misfire_grace_time=None)

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    def _tick(self) -> None:
        try:
            self._tick_body(self.clock())
        except Exception:  # noqa: BLE001 - the job must survive a database outage; next tick retries
            log.exception("drill tick failed; it will run again in %ss", self.interval_seconds)
