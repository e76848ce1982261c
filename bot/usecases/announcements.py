"""A drill's pre-reveal reminder and the channel's weekly digest, each posted exactly once.

Each is a `channel_posts` row, recorded once under a unique (channel, kind, key) constraint when it
falls due, then a plan handed to the outbox (see `outbox`), like the drill's own post: claimed with
a lease, sent after looking for an earlier message when an earlier attempt's outcome is unknown,
then finished, released or skipped. Recording and sending run in every replica's tick; the
constraint and the claim make one of them do it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.announcements import (
    DIGEST_GRACE,
    ChannelPostStatus,
    DigestDrill,
    Reminder,
    StreakLine,
    WeeklyDigest,
    coming_days,
    digest_due,
    digest_period,
    hardest_questions,
    is_stale,
    reminder_at,
    shorten,
    top_streaks,
    week_key,
)
from bot.domain.catalog import RoleCatalog
from bot.domain.drill import DrillStatus
from bot.domain.markup import to_plain
from bot.domain.schedule import Schedule
from bot.ports import ChatPort
from bot.store import answers, channel_posts, channel_records, drills, leases, schedule_changes, schedules
from bot.store.channel_posts import ChannelPost
from bot.store.db import to_db
from bot.usecases.delivery import question_of
from bot.usecases.outbox import Outbox, Send, Skip

log = logging.getLogger(__name__)

REMINDER = "reminder"
DIGEST = "digest"
# Why a digest was skipped when its period had no drill to show (the words rows have always been
# recorded with). Such a digest still closes its period: the next one starts from it. One skipped
# for any other reason (too late, refused by Slack) passes its drills on to the next.
NOTHING_TO_LIST = "no drill was shown this week"
MAX_DIGEST_DRILLS = 14  # two a day at most are listed; the rest are counted


def post_key(row: ChannelPost) -> str:
    """The message metadata key: how a retry finds what an earlier attempt may have posted."""
    return f"{row.kind}:{row.channel_id}:{row.key}"


def skipped(reason: str) -> dict[str, Any]:
    return {"status": ChannelPostStatus.SKIPPED, "last_error": reason[:200]}


class Announcements:
    def __init__(self, sessions: sessionmaker[Session], catalog: RoleCatalog, outbox: Outbox, name_of: Callable[[str, str], str]):
        self.sessions = sessions
        self.catalog = catalog
        self.outbox = outbox
        self.name_of = name_of  # (user id, team id) -> display name

    # ------------------------------------------------------------------ what is due

    def record_due(self, now: datetime) -> int:
        """Record the reminders and digests that are due at `now`; returns how many this call added.
        Any number of processes may do this at once: each row is inserted once."""
        added = 0
        with self.sessions.begin() as session:
            for drill_id, channel_id, posted_at, reveal_at, zone, remind, drill_team in channel_posts.reminder_candidates(session, now):
                instant = reminder_at(remind, posted_at, reveal_at, zone)
                if instant is not None and instant <= now:
                    # Late (the bot was down at the reminder time) is still useful before the reveal.
                    added += channel_posts.add_channel_post(
                        session, channel_id, REMINDER, str(drill_id), instant, now, drill_id=drill_id, team_id=drill_team
                    )
            for schedule in schedules.digest_schedules(session):
                assert schedule.digest is not None
                instant = digest_due(schedule.digest, schedule.timezone, now, schedule.effective_from)
                if instant is None or channel_posts.has_channel_post(
                    session, schedule.channel_id, DIGEST, week_key(instant, schedule.timezone)
                ):
                    continue
                team_id = schedules.schedule_team(session, schedule.channel_id)
                assert team_id is not None
                start, end = self._period(session, schedule, team_id, instant)
                if channel_posts.digest_unsettled(session, schedule.channel_id, start, end, team_id=team_id):
                    # Recorded on a later tick, once the drill is posted: a digest built now would
                    # leave it out, and the next one starts after it. Still unsettled when the grace
                    # period ends, this digest is not posted and the next one lists its drills.
                    continue
                added += channel_posts.add_channel_post(
                    session, schedule.channel_id, DIGEST, week_key(instant, schedule.timezone), instant, now, team_id=team_id
                )
        return added

    def _period(self, session: Session, schedule: Schedule, team_id: str, instant: datetime) -> tuple[datetime, datetime]:
        previous = channel_posts.previous_digest_at(session, schedule.channel_id, instant, NOTHING_TO_LIST, team_id=team_id)
        turned_on = previous is not None and schedule_changes.digest_turned_on_since(
            session, schedule.channel_id, previous, team_id=team_id
        )
        return digest_period(instant, schedule.timezone, previous, turned_on)

    # ------------------------------------------------------------------ sending one

    def send(self, post_id: int, now: datetime) -> bool:
        """Claim one due reminder or digest, then send it, adopt an earlier copy, or skip it."""
        # A digest's names come from users.info, which may take long when Slack is slow: they are
        # asked for before the claim, whose lease covers only the lookup and the post. A claim held
        # while waiting on them could run out, be taken over by another replica and posted twice.
        streaks = self._streak_lines(post_id)
        return self.outbox.send(
            leases.CHANNEL_POST, post_id, now, lambda session: self._plan(session, post_id, now, streaks or ())
        ).delivered

    def _plan(self, session: Session, post_id: int, now: datetime, streaks: tuple[StreakLine, ...]) -> Send | Skip:
        row = channel_posts.get_channel_post(session, post_id)
        assert row is not None
        planned = self._plan_reminder(session, row, now) if row.kind == REMINDER else self._plan_digest(session, row, now, streaks)
        if isinstance(planned, str):
            return Skip(planned, skipped(planned), post_key(row))
        return planned

    def _send(
        self,
        row: ChannelPost,
        now: datetime,
        call: Callable[[ChatPort], str],
        since: datetime,
        deadline: datetime,
        thread_ts: str | None = None,
    ) -> Send:
        return Send(
            subject=post_key(row),
            step="posting",
            team_id=row.team_id,
            channel_id=row.channel_id,
            call=call,
            sent=lambda ts: {
                "status": ChannelPostStatus.SENT,
                "message_ts": ts,
                "sent_at": to_db(now),
                "last_error": None,
                "next_attempt_at": None,
            },
            give_up=skipped,
            key=post_key(row),
            look_first=row.attempts > 1,
            since=since,
            thread_ts=thread_ts,
            deadline=deadline,
        )

    # ------------------------------------------------------------------ the reminder

    def _plan_reminder(self, session: Session, row: ChannelPost, now: datetime) -> Send | str:
        drill = drills.get_drill(session, row.drill_id) if row.drill_id is not None else None
        if drill is None or drill.message_ts is None:
            return "its drill is gone"
        if drill.status != DrillStatus.POSTED:
            return f"its drill is {drill.status}"  # revealed (or being revealed) already, or missed
        reveal_at = drill.reveal_at
        if now >= reveal_at:
            return "its drill's reveal time has come"
        reminder = Reminder(left=reveal_at - now, reveal_at=reveal_at, timezone=drill.timezone)
        channel_id, thread_ts, key = drill.channel_id, drill.message_ts, post_key(row)
        return self._send(
            row, now, lambda chat: chat.post_reminder(channel_id, thread_ts, reminder, key), drill.post_at, reveal_at, thread_ts
        )

    # ------------------------------------------------------------------ the digest

    def _streak_lines(self, post_id: int) -> tuple[StreakLine, ...] | None:
        """The channel's longest current streaks by display name, for a digest still to be sent;
        None for anything else. Read in a session of its own, closed before Slack is asked."""
        with self.sessions() as session:
            row = channel_posts.get_channel_post(session, post_id)
            if row is None or row.kind != DIGEST or row.status not in (ChannelPostStatus.PENDING, ChannelPostStatus.SENDING):
                return None
            streaks = top_streaks(answers.current_streaks(session, row.channel_id, team_id=row.team_id))
            team_id = row.team_id
        return tuple(StreakLine(self.name_of(user, team_id), n) for user, n in streaks)

    def _plan_digest(self, session: Session, row: ChannelPost, now: datetime, streaks: tuple[StreakLine, ...]) -> Send | str:
        due_at = row.due_at
        if is_stale(due_at, now) and row.attempts <= 1:
            return "too late for this week's digest"
        stored = schedules.get_schedule(session, row.channel_id)
        if stored is None or stored.team_id != row.team_id:
            return "the channel's schedule was removed"
        schedule = stored.schedule
        if schedule.digest is None:
            return "the channel's digest was turned off"
        start, end = self._period(session, schedule, row.team_id, due_at)
        period_drills = drills.week_drills(session, row.channel_id, start, end, team_id=row.team_id)
        answered = channel_records.participant_counts(session, [d.id for d in period_drills], team_id=row.team_id)
        listed: list[tuple[int, DigestDrill]] = []
        for drill in period_drills:
            role = self.catalog.for_team(team_id=row.team_id).by_slug(drill.role_slug or "")
            question = question_of(role, drill.question_id, drill.question_number)
            if role is None or question is None or drill.message_ts is None:
                continue  # a role removed from the content since: nothing to title it with
            listed.append(
                (
                    drill.id,
                    DigestDrill(
                        role_title=role.short_title or role.title,
                        number=question.number,
                        question=shorten(to_plain(question.text)),
                        posted_at=drill.posted_at or drill.post_at,
                        message_ts=drill.message_ts,
                        answered=answered.get(drill.id, 0),
                        extra=drill.occurrence.startswith("now:"),
                    ),
                )
            )
        if not listed:
            return NOTHING_TO_LIST
        ratings = channel_records.drill_ratings(session, [drill_id for drill_id, _ in listed], team_id=row.team_id)
        hardest = hardest_questions(listed, ratings)
        channel_id, key, week = row.channel_id, post_key(row), row.key
        shown = tuple(d for _, d in listed)

        def send(chat: ChatPort) -> str:
            digest = WeeklyDigest(
                channel_id=channel_id,
                week=week,
                start=start,
                end=end,
                timezone=schedule.timezone,
                drills=shown[:MAX_DIGEST_DRILLS],
                more_drills=max(0, len(shown) - MAX_DIGEST_DRILLS),
                hardest=hardest,
                streaks=streaks,
                coming=coming_days(schedule, due_at),
                paused=schedule.paused,
            )
            return chat.post_digest(channel_id, digest, key)

        # A retry may look for what an earlier attempt posted even when late; nothing new is posted
        # past the grace period.
        return self._send(row, now, send, due_at, due_at + DIGEST_GRACE)
