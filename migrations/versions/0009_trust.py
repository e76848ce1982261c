"""Trust: signed requests already served (replay protection) and why a schedule was paused.

`seen_requests` holds the signature of every slash command and interactive payload served in the
last few minutes: Slack signs each request once, so a second request with the same signature is a
replay and is answered with an empty 200. Rows older than Slack's 5-minute signature window (plus
a margin) are pruned.

`schedules.paused_reason` says why the bot itself paused a schedule (for example the channel was
archived or deleted), so that `schedule show` and App Home can say it; NULL when a person paused it
or it runs. `paused_notified_at` records that the admin was told, so they are told once.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seen_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("signature", sa.String(length=80), nullable=False),
        sa.Column("request_ts", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("signature", name="uq_seen_requests_signature"),
    )
    op.create_index("ix_seen_requests_seen_at", "seen_requests", ["seen_at"])
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_reason", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("paused_notified_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_column("paused_notified_at")
        batch_op.drop_column("paused_reason")
    op.drop_index("ix_seen_requests_seen_at", table_name="seen_requests")
    op.drop_table("seen_requests")
