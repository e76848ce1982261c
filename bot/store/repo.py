"""Repository functions: each takes a Session and speaks in domain types where it can."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain.rotation import Deck
from bot.domain.schedule import Schedule, days_setting, parse_clock, parse_days, parse_reveal
from bot.store.db import to_db, utc
from bot.store.models import DrillRow, ReplyRow, ScheduleChangeRow, ScheduleRow

OPEN_STATUSES = ("posted", "revealing")
SHOWN_STATUSES = ("posted", "revealing", "revealed")


def insert_ignore(session: Session, model, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True if this call inserted the row."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING rather than rowcount: psycopg reports -1 for INSERT … ON CONFLICT here.
    result = session.execute(insert(model).values(**values).on_conflict_do_nothing().returning(model.id))
    return result.first() is not None


# ----------------------------------------------------------------------------- schedules


def to_schedule(row: ScheduleRow) -> Schedule:
    return Schedule(
        channel_id=row.channel_id,
        role=row.role,
        post_time=parse_clock(row.post_time),
        timezone=row.timezone,
        days=parse_days(row.days),
        reveal=parse_reveal(row.reveal),
        skip_dates=frozenset(date.fromisoformat(d) for d in row.skip_dates.split(",") if d),
        paused=row.paused,
        effective_from=utc(row.effective_from),  # type: ignore[arg-type]
    )


def schedule_setting(schedule: Schedule) -> str:
    """A compact, human-readable form for the change history."""
    text = f"{schedule.role} {schedule.post_time:%H:%M} tz={schedule.timezone} days={days_setting(schedule.days)} reveal={schedule.reveal}"
    if schedule.skip_dates:
        text += " skip=" + ",".join(sorted(d.isoformat() for d in schedule.skip_dates))
    if schedule.paused:
        text += " (paused)"
    return text


def get_schedule_row(session: Session, channel_id: str, for_update: bool = False) -> ScheduleRow | None:
    query = select(ScheduleRow).where(ScheduleRow.channel_id == channel_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def all_schedule_rows(session: Session) -> Sequence[ScheduleRow]:
    return session.scalars(select(ScheduleRow).order_by(ScheduleRow.channel_id)).all()


def save_schedule(session: Session, schedule: Schedule, user_id: str, now: datetime, keep_deck: bool) -> ScheduleRow:
    row = get_schedule_row(session, schedule.channel_id, for_update=True)
    if row is None:
        row = ScheduleRow(channel_id=schedule.channel_id, deck="", deck_position=0)
        session.add(row)
    row.role = schedule.role
    row.post_time = schedule.post_time.strftime("%H:%M")
    row.timezone = schedule.timezone
    row.days = days_setting(schedule.days)
    row.reveal = str(schedule.reveal)
    row.skip_dates = ",".join(sorted(d.isoformat() for d in schedule.skip_dates))
    row.paused = schedule.paused
    row.effective_from = to_db(schedule.effective_from)
    row.updated_by = user_id
    row.updated_at = to_db(now)
    if not keep_deck:
        row.deck, row.deck_position = "", 0
    session.flush()
    return row


def record_change(session: Session, channel_id: str, user_id: str, now: datetime, action: str, before: str, after: str) -> None:
    session.add(ScheduleChangeRow(channel_id=channel_id, user_id=user_id, at=to_db(now), action=action, before=before, after=after))


def recent_changes(session: Session, channel_id: str, limit: int = 10) -> Sequence[ScheduleChangeRow]:
    query = (
        select(ScheduleChangeRow)
        .where(ScheduleChangeRow.channel_id == channel_id)
        .order_by(ScheduleChangeRow.at.desc(), ScheduleChangeRow.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def deck_of(row: ScheduleRow) -> Deck:
    return Deck(tuple(c for c in row.deck.split(",") if c), row.deck_position)


def store_deck(row: ScheduleRow, deck: Deck) -> None:
    row.deck = ",".join(deck.cards)
    row.deck_position = deck.position


# ----------------------------------------------------------------------------- drills


def existing_occurrences(session: Session, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    if not keys:
        return set()
    channels = {c for c, _ in keys}
    occurrences = {o for _, o in keys}
    rows = session.execute(
        select(DrillRow.channel_id, DrillRow.occurrence).where(DrillRow.channel_id.in_(channels), DrillRow.occurrence.in_(occurrences))
    ).all()
    return {(r[0], r[1]) for r in rows}


def create_drill(session: Session, channel_id: str, occurrence: str, post_at: datetime, reveal_at: datetime, timezone: str, now: datetime, status: str = "pending", note: str | None = None) -> bool:
    return insert_ignore(
        session,
        DrillRow,
        {
            "channel_id": channel_id,
            "occurrence": occurrence,
            "status": status,
            "post_at": to_db(post_at),
            "reveal_at": to_db(reveal_at),
            "timezone": timezone,
            "attempts": 0,
            "last_error": note,
            "created_at": to_db(now),
        },
    )


def mark_overdue_missed(session: Session, now: datetime) -> int:
    """A drill never attempted before its reveal time is recorded as missed, never silently
    dropped. One that was attempted goes through `post`, which first looks for what reached Slack."""
    result = session.execute(
        update(DrillRow)
        .where(DrillRow.reveal_at <= to_db(now), DrillRow.status == "pending", DrillRow.attempts == 0)
        .values(status="missed", last_error=func.coalesce(DrillRow.last_error, "not posted before its reveal time"))
    )
    return result.rowcount


def postable_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    query = (
        select(DrillRow.id)
        .where(
            DrillRow.post_at <= to_db(now),
            or_(DrillRow.reveal_at > to_db(now), DrillRow.attempts > 0),
            or_(DrillRow.status == "pending", and_(DrillRow.status == "posting", DrillRow.claimed_at < to_db(lease_cutoff))),
        )
        .order_by(DrillRow.post_at, DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def revealable_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    query = (
        select(DrillRow.id)
        .where(
            DrillRow.reveal_at <= to_db(now),
            or_(DrillRow.status == "posted", and_(DrillRow.status == "revealing", DrillRow.claimed_at < to_db(lease_cutoff))),
        )
        .order_by(DrillRow.reveal_at, DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim(session: Session, drill_id: int, from_status: str, to_status: str, owner: str, now: datetime, lease_cutoff: datetime, counter: str = "attempts") -> bool:
    """Move a drill into a working state if nobody holds it (or their lease has run out).

    The conditional UPDATE is atomic in both SQLite and PostgreSQL: of several processes racing for
    the same drill exactly one sees rowcount 1."""
    result = session.execute(
        update(DrillRow)
        .where(
            DrillRow.id == drill_id,
            or_(DrillRow.status == from_status, and_(DrillRow.status == to_status, DrillRow.claimed_at < to_db(lease_cutoff))),
        )
        .values({"status": to_status, "claimed_by": owner, "claimed_at": to_db(now), counter: getattr(DrillRow, counter) + 1})
    )
    return result.rowcount == 1


def finish(session: Session, drill_id: int, owner: str, from_status: str, **values: Any) -> bool:
    result = session.execute(
        update(DrillRow).where(DrillRow.id == drill_id, DrillRow.status == from_status, DrillRow.claimed_by == owner).values(**values)
    )
    return result.rowcount == 1


def drill_by_thread(session: Session, channel_id: str, thread_ts: str) -> DrillRow | None:
    return session.scalars(
        select(DrillRow).where(DrillRow.channel_id == channel_id, DrillRow.message_ts == thread_ts, DrillRow.status.in_(SHOWN_STATUSES))
    ).first()


def latest_open_drill(session: Session, channel_id: str) -> DrillRow | None:
    return session.scalars(
        select(DrillRow).where(DrillRow.channel_id == channel_id, DrillRow.status.in_(("pending", "posting", *OPEN_STATUSES))).order_by(DrillRow.post_at.desc(), DrillRow.id.desc())
    ).first()


# ----------------------------------------------------------------------------- replies


def add_reply(session: Session, drill_id: int, message_ts: str, user_id: str, at: datetime, late: bool) -> bool:
    return insert_ignore(
        session,
        ReplyRow,
        {"drill_id": drill_id, "message_ts": message_ts, "user_id": user_id, "replied_at": to_db(at), "late": late, "deleted": False},
    )


def delete_reply(session: Session, drill_id: int, message_ts: str) -> None:
    if not insert_ignore(session, ReplyRow, {"drill_id": drill_id, "message_ts": message_ts, "user_id": None, "replied_at": None, "late": False, "deleted": True}):
        session.execute(update(ReplyRow).where(ReplyRow.drill_id == drill_id, ReplyRow.message_ts == message_ts).values(deleted=True))


def participants(session: Session, drill_id: int) -> list[str]:
    rows = session.execute(
        select(ReplyRow.user_id, func.min(ReplyRow.replied_at))
        .where(ReplyRow.drill_id == drill_id, ReplyRow.deleted.is_(False), ReplyRow.late.is_(False), ReplyRow.user_id.is_not(None))
        .group_by(ReplyRow.user_id)
        .order_by(func.min(ReplyRow.replied_at))
    ).all()
    return [r[0] for r in rows]


def answered_drill_ids(session: Session, user_id: str) -> list[tuple[int, str]]:
    rows = session.execute(
        select(ReplyRow.drill_id, DrillRow.channel_id)
        .join(DrillRow, DrillRow.id == ReplyRow.drill_id)
        .where(ReplyRow.user_id == user_id, ReplyRow.deleted.is_(False))
        .distinct()
    ).all()
    return [(r[0], r[1]) for r in rows]


def shown_drills(session: Session, channel_id: str, limit: int = 400) -> list[DrillRow]:
    return list(
        session.scalars(
            select(DrillRow)
            .where(DrillRow.channel_id == channel_id, DrillRow.status.in_(SHOWN_STATUSES))
            .order_by(DrillRow.post_at.desc(), DrillRow.id.desc())
            .limit(limit)
        )
    )


def delete_schedule(session: Session, channel_id: str) -> None:
    session.execute(delete(ScheduleRow).where(ScheduleRow.channel_id == channel_id))
