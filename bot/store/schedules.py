"""Channels' drill schedules: the settings, whose they are, and the shuffled deck a rotation draws from.

A channel has one schedule whichever workspace set it (a Slack Connect channel is shared, and two
schedules would post every drill twice). Use-cases read a schedule as a `StoredSchedule` and change
it through the functions here; the row itself stays in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.domain.role import Level
from bot.domain.rotation import Deck
from bot.domain.schedule import Digest, Remind, Reveal, Schedule
from bot.store.db import aware, to_db, utc
from bot.store.models import ScheduleRow, WorkspaceRow


@dataclass(frozen=True)
class StoredSchedule:
    """A channel's schedule as stored: its settings, the workspace that owns it, who last changed
    it and when (the version a form hands back), and where its rotation stands."""

    schedule: Schedule
    team_id: str
    updated_by: str
    updated_at: datetime
    deck: Deck


def to_schedule(row: ScheduleRow) -> Schedule:
    offset = row.reveal_offset_minutes
    return Schedule(
        channel_id=row.channel_id,
        role=row.role,
        post_time=row.post_time,
        timezone=row.timezone,
        days=frozenset(row.days),
        reveal=Reveal(at=row.reveal_time) if row.reveal_time is not None else Reveal(offset=timedelta(minutes=offset or 0)),
        skip_dates=frozenset(date.fromisoformat(d) for d in row.skip_dates),
        paused=row.paused,
        paused_reason=row.paused_reason if row.paused else None,
        all_questions=bool(row.all_questions),
        order=row.question_order or "rotation",
        feedback=bool(row.feedback),
        levels=frozenset(level for text in (row.levels or ()) if (level := Level.parse(text)) is not None),
        common_every=row.common_every or 0,
        remind=to_remind(row.remind_before_minutes, row.remind_time),
        digest=Digest(day=row.digest_day, at=row.digest_time) if row.digest_day is not None and row.digest_time is not None else None,
        effective_from=utc(row.effective_from),  # type: ignore[arg-type]
    )


def to_stored(row: ScheduleRow) -> StoredSchedule:
    return StoredSchedule(to_schedule(row), row.team_id, row.updated_by, aware(row.updated_at), deck_of(row))


def to_remind(before_minutes: int | None, at: time | None) -> Remind | None:
    if at is not None:
        return Remind(at=at)
    if before_minutes:
        return Remind(before=timedelta(minutes=before_minutes))
    return None


def deck_of(row: ScheduleRow) -> Deck:
    return Deck(tuple(row.deck), row.deck_position)


def get_schedule_row(session: Session, channel_id: str, for_update: bool = False) -> ScheduleRow | None:
    """The row itself: for this store's own writes, and for tests that read a column."""
    query = select(ScheduleRow).where(ScheduleRow.channel_id == channel_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def get_schedule(session: Session, channel_id: str, for_update: bool = False) -> StoredSchedule | None:
    """The channel's schedule; `for_update` locks it until the transaction ends."""
    row = get_schedule_row(session, channel_id, for_update)
    return to_stored(row) if row is not None else None


def all_schedules(session: Session, for_update: bool = False) -> list[Schedule]:
    """Every workspace's schedules, by channel."""
    return [stored.schedule for stored in all_stored_schedules(session, for_update)]


def all_stored_schedules(session: Session, for_update: bool = False) -> list[StoredSchedule]:
    """Every workspace's schedules, by channel, each with the workspace that owns it: what the
    scheduler's tick creates drills for."""
    query = select(ScheduleRow).order_by(ScheduleRow.channel_id)
    if for_update:
        query = query.with_for_update()
    return [to_stored(row) for row in session.scalars(query).all()]


def team_schedules(session: Session, for_update: bool = False, *, team_id: str) -> list[Schedule]:
    """One workspace's schedules, by channel."""
    query = select(ScheduleRow).where(ScheduleRow.team_id == team_id).order_by(ScheduleRow.channel_id)
    if for_update:
        query = query.with_for_update()
    return [to_schedule(row) for row in session.scalars(query).all()]


def save_schedule(
    session: Session, schedule: Schedule, user_id: str, now: datetime, keep_deck: bool, *, team_id: str, enterprise_id: str | None = None
) -> None:
    """Create or update the channel's schedule. A new one belongs to `team_id`; an update never
    moves a schedule to another workspace (a shared channel has one schedule, its creator's)."""
    row = get_schedule_row(session, schedule.channel_id, for_update=True)
    if row is None:
        row = ScheduleRow(channel_id=schedule.channel_id, team_id=team_id, enterprise_id=enterprise_id, deck=[], deck_position=0)
        session.add(row)
    row.role = schedule.role
    row.post_time = schedule.post_time
    row.timezone = schedule.timezone
    row.days = sorted(schedule.days)
    row.reveal_time = schedule.reveal.at
    row.reveal_offset_minutes = int(schedule.reveal.offset.total_seconds() // 60) if schedule.reveal.offset is not None else None
    row.skip_dates = sorted(d.isoformat() for d in schedule.skip_dates)
    row.paused = schedule.paused
    row.paused_reason = schedule.paused_reason if schedule.paused else None
    if row.paused_reason is None:
        row.paused_notified_at = None  # running again (or paused by a person): a new pause is told anew
    row.all_questions = schedule.all_questions
    row.question_order = schedule.order
    row.feedback = schedule.feedback
    row.levels = [level.value for level in Level if level in schedule.levels]
    row.common_every = schedule.common_every
    remind = schedule.remind
    row.remind_time = remind.at if remind else None
    row.remind_before_minutes = int(remind.before.total_seconds() // 60) if remind and remind.before is not None else None
    row.digest_day = schedule.digest.day if schedule.digest else None
    row.digest_time = schedule.digest.at if schedule.digest else None
    row.effective_from = to_db(schedule.effective_from)
    row.updated_by = user_id
    row.updated_at = to_db(now)
    if not keep_deck:
        row.deck, row.deck_position = [], 0
    session.flush()


def store_deck(session: Session, channel_id: str, deck: Deck, *, team_id: str) -> None:
    """Where the rotation of the workspace's schedule of the channel stands after a draw."""
    session.execute(
        update(ScheduleRow)
        .where(ScheduleRow.channel_id == channel_id, ScheduleRow.team_id == team_id)
        .values(deck=list(deck.cards), deck_position=deck.position)
    )


def pause_gone_channel(session: Session, channel_id: str, reason: str, now: datetime, *, team_id: str) -> str | None:
    """Pause the channel's schedule (the workspace's own) because Slack says the channel is gone.
    Returns the admin to tell, once per such pause (the first caller claims it), or None."""
    row = get_schedule_row(session, channel_id, for_update=True)
    if row is None or row.team_id != team_id:
        return None
    row.paused = True
    row.paused_reason = row.paused_reason or reason[:64]
    if row.paused_notified_at is not None:
        return None
    row.paused_notified_at = to_db(now)
    session.flush()
    return row.updated_by


def unclaim_pause_notice(session: Session, channel_id: str, *, team_id: str) -> None:
    """The admin could not be told: a later failure in the channel may try again."""
    session.execute(
        update(ScheduleRow).where(ScheduleRow.channel_id == channel_id, ScheduleRow.team_id == team_id).values(paused_notified_at=None)
    )


def schedule_team(session: Session, channel_id: str) -> str | None:
    """The workspace of the channel's schedule, if it has one."""
    return session.scalar(select(ScheduleRow.team_id).where(ScheduleRow.channel_id == channel_id))


def delete_schedule(session: Session, channel_id: str) -> None:
    session.execute(delete(ScheduleRow).where(ScheduleRow.channel_id == channel_id))


def digest_schedules(session: Session) -> list[Schedule]:
    """Schedules with a weekly digest, but none of a workspace that uninstalled the app: a paused
    schedule still gets its digest, and there is nobody to post it."""
    gone = select(WorkspaceRow.team_id).where(WorkspaceRow.uninstalled_at.is_not(None))
    rows = session.scalars(
        select(ScheduleRow)
        .where(ScheduleRow.digest_day.is_not(None), ScheduleRow.digest_time.is_not(None), ScheduleRow.team_id.not_in(gone))
        .order_by(ScheduleRow.channel_id)
    ).all()
    return [to_schedule(row) for row in rows]


def channel_zone(session: Session, channel_id: str, *, team_id: str) -> str | None:
    """The time zone of the channel's schedule, if it has one set by this workspace."""
    return session.scalar(select(ScheduleRow.timezone).where(ScheduleRow.channel_id == channel_id, ScheduleRow.team_id == team_id))
