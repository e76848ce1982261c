"""Many workspaces: every row knows its Slack workspace (`team_id`), members are unique per
workspace, and a `workspaces` table records installs, uninstalls and the deletion of an
uninstalled workspace's data.

Existing rows get the marker "single" (bot.domain.workspace.SINGLE_WORKSPACE): this migration runs
offline and cannot ask Slack which workspace they belong to; a single-token deployment rewrites the
marker to its real team (from `auth.test`) when it starts.

A schedule stays unique per channel whichever workspace set it (Slack Connect channels are shared),
and so do drills per (channel, occurrence). A member's cards, reviews, settings and App Home become
unique per (team, user): Slack user ids are unique within a workspace only.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SINGLE_WORKSPACE = "single"  # bot.domain.workspace.SINGLE_WORKSPACE, as it was when this was written

# Tables whose rows gain a team; the member tables' keys change besides.
TEAM_TABLES = (
    "schedules",
    "schedule_changes",
    "drills",
    "replies",
    "cards",
    "reviews",
    "member_settings",
    "feedback_notices",
    "channel_posts",
    "home_tabs",
)
KEYED_BY_MEMBER = ("member_settings", "home_tabs")


def _team_column() -> sa.Column:
    return sa.Column("team_id", sa.String(length=32), nullable=False, server_default=SINGLE_WORKSPACE)


def _primary_key_name(table: str) -> str:
    # PostgreSQL's own name for the key created with the table; SQLite's copy keeps whatever is given.
    return f"{table}_pkey"


def upgrade() -> None:
    for table in TEAM_TABLES:
        if table in KEYED_BY_MEMBER:
            continue
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(_team_column())
            if table == "schedules":
                batch_op.add_column(sa.Column("enterprise_id", sa.String(length=32), nullable=True))
                batch_op.create_index("ix_schedules_team_id", ["team_id"])
            elif table == "drills":
                batch_op.create_index("ix_drills_team", ["team_id"])
            elif table == "cards":
                batch_op.drop_constraint("uq_cards_member_question", type_="unique")
                batch_op.create_unique_constraint("uq_cards_member_question", ["team_id", "user_id", "role_slug", "question_id"])
            elif table == "reviews":
                batch_op.drop_constraint("uq_reviews_member_question_day", type_="unique")
                batch_op.create_unique_constraint(
                    "uq_reviews_member_question_day", ["team_id", "user_id", "role_slug", "question_id", "local_day"]
                )
    for table in KEYED_BY_MEMBER:
        _rekey(table, ["team_id", "user_id"], add_team=True)

    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(length=32), primary_key=True),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("installed_at", sa.DateTime(), nullable=True),
        sa.Column("uninstalled_at", sa.DateTime(), nullable=True),
        sa.Column("purge_after", sa.DateTime(), nullable=True),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
    )


# The member tables' other columns, as 0005 and 0006 created them.
MEMBER_COLUMNS = {
    "member_settings": lambda: [
        sa.Column("feedback", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ],
    "home_tabs": lambda: [sa.Column("opened_at", sa.DateTime(), nullable=False), sa.Column("published_at", sa.DateTime(), nullable=True)],
}


def _rekey(table: str, key: list[str], add_team: bool) -> None:
    """Give a member table a new primary key, adding or dropping its team. PostgreSQL alters the
    key in place; SQLite cannot, so the table is copied into one built with the new key."""
    if op.get_bind().dialect.name != "sqlite":
        with op.batch_alter_table(table, schema=None) as batch_op:
            if add_team:
                batch_op.add_column(_team_column())
            batch_op.drop_constraint(_primary_key_name(table), type_="primary")
            batch_op.create_primary_key(_primary_key_name(table), key)
            if not add_team:
                batch_op.drop_column("team_id")
        return
    copy = f"_rekey_{table}"
    keys = ([_team_column()] if add_team else []) + [sa.Column("user_id", sa.String(length=32), nullable=False)]
    others = MEMBER_COLUMNS[table]()
    op.create_table(copy, *keys, *others, sa.PrimaryKeyConstraint(*key, name=_primary_key_name(table)))
    carried = ", ".join(["user_id", *(c.name for c in others)])
    op.execute(sa.text(f"INSERT INTO {copy} ({carried}) SELECT {carried} FROM {table}"))
    op.drop_table(table)
    op.rename_table(copy, table)


def downgrade() -> None:
    bind = op.get_bind()
    teams = set()
    for table in TEAM_TABLES:
        teams |= set(bind.execute(sa.text(f"SELECT DISTINCT team_id FROM {table}")).scalars())
    if len(teams) > 1:
        raise RuntimeError(
            f"This database holds the data of {len(teams)} Slack workspaces ({', '.join(sorted(teams))}); the schema before 0008 "
            "can hold one only. Delete the other workspaces' rows first, then downgrade again."
        )

    op.drop_table("workspaces")
    for table in KEYED_BY_MEMBER:
        _rekey(table, ["user_id"], add_team=False)
    for table in reversed(TEAM_TABLES):
        if table in KEYED_BY_MEMBER:
            continue
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == "schedules":
                batch_op.drop_index("ix_schedules_team_id")
                batch_op.drop_column("enterprise_id")
            elif table == "drills":
                batch_op.drop_index("ix_drills_team")
            elif table == "cards":
                batch_op.drop_constraint("uq_cards_member_question", type_="unique")
                batch_op.create_unique_constraint("uq_cards_member_question", ["user_id", "role_slug", "question_id"])
            elif table == "reviews":
                batch_op.drop_constraint("uq_reviews_member_question_day", type_="unique")
                batch_op.create_unique_constraint("uq_reviews_member_question_day", ["user_id", "role_slug", "question_id", "local_day"])
            batch_op.drop_column("team_id")
