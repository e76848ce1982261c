"""Tables. Times are stored as naive UTC; `bot.store.db.utc` turns them back into aware datetimes."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, Boolean, DateTime, Enum, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.domain.drill import DrillStatus


class Base(DeclarativeBase):
    pass


class ScheduleRow(Base):
    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), unique=True)
    role: Mapped[str] = mapped_column(String(64))
    post_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))
    days: Mapped[list[int]] = mapped_column(JSON)  # weekday numbers, Monday = 0
    reveal_time: Mapped[time | None] = mapped_column(Time, nullable=True)  # reveal at a clock time …
    reveal_offset_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)  # … or this long after the post
    skip_dates: Mapped[list[str]] = mapped_column(JSON)  # ISO dates
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    all_questions: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    effective_from: Mapped[datetime] = mapped_column(DateTime)
    deck: Mapped[list[str]] = mapped_column(JSON)  # "slug#n" cards in the order they are drawn
    deck_position: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ScheduleChangeRow(Base):
    __tablename__ = "schedule_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")


class DrillRow(Base):
    """One occurrence of a channel's drill. The unique (channel, occurrence) row is the claim that
    makes posting exactly-once across processes and restarts."""

    __tablename__ = "drills"
    __table_args__ = (
        UniqueConstraint("channel_id", "occurrence", name="uq_drills_channel_occurrence"),
        Index("ix_drills_status_due", "status", "post_at"),
        Index("ix_drills_thread", "channel_id", "message_ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    # A scheduled day "2026-11-25@Asia/Tokyo" (rows from before 0003: "2026-11-25"), or "now:<instant>".
    occurrence: Mapped[str] = mapped_column(String(64))
    status: Mapped[DrillStatus] = mapped_column(
        Enum(DrillStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e], validate_strings=True)
    )
    role_slug: Mapped[str | None] = mapped_column(String(64), nullable=True)
    question_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    question_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    post_at: Mapped[datetime] = mapped_column(DateTime)
    reveal_at: Mapped[datetime] = mapped_column(DateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revealed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reveal_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reveal_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Not before this instant: a 429's Retry-After, kept so that no process tries again too soon.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The original question is edited to say the points are out; a separate step, retried until done.
    marked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    mark_claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The post was adopted after an uncertain outcome: replies made meanwhile are read from the
    # thread, a step retried until it succeeds.
    backfill_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReplyRow(Base):
    """Who replied to a drill and when — never the text. A deleted reply stays as a tombstone so a
    late, retried or out-of-order delivery of the original message cannot bring it back."""

    __tablename__ = "replies"
    __table_args__ = (UniqueConstraint("drill_id", "message_ts", name="uq_replies_drill_message"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    message_ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
