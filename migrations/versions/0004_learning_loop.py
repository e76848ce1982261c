"""The learning loop: questions get a stable identity, members' self-grades (reviews) and their
FSRS memory (cards), and a schedule's question order (adaptive or rotation).

Drills and decks referred to a question by its number, which shifts when a question is inserted.
Existing rows are matched to the role documents as they stand when the migration runs (in the
bot's CONTENT_DIR). A row whose question cannot be matched keeps its number and a NULL id; a deck
card that cannot be matched is dropped, so that deck simply reshuffles sooner.

How a document's questions are numbered and given ids is written out below rather than imported
from the bot's loader, so that a later change to the loader cannot change what this revision does.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

import frontmatter
import sqlalchemy as sa
import yaml
from alembic import context, op
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_drills = sa.table(
    "drills",
    sa.column("id", sa.Integer),
    sa.column("role_slug", sa.String),
    sa.column("question_number", sa.Integer),
    sa.column("question_id", sa.String),
)
_schedules = sa.table("schedules", sa.column("id", sa.Integer), sa.column("deck", sa.JSON), sa.column("deck_position", sa.Integer))


def _question_ids() -> dict[str, dict[int, str]]:
    """{role slug: {question number: question id}} for the role documents as they stand now; empty
    when no row refers to a question by number (a new database), so nothing is read."""
    given = context.config.attributes.get("question_ids")
    if given is not None:
        return given
    if not _needs_content():
        return {}
    directory = context.config.attributes.get("content_dir")
    if directory is None:  # Alembic's own command line
        from bot.config import load_settings

        directory = load_settings().content_dir
    ids = _read_question_ids(Path(directory))
    if not ids:
        # Without the content every existing drill would lose its question for good.
        raise RuntimeError(
            f"Migration 0004 matches existing drills to their questions by reading the role documents, "
            f"but none were found in {directory}: set CONTENT_DIR to the folder that holds them."
        )
    return ids


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
    for row in bind.execute(
        sa.select(_drills.c.id, _drills.c.role_slug, _drills.c.question_number).where(_drills.c.question_number.is_not(None))
    ).all():
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


# ---------------------------------------------------------------------------------------------
# The bot's question numbering and ids as bot.content (its loader and section readers) and
# bot.domain.role.question_id had them at revision 0009, reduced to what they need: which files are
# roles, their slugs, and each question's number, text and explicit `ID：…` bullet. A document the
# loader refuses for its slug, title or questions (a bad or repeated id, no numbered questions)
# gives no ids here either; one it refuses for another reason (no summary) still does, which only
# matches more old rows.

_blocks_md = MarkdownIt("commonmark")
_blocks_md.core.ruler.disable(["inline"])
_blocks_md.block.ruler.disable(["lheading", "reference", "html_block"])
_inline_md = MarkdownIt("commonmark")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_QUESTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{2,31}$")
_WRAPPED = re.compile(r"^(\*\*|__|\*|_)(.+)\1$", re.S)
_HEADING_NUMBER = re.compile(r"^\s*(\d+|[０-９]+)\s*[.．、)）]\s*")
_QUESTION_WORDS = ("面接", "質問", "interview", "question")
_ID_PREFIX = re.compile(r"^(ID|ＩＤ)\s*[：:]\s*", re.I)
# Bullets that belong to the question above them even when they lost their indentation.
_MARKER = re.compile(
    r"^(回答ポイント|回答のポイント|ポイント|answer points?|深掘り|深堀り|follow[- ]?up|ID|ＩＤ|キーワード|keywords?)\s*[：:]", re.I
)
_KEYWORD_BULLET = re.compile(r"[ \t]*[*+-][ \t]+\*?(?:キーワード|keywords?)[ \t]*[：:]", re.I)
_INLINE_MARKUP = re.compile(r"[*_`\[\]<>\\&!]")
_LEFTOVER_MARKUP = re.compile(r"[\s*`]+")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


class _Unusable(ValueError):
    """The loader refused the document, so no question of its role has an id."""


class _Question:
    # Not a dataclass: Alembic runs this file without registering it in sys.modules, where
    # @dataclass cannot read postponed annotations.
    def __init__(self, number: int, text: str) -> None:
        self.number, self.text = number, text
        self.id = ""  # from an `ID：…` bullet


def _read_question_ids(directory: Path) -> dict[str, dict[int, str]]:
    if not directory.is_dir():
        return {}
    ids: dict[str, dict[int, str]] = {}
    for path in sorted(directory.glob("*.md")):
        if path.name.startswith((".", "_")) or path.name.lower() == "readme.md":
            continue
        try:
            slug, numbered = _role_questions(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError, _Unusable):
            continue
        ids.setdefault(slug, numbered)  # of two files with one slug, the first in name order counts
    return ids


def _role_questions(text: str) -> tuple[str, dict[int, str]]:
    meta, body = frontmatter.parse(text)
    if not isinstance(meta, dict) or not meta:
        raise _Unusable()
    slug = _front_matter_text(meta, "slug")
    if not _front_matter_text(meta, "title") or not _SLUG.match(slug):
        raise _Unusable()
    section = _questions_section(SyntaxTreeNode(_blocks_md.parse(_without_keyword_lines(body))))
    if section is None:
        raise _Unusable()
    found: list[_Question] = []
    for block in section:
        if block.type == "ordered_list":
            for item in block.children:
                number = int(item.info) if item.info.isdigit() else (found[-1].number + 1 if found else 1)
                question = _Question(number, _unwrap(_item_text(item)))
                for bullet in _bullet_texts(_blocks(item)):
                    _take_id(question, bullet)
                found.append(question)
        elif block.type == "bullet_list" and found:
            bullets = _bullet_texts([block])
            if all(_MARKER.match(_unwrap(bullet)) for bullet in bullets):
                for bullet in bullets:
                    _take_id(found[-1], bullet)
    numbered: dict[int, str] = {}
    for question in found:
        if not question.text or question.number in numbered:
            continue  # the loader skips an empty question and a number's second use
        qid = question.id or _question_id(question.text)
        if qid in numbered.values():
            raise _Unusable()
        numbered[question.number] = qid
    if not numbered:
        raise _Unusable()
    return slug, numbered


def _front_matter_text(meta: dict, key: str) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise _Unusable()
    return str(value).strip()


def _without_keyword_lines(body: str) -> str:
    """Keyword bullets blanked, as the loader parses the document: left in, a keyword line that is
    not indented far enough joins the paragraph above it, an `ID：…` bullet's for one."""
    if "キーワード" not in body and "eyword" not in body:
        return body
    lines = body.split("\n")
    fence = ""
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = "" if fence == marker else (fence or marker)
        elif not fence and ("キーワード" in line or "eyword" in line) and _KEYWORD_BULLET.match(line):
            lines[index] = ""
    return "\n".join(lines)


def _questions_section(document: SyntaxTreeNode) -> list[SyntaxTreeNode] | None:
    """The blocks under the first level-2 heading that names interview questions."""
    section: list[SyntaxTreeNode] | None = None
    for block in _blocks(document):
        if block.type == "heading" and block.tag in ("h1", "h2"):
            if block.tag == "h2":
                if section is not None:
                    return section
                heading = _HEADING_NUMBER.sub("", _plain(block.children[0].content.strip())).casefold()
                if any(word in heading for word in _QUESTION_WORDS):
                    section = []
        elif section is not None:
            section.append(block)
    return section


def _blocks(container: SyntaxTreeNode) -> Iterator[SyntaxTreeNode]:
    for block in container.children:
        if block.type == "blockquote":
            yield from _blocks(block)
        else:
            yield block


def _item_text(item: SyntaxTreeNode) -> str:
    for block in _blocks(item):
        if block.type == "paragraph":
            return block.children[0].content.strip()
        if block.type in ("fence", "code_block") and block.content.strip():
            return block.content.strip()
    return ""


def _bullet_texts(blocks) -> list[str]:
    return [
        text for block in blocks if block.type in ("bullet_list", "ordered_list") for item in block.children if (text := _item_text(item))
    ]


def _take_id(question: _Question, bullet: str) -> None:
    plain = _unwrap(bullet)
    if not _ID_PREFIX.match(plain):
        return
    given = _ID_PREFIX.sub("", plain).strip().strip("`").strip()
    if question.id or not _QUESTION_ID.match(given):
        raise _Unusable()
    question.id = given


def _unwrap(text: str) -> str:
    text = text.strip()
    while match := _WRAPPED.match(text):
        text = match.group(2).strip()
    return text


def _plain(source: str) -> str:
    tokens = _inline_md.parseInline(source)
    out = []
    for token in (tokens[0].children or []) if tokens else []:
        if token.type in ("text", "code_inline", "html_inline", "image"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out).strip()


def _question_id(text: str) -> str:
    """The first 10 hex digits of the SHA-256 of the question's text, normalised: NFKC, no Markdown
    emphasis or backticks, no whitespace, ASCII in lower case."""
    plain = unicodedata.normalize("NFKC", text)
    if _INLINE_MARKUP.search(plain):
        plain = unicodedata.normalize("NFKC", _plain(plain))
    squashed = _LEFTOVER_MARKUP.sub("", plain)
    return hashlib.sha256(squashed.translate(_ASCII_LOWER).encode("utf-8")).hexdigest()[:10]
