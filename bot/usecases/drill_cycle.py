"""The drill's tick: create the occurrences that are due, then post, reveal and mark everything due.

The database is the source of truth. `tick(now)` is safe to call from any number of processes at
once: each occurrence is one row under a unique (channel, occurrence) constraint, and every step
that talks to the chat service is claimed first (see `outbox`), so a question is posted once and
revealed once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.announcements import latest_digest_at, reminder_at
from bot.domain.drill import DrillStatus
from bot.domain.schedule import due_occurrences, next_occurrence
from bot.store import channel_posts, drills, leases, schedules
from bot.usecases.announcements import Announcements
from bot.usecases.delivery import DrillDelivery
from bot.usecases.feedback import FeedbackDelivery

if TYPE_CHECKING:
    from bot.usecases.mock_interviews import MockInterviews
    from bot.usecases.workspaces import Workspaces

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    created: int = 0
    missed: int = 0
    posted: list[int] = field(default_factory=list)
    revealed: list[int] = field(default_factory=list)
    marked: list[int] = field(default_factory=list)
    feedback: list[int] = field(default_factory=list)  # drills whose participants all got their answer feedback
    announced: list[int] = field(default_factory=list)  # reminders and digests posted (channel_posts ids)
    purged: list[str] = field(default_factory=list)  # uninstalled workspaces whose data was deleted
    mock_sent: int = 0  # mock interview messages sent
    failed: list[int] = field(default_factory=list)


class DrillCycle:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        delivery: DrillDelivery,
        workers: int = 16,
        feedback: FeedbackDelivery | None = None,
        announcements: Announcements | None = None,
        workspaces: Workspaces | None = None,
        mock: MockInterviews | None = None,
        refresh: Callable[[], None] | None = None,
    ):
        self.sessions = sessions
        # Called first in every tick: the workspaces' own questions changed by another process.
        self.refresh = refresh
        self.delivery = delivery
        self.feedback = feedback
        self.announcements = announcements
        self.workspaces = workspaces
        self.mock = mock
        self.workers = workers
        self._tick_lock = threading.Lock()
        self._started = time.monotonic()

    @property
    def lease(self) -> timedelta:
        return self.delivery.lease

    def tick(self, now: datetime) -> TickReport:
        """Do everything that is due at `now`. Overlapping ticks in one process are skipped."""
        report = TickReport()
        if not self._tick_lock.acquire(blocking=False):
            return report
        self._started = time.monotonic()
        try:
            if self.refresh is not None:
                try:
                    self.refresh()
                except Exception:  # noqa: BLE001 - the drills must go on with the questions known
                    log.exception("reloading the workspaces' own questions failed")
            with self.sessions.begin() as session:
                report.created = self._create_due(session, now)
                report.missed = drills.mark_overdue_missed(session, now)
            self._in_batches(leases.postable_ids, self.delivery.post, now, report.posted, report.failed)
            self._in_batches(drills.backfill_ids, self.delivery.backfill, now, [], [])
            self._in_batches(leases.revealable_ids, self.delivery.reveal, now, report.revealed, report.failed)
            self._in_batches(leases.markable_ids, self.delivery.mark, now, report.marked, report.failed)
            if self.feedback is not None:
                self._in_batches(leases.feedback_due_ids, self.feedback.send, now, report.feedback, [])
            if self.announcements is not None:
                # After the reveals: a reminder whose drill was just revealed is skipped, not sent.
                self.announcements.record_due(now)
                self._in_batches(leases.channel_post_due_ids, self.announcements.send, now, report.announced, [])
            if self.mock is not None:
                # Mock interviews: feedback after a quiet spell, idle ends, and their unsent messages.
                report.mock_sent = self.mock.tick(now)
            if self.workspaces is not None:
                # The data of a workspace uninstalled longer ago than the retention period.
                report.purged = self.workspaces.purge_due(now)
        finally:
            self._tick_lock.release()
        if report.posted or report.revealed or report.missed or report.failed:
            log.info(
                "drill tick: %d posted, %d revealed, %d missed, %d to retry",
                len(report.posted),
                len(report.revealed),
                report.missed,
                len(report.failed),
            )
        return report

    def next_due(self, after: datetime) -> datetime | None:
        """The first instant after `after` at which a tick has something to do: a recorded drill's
        post or reveal, a kept Retry-After, a claim whose lease runs out, a reminder or digest, or a
        schedule's next occurrence. None when nothing is planned."""
        with self.sessions() as session:
            found = leases.next_instants(session, self.lease)
            settings = schedules.all_schedules(session)
            served = drills.served_days(session, settings, after)
            for schedule in settings:
                occurrence = next_occurrence(schedule, after, served[schedule.channel_id])
                found += [occurrence.post_at] if occurrence is not None else []
                if schedule.digest is not None and not schedule.paused:
                    found.append(latest_digest_at(schedule.digest, schedule.timezone, after + timedelta(days=7)))
            for _drill_id, _channel_id, posted_at, reveal_at, zone, remind, _team_id in channel_posts.reminder_candidates(session, after):
                instant = reminder_at(remind, posted_at, reveal_at, zone)
                found += [instant] if instant is not None else []
        return min((at for at in found if at > after), default=None)

    def _in_batches(
        self,
        due_ids: Callable[..., list[int]],
        step: Callable[[int, datetime], bool],
        now: datetime,
        done: list[int],
        failed: list[int],
        batch: int = 500,
    ) -> None:
        """Work through everything due now, a batch at a time, so a thousand channels at 09:00 do
        not wait a tick for the second half. A drill is tried at most once per tick."""
        tried: set[int] = set()
        for _ in range(20):  # bounded: 10,000 drills a tick
            with self.sessions() as session:
                found = due_ids(session, now, now - self.lease, limit=batch)
            fresh = [i for i in found if i not in tried]
            for drill_id, ok in zip(fresh, self._each(step, fresh, now), strict=False):
                (done if ok else failed).append(drill_id)
            tried.update(fresh)
            if len(found) < batch or not fresh:
                return

    def _each(self, step: Callable[[int, datetime], bool], drill_ids: list[int], now: datetime) -> list[bool]:
        """Run a step for many drills with bounded concurrency: 09:00 in a thousand channels should
        not mean a thousand Web API calls one after another. Each drill is a different channel, so
        Slack's one-message-per-second-per-channel limit is not pressed."""

        def guarded(drill_id: int) -> bool:
            # A claim is stamped with the time it is taken, not the time the tick began: a drill
            # reached 100 s into a busy tick must not look 100 s old to the other replicas.
            at = now + timedelta(seconds=time.monotonic() - self._started)
            try:
                return step(drill_id, at)
            except Exception:  # noqa: BLE001 - one drill's failure must not stop the others
                log.exception("drill %s: %s failed; its claim expires and it is retried", drill_id, step.__name__)
                return False

        if self.workers <= 1 or len(drill_ids) <= 1:
            return [guarded(i) for i in drill_ids]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(drill_ids)), thread_name_prefix="drill") as pool:
            return list(pool.map(guarded, drill_ids))

    def _create_due(self, session: Session, now: datetime) -> int:
        # Schedules are locked while their occurrences are created, so a change of time or zone
        # made at the same moment by an admin is either wholly before this or wholly after it.
        if not any(due_occurrences(schedule, now) for schedule in schedules.all_schedules(session)):
            return 0
        stored = schedules.all_stored_schedules(session, for_update=True)
        served = drills.served_days(session, [s.schedule for s in stored], now)
        due = []
        for owned in stored:
            schedule = owned.schedule
            for occurrence in due_occurrences(schedule, now, served[schedule.channel_id]):
                due.append((schedule, owned.team_id, occurrence))
        existing = drills.existing_occurrences(session, [(s.channel_id, o.key) for s, _, o in due])
        created = 0
        for schedule, team_id, occurrence in due:
            if (schedule.channel_id, occurrence.key) in existing:
                continue
            # A drill is its schedule's workspace's: that workspace's token posts and reveals it.
            if now < occurrence.reveal_at:
                created += drills.create_drill(
                    session,
                    schedule.channel_id,
                    occurrence.key,
                    occurrence.post_at,
                    occurrence.reveal_at,
                    schedule.timezone,
                    now,
                    feedback=schedule.feedback,
                    team_id=team_id,
                )
            else:
                # The bot was not running between post and reveal time: say so in the record.
                drills.create_drill(
                    session,
                    schedule.channel_id,
                    occurrence.key,
                    occurrence.post_at,
                    occurrence.reveal_at,
                    schedule.timezone,
                    now,
                    status=DrillStatus.MISSED,
                    note="the bot was not running at post time",
                    team_id=team_id,
                )
        return created
