"""App Home, the schedule editor, reminders and weekly digests: a schedule's `remind=` and
`digest=`, where each schedule change was made, the reminders and digests posted (claimed once
across processes), and the members who have opened App Home.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remind_before_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("remind_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("digest_day", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("digest_time", sa.Time(), nullable=True))
    with op.batch_alter_table("schedule_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=16), nullable=False, server_default="command"))
    op.create_table(
        "channel_posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("drill_id", sa.Integer(), sa.ForeignKey("drills.id", ondelete="CASCADE"), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("channel_id", "kind", "key", name="uq_channel_posts_channel_kind_key"),
    )
    op.create_index("ix_channel_posts_status_due", "channel_posts", ["status", "due_at"])
    op.create_table(
        "home_tabs",
        sa.Column("user_id", sa.String(length=32), primary_key=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("home_tabs")
    op.drop_index("ix_channel_posts_status_due", table_name="channel_posts")
    op.drop_table("channel_posts")
    with op.batch_alter_table("schedule_changes", schema=None) as batch_op:
        batch_op.drop_column("source")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_column("digest_time")
        batch_op.drop_column("digest_day")
        batch_op.drop_column("remind_time")
        batch_op.drop_column("remind_before_minutes")
