"""Use-cases of the daily drill: create due occurrences, post, record replies, reveal.

The database is the source of truth. `tick(now)` is safe to call from any number of processes at
once: each occurrence is one row under a unique (channel, occurrence) constraint, and every step
that talks to Slack is claimed first with a conditional UPDATE, so a question is posted once and
revealed once. A claim carries a lease: if its process dies mid-step, another takes over after the
lease has run out.
"""

from __future__ import annotations

import logging
import os
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.catalog import RoleCatalog
from bot.domain.drill import DrillPost, DrillReveal, Stats
from bot.domain.rotation import Card, draw
from bot.domain.schedule import due_occurrences
from bot.store import repo
from bot.store.db import utc
from bot.store.models import DrillRow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
# Slack errors that retrying will not fix: the drill is recorded as missed and the admin told why.
PERMANENT_ERRORS = {"not_in_channel", "channel_not_found", "is_archived", "invalid_auth", "account_inactive", "restricted_action"}


class ChatError(Exception):
    def __init__(self, code: str, retryable: bool = True):
        super().__init__(code)
        self.code = code
        self.retryable = retryable and code not in PERMANENT_ERRORS


class ChatPort(Protocol):
    """What the drill needs from a chat service; the Slack adapter and the console implement it.

    Every drill message carries its `key` so that, after an attempt whose outcome is unknown (a
    timeout, a 5xx, a crash between posting and recording), the drill can look for what it already
    posted instead of posting again."""

    def post_question(self, channel_id: str, post: DrillPost, key: str) -> str: ...

    def post_reveal(self, channel_id: str, thread_ts: str, reveal: DrillReveal, key: str) -> str: ...

    def find_posted(self, channel_id: str, key: str, since: datetime, thread_ts: str | None = None) -> str | None: ...

    def mark_revealed(self, channel_id: str, ts: str, post: DrillPost) -> None: ...

    def notify(self, user_id: str, text: str) -> None: ...


def message_key(drill: DrillRow, kind: str) -> str:
    return f"{kind}:{drill.channel_id}:{drill.occurrence}"


@dataclass
class TickReport:
    created: int = 0
    missed: int = 0
    posted: list[int] = field(default_factory=list)
    revealed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


class DrillService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalog: RoleCatalog,
        chat: ChatPort,
        rng: random.Random | None = None,
        owner: str = "bot",
        lease: timedelta = LEASE,
        workers: int = 16,
    ):
        self.sessions = sessions
        self.catalog = catalog
        self.chat = chat
        self.rng = rng or random.Random()
        self._owner = owner
        self.lease = lease
        self.workers = workers
        self._tick_lock = threading.Lock()

    @property
    def owner(self) -> str:
        # Per process: gunicorn forks workers from one preloaded service object.
        return f"{self._owner}:{os.getpid()}"

    # ------------------------------------------------------------------ the tick

    def tick(self, now: datetime) -> TickReport:
        """Do everything that is due at `now`. Overlapping ticks in one process are skipped."""
        report = TickReport()
        if not self._tick_lock.acquire(blocking=False):
            return report
        try:
            cutoff = now - self.lease
            with self.sessions.begin() as session:
                report.created = self._create_due(session, now)
                report.missed = repo.mark_overdue_missed(session, now)
            self._in_batches(repo.postable_ids, self.post, now, report.posted, report.failed)
            self._in_batches(repo.revealable_ids, self.reveal, now, report.revealed, report.failed)
        finally:
            self._tick_lock.release()
        if report.posted or report.revealed or report.missed or report.failed:
            log.info(
                "drill tick: %d posted, %d revealed, %d missed, %d to retry",
                len(report.posted), len(report.revealed), report.missed, len(report.failed),
            )
        return report

    def _in_batches(self, due_ids, step, now: datetime, done: list[int], failed: list[int], batch: int = 500) -> None:
        """Work through everything due now, a batch at a time, so a thousand channels at 09:00 do
        not wait a tick for the second half. A drill is tried at most once per tick."""
        tried: set[int] = set()
        for _ in range(20):  # bounded: 10,000 drills a tick
            with self.sessions() as session:
                found = due_ids(session, now, now - self.lease, limit=batch)
            fresh = [i for i in found if i not in tried]
            for drill_id, ok in zip(fresh, self._each(step, fresh, now)):
                (done if ok else failed).append(drill_id)
            tried.update(fresh)
            if len(found) < batch or not fresh:
                return

    def _each(self, step: Callable[[int, datetime], bool], drill_ids: list[int], now: datetime) -> list[bool]:
        """Run a step for many drills with bounded concurrency: 09:00 in a thousand channels should
        not mean a thousand Web API calls one after another. Each drill is a different channel, so
        Slack's one-message-per-second-per-channel limit is not pressed."""

        def guarded(drill_id: int) -> bool:
            try:
                return step(drill_id, now)
            except Exception:  # noqa: BLE001 - one drill's failure must not stop the others
                log.exception("drill %s: %s failed; its claim expires and it is retried", drill_id, step.__name__)
                return False

        if self.workers <= 1 or len(drill_ids) <= 1:
            return [guarded(i) for i in drill_ids]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(drill_ids)), thread_name_prefix="drill") as pool:
            return list(pool.map(guarded, drill_ids))

    def _create_due(self, session: Session, now: datetime) -> int:
        due = []
        for row in repo.all_schedule_rows(session):
            schedule = repo.to_schedule(row)
            for occurrence in due_occurrences(schedule, now):
                due.append((schedule, occurrence))
        existing = repo.existing_occurrences(session, [(s.channel_id, o.key) for s, o in due])
        created = 0
        for schedule, occurrence in due:
            if (schedule.channel_id, occurrence.key) in existing:
                continue
            if now < occurrence.reveal_at:
                created += repo.create_drill(session, schedule.channel_id, occurrence.key, occurrence.post_at, occurrence.reveal_at, schedule.timezone, now)
            else:
                # The bot was not running between post and reveal time: say so in the record.
                repo.create_drill(
                    session, schedule.channel_id, occurrence.key, occurrence.post_at, occurrence.reveal_at,
                    schedule.timezone, now, status="missed", note="the bot was not running at post time",
                )
        return created

    # ------------------------------------------------------------------ posting

    def post(self, drill_id: int, now: datetime) -> bool:
        cutoff = now - self.lease
        with self.sessions.begin() as session:
            if not repo.claim(session, drill_id, "pending", "posting", self.owner, now, cutoff):
                return False
            drill = session.get(DrillRow, drill_id)
            assert drill is not None
            if drill.question_number is None and not self._choose_question(session, drill):
                drill.status, drill.last_error = "missed", "no role or questions to ask"
                return False
            post = self._post_view(drill)
            channel_id, key, retry = drill.channel_id, message_key(drill, "question"), drill.attempts > 1
            post_at, reveal_at = utc(drill.post_at), utc(drill.reveal_at)
        if post is None:
            return self._give_up(drill_id, "posting", "the role of this drill is no longer in the content")
        try:
            # An earlier attempt may have reached Slack without us hearing back: look before posting.
            ts = self.chat.find_posted(channel_id, key, since=post_at) if retry else None  # type: ignore[arg-type]
            if ts is not None:
                log.info("drill %s: found its earlier post %s in %s; not posting again", drill_id, ts, channel_id)
            if ts is None and now >= reveal_at:  # type: ignore[operator]
                return self._give_up(drill_id, "posting", "not posted before its reveal time")
            if ts is None:
                ts = self.chat.post_question(channel_id, post, key)
        except ChatError as err:
            return self._post_failed(drill_id, channel_id, err)
        with self.sessions.begin() as session:
            if not repo.finish(session, drill_id, self.owner, "posting", status="posted", message_ts=ts, posted_at=repo.to_db(now), last_error=None):
                log.error("drill %s was posted (ts %s) but its claim had been taken over", drill_id, ts)
        return True

    def _choose_question(self, session: Session, drill: DrillRow) -> bool:
        row = repo.get_schedule_row(session, drill.channel_id, for_update=True)
        if row is None:
            return False
        roles = self.catalog.roles if row.role == "all" else tuple(r for r in (self.catalog.by_slug(row.role),) if r)
        available = [Card(r.slug, q.number) for r in roles for q in r.questions]
        if not available:
            return False
        card, deck = draw(repo.deck_of(row), available, self.rng)
        repo.store_deck(row, deck)
        role = self.catalog.by_slug(card.slug)
        assert role is not None
        drill.role_slug, drill.question_number, drill.question_total = card.slug, card.number, len(role.questions)
        return True

    def _post_view(self, drill: DrillRow, revealed: bool = False) -> DrillPost | None:
        role = self.catalog.by_slug(drill.role_slug or "")
        question = role.question(drill.question_number or 0) if role else None
        if role is None or question is None:
            return None
        return DrillPost(
            role_slug=role.slug,
            role_title=role.short_title or role.title,
            number=question.number,
            total=len(role.questions),
            question=question.text,
            reveal_at=utc(drill.reveal_at),  # type: ignore[arg-type]
            timezone=drill.timezone,
            revealed=revealed,
        )

    def _post_failed(self, drill_id: int, channel_id: str, err: ChatError) -> bool:
        if err.retryable:
            log.warning("posting drill %s in %s failed (%s); it will be retried on the next tick", drill_id, channel_id, err.code)
            with self.sessions.begin() as session:
                repo.finish(session, drill_id, self.owner, "posting", status="pending", claimed_by=None, claimed_at=None, last_error=err.code[:200])
            return False
        self._give_up(drill_id, "posting", err.code)
        self._tell_admin(channel_id, err.code)
        return False

    def _give_up(self, drill_id: int, from_status: str, reason: str) -> bool:
        log.error("drill %s recorded as missed: %s", drill_id, reason)
        with self.sessions.begin() as session:
            repo.finish(session, drill_id, self.owner, from_status, status="missed", last_error=reason[:200])
        return False

    def _tell_admin(self, channel_id: str, code: str) -> None:
        with self.sessions() as session:
            row = repo.get_schedule_row(session, channel_id)
            admin = row.updated_by if row else None
        if not admin:
            return
        if code in ("not_in_channel", "channel_not_found"):
            text = (
                f"<#{channel_id}> に今日のドリルを投稿できませんでした。ボットがチャンネルに参加していません。"
                f"チャンネルで `/invite @career-drill` を実行してボットを招待してください。"
            )
        else:
            text = f"<#{channel_id}> に今日のドリルを投稿できませんでした（{code}）。"
        try:
            self.chat.notify(admin, text)
        except ChatError as err:
            log.warning("could not tell %s that the drill failed in %s (%s)", admin, channel_id, err.code)

    # ------------------------------------------------------------------ revealing

    def reveal(self, drill_id: int, now: datetime) -> bool:
        cutoff = now - self.lease
        with self.sessions.begin() as session:
            if not repo.claim(session, drill_id, "posted", "revealing", self.owner, now, cutoff, counter="reveal_attempts"):
                return False
            drill = session.get(DrillRow, drill_id)
            assert drill is not None
            post = self._post_view(drill, revealed=True)
            channel_id, ts, key = drill.channel_id, drill.message_ts, message_key(drill, "reveal")
            retry, post_at = drill.reveal_attempts > 1, utc(drill.post_at)
            people = tuple(repo.participants(session, drill_id))
        if post is None or ts is None:
            return self._give_up(drill_id, "revealing", "the question of this drill is no longer in the content")
        role = self.catalog.by_slug(post.role_slug)
        question = role.question(post.number) if role else None
        reveal = DrillReveal(post=post, answer_points=question.answer_points if question else (), participants=people)
        try:
            reveal_ts = self.chat.find_posted(channel_id, key, since=post_at, thread_ts=ts) if retry else None  # type: ignore[arg-type]
            if reveal_ts is not None:
                log.info("drill %s: found its earlier reveal %s in %s; not revealing again", drill_id, reveal_ts, channel_id)
            else:
                reveal_ts = self.chat.post_reveal(channel_id, ts, reveal, key)
        except ChatError as err:
            log.warning("revealing drill %s in %s failed (%s); it will be retried on the next tick", drill_id, channel_id, err.code)
            with self.sessions.begin() as session:
                repo.finish(session, drill_id, self.owner, "revealing", status="posted", claimed_by=None, claimed_at=None, last_error=err.code[:200])
            return False
        with self.sessions.begin() as session:
            repo.finish(session, drill_id, self.owner, "revealing", status="revealed", revealed_at=repo.to_db(now), reveal_ts=reveal_ts, last_error=None)
        try:
            self.chat.mark_revealed(channel_id, ts, post)
        except ChatError as err:  # cosmetic: the reveal itself is already in the thread
            log.warning("could not mark drill %s as revealed in %s (%s)", drill_id, channel_id, err.code)
        return True

    # ------------------------------------------------------------------ replies

    def record_reply(self, channel_id: str, thread_ts: str, message_ts: str, user_id: str, at: datetime) -> bool:
        """Count a thread reply once, however often Slack delivers it. True if it was new."""
        with self.sessions.begin() as session:
            drill = repo.drill_by_thread(session, channel_id, thread_ts)
            if drill is None:
                return False
            late = drill.status == "revealed" or at >= utc(drill.reveal_at)  # type: ignore[operator]
            return repo.add_reply(session, drill.id, message_ts, user_id, at, late)

    def remove_reply(self, channel_id: str, thread_ts: str, message_ts: str) -> bool:
        with self.sessions.begin() as session:
            drill = repo.drill_by_thread(session, channel_id, thread_ts)
            if drill is None:
                return False
            repo.delete_reply(session, drill.id, message_ts)
            return True

    # ------------------------------------------------------------------ stats

    def stats(self, user_id: str, channel_id: str) -> Stats:
        with self.sessions() as session:
            answered = repo.answered_drill_ids(session, user_id)
            drills = repo.shown_drills(session, channel_id)
        answered_ids = {drill_id for drill_id, _ in answered}
        streak = 0
        for index, drill in enumerate(drills):
            if drill.id in answered_ids:
                streak += 1
            elif index == 0 and drill.status != "revealed":
                continue  # today's drill is still open: not answering yet does not break the streak
            else:
                break
        return Stats(
            answered=len(answered_ids),
            answered_here=sum(1 for _, c in answered if c == channel_id),
            streak=streak,
            drills_here=len(drills),
        )

