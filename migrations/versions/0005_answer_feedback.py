"""Private answer feedback: per reply, which answer points it covered (never its text); a
schedule's feedback switch; members' own choice; and the record of each feedback sent after a reveal.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verdicts", sa.String(length=32), nullable=True))
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feedback", sa.Boolean(), nullable=False, server_default="1"))
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feedback_done_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("feedback", sa.Boolean(), nullable=True))
    # Drills revealed before feedback existed have nobody to tell.
    op.execute(sa.text("UPDATE drills SET feedback_done_at = revealed_at WHERE revealed_at IS NOT NULL"))
    op.create_table(
        "member_settings",
        sa.Column("user_id", sa.String(length=32), primary_key=True),
        sa.Column("feedback", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "feedback_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("drill_id", sa.Integer(), sa.ForeignKey("drills.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.String(length=100), nullable=True),
        sa.UniqueConstraint("drill_id", "user_id", name="uq_feedback_notices_drill_user"),
    )
    op.create_index("ix_feedback_notices_drill_id", "feedback_notices", ["drill_id"])


def downgrade() -> None:
    op.drop_index("ix_feedback_notices_drill_id", table_name="feedback_notices")
    op.drop_table("feedback_notices")
    op.drop_table("member_settings")
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.drop_column("feedback")
        batch_op.drop_column("feedback_done_at")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_column("feedback")
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.drop_column("verdicts")
