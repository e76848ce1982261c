"""Track reveal attempts and the reveal message, so a reveal whose outcome was unknown is looked up
in the thread instead of being posted twice.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reveal_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("reveal_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.drop_column("reveal_ts")
        batch_op.drop_column("reveal_attempts")
