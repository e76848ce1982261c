"""One-to-one mock interviews (模擬面接).

`mock_sends` holds the messages a session owes its member, one per (session, step), each sent
once through the outbox. `mock_sessions` holds each session: the member and workspace, the DM (or AI-app thread) it talks
in, the role and levels, where it stands, and per question the verdict letters, the self-grade and
the times — never what the member wrote. A member has at most one running session
(`active_user`, NULL once it ended); `version` makes every move a compare-and-set.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mock_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("active_user", sa.String(length=32), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("role_slug", sa.String(length=64), nullable=False),
        sa.Column("levels", sa.String(length=8), nullable=False),
        sa.Column("phase", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("turns", sa.JSON(), nullable=False),
        sa.Column("seen_ts", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("touched_at", sa.DateTime(), nullable=False),
        sa.Column("last_message_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "active_user", name="uq_mock_sessions_active_user"),
    )
    op.create_index("ix_mock_sessions_member", "mock_sessions", ["team_id", "user_id"])
    op.create_index("ix_mock_sessions_due_at", "mock_sessions", ["due_at"])
    op.create_table(
        "mock_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["mock_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "step", name="uq_mock_sends_session_step"),
    )
    op.create_index("ix_mock_sends_unsent", "mock_sends", ["sent_at", "error"])


def downgrade() -> None:
    op.drop_index("ix_mock_sends_unsent", table_name="mock_sends")
    op.drop_table("mock_sends")
    op.drop_index("ix_mock_sessions_due_at", table_name="mock_sessions")
    op.drop_index("ix_mock_sessions_member", table_name="mock_sessions")
    op.drop_table("mock_sessions")
