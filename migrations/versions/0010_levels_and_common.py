"""Levels and the common questions in a schedule.

`schedules.levels` holds the question levels a drill may ask (`level=初級,中級`) as a JSON list; an
empty list (every existing schedule) asks every level. `schedules.common_every` makes every Nth
scheduled drill since the schedule was set ask one of the common questions; 0 (every existing
schedule) never does.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("levels", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("common_every", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_column("common_every")
        batch_op.drop_column("levels")
