"""Typed schedule columns (Time, JSON) instead of strings that were re-parsed by the user-input
parser; whether a schedule also asks questions without answer points; a drill's next allowed attempt (Retry-After) and the separate "mark the question revealed" step.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from datetime import time

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# The conversions are written out here rather than imported from the bot: a migration must keep
# reading the old format however the bot's parsers change later.


def _clock(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def _days(text: str) -> list[int]:
    if text == "daily":
        return list(range(7))
    if text == "weekdays":
        return list(range(5))
    return sorted(_DAY_NAMES.index(part) for part in text.split(",") if part)


def _days_text(days: list[int]) -> str:
    if sorted(days) == list(range(7)):
        return "daily"
    if sorted(days) == list(range(5)):
        return "weekdays"
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def _reveal(text: str) -> tuple[time | None, int | None]:
    if text.startswith("+"):
        amount = int(text[1:-1])
        return None, amount * 60 if text.endswith("h") else amount
    return _clock(text), None


def _reveal_text(at: time | None, minutes: int | None) -> str:
    if at is not None:
        return at.strftime("%H:%M")
    assert minutes is not None
    return f"+{minutes // 60}h" if minutes % 60 == 0 else f"+{minutes}m"


def _split(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part]


old_schedules = sa.table(
    "schedules",
    sa.column("id", sa.Integer),
    sa.column("post_time", sa.String),
    sa.column("days", sa.String),
    sa.column("reveal", sa.String),
    sa.column("skip_dates", sa.Text),
    sa.column("deck", sa.Text),
    sa.column("post_time_t", sa.Time),
    sa.column("days_j", sa.JSON),
    sa.column("reveal_time", sa.Time),
    sa.column("reveal_offset_minutes", sa.Integer),
    sa.column("skip_dates_j", sa.JSON),
    sa.column("deck_j", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("post_time_t", sa.Time(), nullable=True))
        batch.add_column(sa.Column("days_j", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("reveal_time", sa.Time(), nullable=True))
        batch.add_column(sa.Column("reveal_offset_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("skip_dates_j", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("deck_j", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("all_questions", sa.Boolean(), nullable=False, server_default="0"))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            old_schedules.c.id,
            old_schedules.c.post_time,
            old_schedules.c.days,
            old_schedules.c.reveal,
            old_schedules.c.skip_dates,
            old_schedules.c.deck,
        )
    ).all()
    for row in rows:
        reveal_time, offset = _reveal(row.reveal)
        connection.execute(
            old_schedules.update()
            .where(old_schedules.c.id == row.id)
            .values(
                post_time_t=_clock(row.post_time),
                days_j=_days(row.days),
                reveal_time=reveal_time,
                reveal_offset_minutes=offset,
                skip_dates_j=_split(row.skip_dates),
                deck_j=_split(row.deck),
            )
        )
    with op.batch_alter_table("schedules") as batch:
        for name in ("post_time", "days", "reveal", "skip_dates", "deck"):
            batch.drop_column(name)
    with op.batch_alter_table("schedules") as batch:
        batch.alter_column("post_time_t", new_column_name="post_time", existing_type=sa.Time(), nullable=False)
        batch.alter_column("days_j", new_column_name="days", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("skip_dates_j", new_column_name="skip_dates", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("deck_j", new_column_name="deck", existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table("drills") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("marked_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("mark_claimed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("backfill_due", sa.Boolean(), nullable=False, server_default="0"))
    # Drills revealed before this revision had their question updated (or gave up on it) already.
    op.execute("UPDATE drills SET marked_at = revealed_at WHERE status = 'revealed'")


new_schedules = sa.table(
    "schedules",
    sa.column("id", sa.Integer),
    sa.column("post_time", sa.Time),
    sa.column("days", sa.JSON),
    sa.column("reveal_time", sa.Time),
    sa.column("reveal_offset_minutes", sa.Integer),
    sa.column("skip_dates", sa.JSON),
    sa.column("deck", sa.JSON),
    sa.column("post_time_s", sa.String),
    sa.column("days_s", sa.String),
    sa.column("reveal_s", sa.String),
    sa.column("skip_dates_s", sa.Text),
    sa.column("deck_s", sa.Text),
)


def downgrade() -> None:
    with op.batch_alter_table("drills") as batch:
        batch.drop_column("backfill_due")
        batch.drop_column("mark_claimed_at")
        batch.drop_column("marked_at")
        batch.drop_column("next_attempt_at")

    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("post_time_s", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("days_s", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("reveal_s", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("skip_dates_s", sa.Text(), nullable=True))
        batch.add_column(sa.Column("deck_s", sa.Text(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            new_schedules.c.id,
            new_schedules.c.post_time,
            new_schedules.c.days,
            new_schedules.c.reveal_time,
            new_schedules.c.reveal_offset_minutes,
            new_schedules.c.skip_dates,
            new_schedules.c.deck,
        )
    ).all()
    for row in rows:
        connection.execute(
            new_schedules.update()
            .where(new_schedules.c.id == row.id)
            .values(
                post_time_s=row.post_time.strftime("%H:%M"),
                days_s=_days_text(row.days),
                reveal_s=_reveal_text(row.reveal_time, row.reveal_offset_minutes),
                skip_dates_s=",".join(row.skip_dates),
                deck_s=",".join(row.deck),
            )
        )
    with op.batch_alter_table("schedules") as batch:
        for name in ("post_time", "days", "reveal_time", "reveal_offset_minutes", "skip_dates", "deck", "all_questions"):
            batch.drop_column(name)
    with op.batch_alter_table("schedules") as batch:
        batch.alter_column("post_time_s", new_column_name="post_time", existing_type=sa.String(length=5), nullable=False)
        batch.alter_column("days_s", new_column_name="days", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("reveal_s", new_column_name="reveal", existing_type=sa.String(length=16), nullable=False)
        batch.alter_column("skip_dates_s", new_column_name="skip_dates", existing_type=sa.Text(), nullable=False)
        batch.alter_column("deck_s", new_column_name="deck", existing_type=sa.Text(), nullable=False)
