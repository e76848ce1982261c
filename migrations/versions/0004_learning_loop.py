"""The learning loop: questions get a stable identity, members' self-grades (reviews) and their
FSRS memory (cards), and a schedule's question order (adaptive or rotation).

Drills and decks referred to a question by its number, which shifts when a question is inserted.
Existing rows are matched to the content as it stands when the migration runs (the bot passes its
loaded content in; `python -m bot migrate` and `alembic upgrade` load it from CONTENT_DIR). A row
whose question cannot be matched keeps its number and a NULL id; a deck card that cannot be matched
is dropped, so that deck simply reshuffles sooner.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import context, op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_drills = sa.table(
    "drills",
    sa.column("id", sa.Integer),
    sa.column("role_slug", sa.String),
    sa.column("question_number", sa.Integer),
    sa.column("question_id", sa.String),
)
_schedules = sa.table("schedules", sa.column("id", sa.Integer), sa.column("deck", sa.JSON), sa.column("deck_position", sa.Integer))


def _question_ids() -> dict[str, dict[int, str]]:
    """{role slug: {question number: question id}} for the content as it stands now."""
    given = context.config.attributes.get("question_ids")
    if given is not None:
        return given
    from bot.config import load_settings
    from bot.content.loader import load_directory

    directory = load_settings().content_dir
    roles = load_directory(directory).roles
    if not roles and _needs_content():
        # Without the content every existing drill would lose its question for good.
        raise RuntimeError(
            f"Migration 0004 matches existing drills to their questions by reading the role documents, "
            f"but none were found in {directory}. Run it from the repository root or set CONTENT_DIR."
        )
    return {role.slug: {q.number: q.id for q in role.questions} for role in roles}


def _needs_content() -> bool:
    bind = op.get_bind()
    drills = bind.execute(sa.select(sa.func.count()).select_from(_drills).where(_drills.c.question_number.is_not(None))).scalar()
    decks = [d for d in bind.execute(sa.select(_schedules.c.deck)).scalars() if d]
    return bool(drills) or bool(decks)


def _convert_decks(convert) -> None:
    bind = op.get_bind()
    for row in bind.execute(sa.select(_schedules.c.id, _schedules.c.deck, _schedules.c.deck_position)).all():
        cards = list(row.deck or [])
        position = int(row.deck_position or 0)
        kept, new_position = [], 0
        for index, card in enumerate(cards):
            converted = convert(card)
            if converted is None:
                continue
            kept.append(converted)
            if index < position:
                new_position += 1
        bind.execute(sa.update(_schedules).where(_schedules.c.id == row.id).values(deck=kept, deck_position=new_position))


def upgrade() -> None:
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_id", sa.String(length=40), nullable=True))
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        # Existing schedules keep the rotation they had; new ones are adaptive (set by the bot).
        batch_op.add_column(sa.Column("question_order", sa.String(length=16), nullable=False, server_default="rotation"))

    op.create_table(
        "cards",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("role_slug", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=40), nullable=False),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sa.DateTime(), nullable=True),
        sa.Column("last_review", sa.DateTime(), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False, server_default="0"),
        sa.UniqueConstraint("user_id", "role_slug", "question_id", name="uq_cards_member_question"),
    )
    op.create_index("ix_cards_user_due", "cards", ["user_id", "due"])
    op.create_index("ix_cards_question", "cards", ["role_slug", "question_id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("role_slug", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=40), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("drill_id", sa.Integer(), sa.ForeignKey("drills.id", ondelete="SET NULL"), nullable=True),
        sa.UniqueConstraint("user_id", "role_slug", "question_id", "local_day", name="uq_reviews_member_question_day"),
    )
    op.create_index("ix_reviews_user_at", "reviews", ["user_id", "at"])
    op.create_index("ix_reviews_drill", "reviews", ["drill_id"])

    ids = _question_ids()
    bind = op.get_bind()
    for row in bind.execute(sa.select(_drills.c.id, _drills.c.role_slug, _drills.c.question_number).where(_drills.c.question_number.is_not(None))).all():
        qid = ids.get(row.role_slug or "", {}).get(row.question_number)
        if qid is not None:
            bind.execute(sa.update(_drills).where(_drills.c.id == row.id).values(question_id=qid))

    def to_id(card: str) -> str | None:
        slug, _, number = card.rpartition("#")
        qid = ids.get(slug, {}).get(int(number)) if number.isdigit() else None
        return f"{slug}#{qid}" if qid else None

    _convert_decks(to_id)


def downgrade() -> None:
    numbers = {slug: {qid: number for number, qid in by_number.items()} for slug, by_number in _question_ids().items()}

    def to_number(card: str) -> str | None:
        slug, _, qid = card.rpartition("#")
        number = numbers.get(slug, {}).get(qid)
        return f"{slug}#{number}" if number is not None else None

    _convert_decks(to_number)
    op.drop_index("ix_reviews_drill", table_name="reviews")
    op.drop_index("ix_reviews_user_at", table_name="reviews")
    op.drop_table("reviews")
    op.drop_index("ix_cards_question", table_name="cards")
    op.drop_index("ix_cards_user_due", table_name="cards")
    op.drop_table("cards")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_column("question_order")
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.drop_column("question_id")
