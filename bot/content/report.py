"""`python -m bot check-content [--strict] [--database URL] [DIR]`: a per-file report of what would
make a weak drill.

Errors stop a file from loading. Warnings name what loads but serves study groups badly: a question
without answer points (the reveal would have nothing to show), a related role that does not exist,
a name that fits two roles, text that no view shows. Info is worth a look and no more. `--strict`
fails on warnings too. Exit 1 on failure.

With `--database`, the report also reads (and only reads) which question ids the drill and review
history refers to, and warns about each id that a loaded role no longer has: a reworded question
gets a new id unless its document keeps the old one with `* *ID：…*`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TextIO

import frontmatter
from markdown_it import MarkdownIt

from bot.content.findings import Finding
from bot.content.loader import Problem, load_directory
from bot.content.question_checks import keyword_findings, link_findings, question_findings, review_findings
from bot.content.questions import explicit_id, keywords_text
from bot.domain.answer_feedback import Analyse
from bot.domain.catalog import RoleCatalog, role_names
from bot.domain.markup import unwrap_emphasis
from bot.domain.role import Role
from bot.domain.team_questions import TEAM_PREFIX
from bot.domain.text import normalize_key

_md = MarkdownIt("commonmark")
_md.core.ruler.disable(["inline"])
# Bullets meant for the bot rather than for display as they are: their text is shown, marker aside.
_MARKER = re.compile(
    r"^(回答ポイント|回答のポイント|ポイント|answer points?|深掘り|深堀り|follow[- ]?up|模範解答|回答例|model answer|NG例|ＮＧ例|悪い回答例|weak answer"
    r"|レベル|難易度|level|種類|質問の種類|kind)\s*[：:]\s*",
    re.I,
)
_READS_AS_QUESTION = re.compile(r"([？?]|か。?|ください。?|教えて.*|どう.*|何.*)$")


def shown_text(role: Role) -> str:
    """Every text some view displays, as one searchable string."""
    parts: list[str] = [
        role.title,
        role.description,
        role.summary,
        role.example,
        role.career_intro,
        role.outlook_intro,
        role.questions_note,
    ]
    parts += role.duties + role.outlook
    for group in role.skills + role.learning:
        parts += [group.name, *group.items]
    for partner in role.collaboration:
        parts += [partner.name, partner.description]
    for path in role.career_paths:
        parts += path.steps
    for story in role.stories:
        parts += [story.title, story.text]
    for question in role.questions:
        parts += [question.text, *question.answer_points, question.follow_up, question.model_answer, question.weak_answer]
        parts += [question.level.value if question.level else "", question.kind.value if question.kind else ""]
    return _squash("\n".join(parts))


def _squash(text: str) -> str:
    return re.sub(r"[\s*_`]+", "", unwrap_emphasis(text))


def _body_texts(text: str) -> Iterable[tuple[int | None, str]]:
    """(line, text) of every paragraph and list item in the body; headings are exempt."""
    post = frontmatter.loads(text)
    offset = text[: text.find(post.content)].count("\n") if post.content and post.content in text else 0
    tokens = _md.parse(post.content)
    for index, token in enumerate(tokens):
        if token.type != "inline" or index == 0 or tokens[index - 1].type != "paragraph_open":
            continue
        line = token.map[0] + 1 + offset if token.map else None
        for piece in token.content.split("\n"):
            if piece.strip():
                yield line, piece


def unshown(role: Role, text: str) -> list[Finding]:
    shown = shown_text(role)
    findings = []
    for line, piece in _body_texts(text):
        if explicit_id(piece) is not None or keywords_text(piece) is not None:
            continue  # a question's id and its keywords are for the bot, not for display
        squashed = _squash(_MARKER.sub("", unwrap_emphasis(piece)))
        # A career path is shown step by step, and a partner as name and description: a text made
        # of shown pieces is covered.
        steps = [_squash(s) for s in re.split(r"→|->|⇒|＞|：", squashed)]
        if squashed and squashed not in shown and not all(s in shown for s in steps if s):
            findings.append(
                Finding(role.source or Path("?"), line, "warning", f"this text is not shown by any view: 「{piece.strip()[:40]}」")
            )
    return findings


def weak_spots(role: Role, catalog: RoleCatalog) -> list[Finding]:
    path = role.source or Path("?")
    findings: list[Finding] = []
    for question in role.questions:
        if not question.answer_points:
            findings.append(
                Finding(
                    path,
                    question.line,
                    "warning",
                    f"Q{question.number}「{question.text[:30]}」 has no answer points: its drill reveal would have nothing to show",
                )
            )
        if not _READS_AS_QUESTION.search(unwrap_emphasis(question.text).strip()):
            findings.append(Finding(path, question.line, "info", f"Q{question.number}「{question.text[:30]}」 does not read as a question"))
    bare = [q.number for q in role.questions if q.points and not q.keywords]
    if bare:
        numbers = ", ".join(f"Q{n}" for n in bare)
        findings.append(
            Finding(
                path,
                None,
                "info",
                f"{len(bare)} question(s) have no curated keywords (`キーワード：…`), so answer feedback matches their points' own words: {numbers}",
            )
        )
    for name in sorted(role_names(role)):
        key = normalize_key(name)
        if key in catalog.ambiguous_keys:
            others = sorted(s for s in catalog.owners_of(key) if s != role.slug)
            findings.append(Finding(path, 1, "warning", f"the name '{name}' also fits {', '.join(others)}, so it opens neither"))
    return findings


# Tables whose rows name a question by (role_slug, question_id); rows from before ids have NULL.
HISTORY_TABLES = ("drills", "reviews")


class DatabaseUnavailable(Exception):
    pass


def history_question_ids(database_url: str) -> dict[tuple[str, str], int]:
    """(role slug, question id) → how many history rows refer to it, read without writing anything.

    A table or column that does not exist (a database older than the ids) contributes nothing.
    Raises DatabaseUnavailable when the database cannot be opened at all.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    engine = _read_only_engine(database_url)
    counts: dict[tuple[str, str], int] = {}
    try:
        try:
            engine.connect().close()
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(str(getattr(exc, "orig", None) or exc).splitlines()[0]) from None
        for table in HISTORY_TABLES:
            query = text(
                f"SELECT role_slug, question_id, COUNT(*) FROM {table} WHERE question_id IS NOT NULL"
                # A workspace's own questions (`t-…`) live in the database, not in the documents.
                f" AND question_id NOT LIKE '{TEAM_PREFIX}%' GROUP BY role_slug, question_id"
            )
            # One connection per table: on PostgreSQL a failed statement spoils its transaction.
            try:
                with engine.connect() as connection:
                    rows = connection.execute(query).all()
            except SQLAlchemyError:
                continue
            for slug, qid, count in rows:
                key = (str(slug), str(qid))
                counts[key] = counts.get(key, 0) + int(count)
    finally:
        engine.dispose()
    return counts


def _read_only_engine(database_url: str):
    import sqlite3

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    try:
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            # Read-only mode: a missing file is an error rather than a new empty database.
            path = Path(url.database).resolve()
            return create_engine("sqlite://", creator=lambda: sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True))
        return create_engine(url)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise DatabaseUnavailable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def vanished_ids(roles: Iterable[Role], referred: dict[tuple[str, str], int]) -> list[Finding]:
    """A warning for each question id that history refers to and its (loaded) role no longer has."""
    by_slug = {role.slug: role for role in roles}
    findings = []
    for (slug, qid), count in sorted(referred.items()):
        role = by_slug.get(slug)
        if role is None or role.question_by_id(qid) is not None:
            continue  # a role that did not load is reported as such already
        findings.append(
            Finding(
                role.source or Path("?"),
                None,
                "warning",
                f"ロール「{slug}」の履歴{count}件が参照する質問ID「{qid}」がもう内容にないのは、おそらく質問の文面が変わったためなので、"
                f"書き換えた質問の下に「* *ID：{qid}*」を加えればその履歴を引き継げます。",
            )
        )
    return findings


def check_content(
    directory: Path,
    out: TextIO | None = None,
    strict: bool = False,
    database_url: str | None = None,
    *,
    today: date | None = None,
    analyse: Analyse | None = None,
) -> int:
    """The report, written to `out` (sys.stdout as it is when called). `today` dates the review check
    (none without it); `analyse` runs the answer checker on each model answer (skipped without it)."""
    out = out or sys.stdout
    result = load_directory(directory)
    catalog = RoleCatalog(result.roles)
    by_file: dict[Path, list[Problem | Finding]] = {}
    for problem in result.problems:
        by_file.setdefault(problem.path, []).append(problem)
    roles_by_file = {r.source: r for r in result.roles}
    for role in result.roles:
        assert role.source is not None
        found = weak_spots(role, catalog) + unshown(role, role.source.read_text(encoding="utf-8")) + question_findings(role, analyse)
        if analyse is not None:
            found += keyword_findings(role, analyse)
        if today is not None:
            found += review_findings(role, today)
        by_file.setdefault(role.source, []).extend(found)
    for finding in link_findings(result.roles):
        by_file.setdefault(finding.path, []).append(finding)
    unreadable = ""
    if database_url:
        try:
            referred = history_question_ids(database_url)
        except DatabaseUnavailable as exc:
            unreadable = f"FAIL  --database: the database cannot be read ({exc})\n"
        else:
            for finding in vanished_ids(result.roles, referred):
                by_file.setdefault(finding.path, []).append(finding)
    warnings = infos = 0
    for path in result.files:
        loaded = roles_by_file.get(path)
        problems = by_file.pop(path, [])
        if loaded is not None:
            with_points = sum(q.has_answer_points for q in loaded.questions)
            with_follow_up = sum(bool(q.follow_up) for q in loaded.questions)
            out.write(
                f"ok    {path}: {loaded.short_name} — {len(loaded.questions)} questions ({with_points} with answer points, "
                f"{with_follow_up} with follow-ups), {len(loaded.career_paths)} career paths\n"
            )
        else:
            out.write(f"FAIL  {path}\n")
        for entry in problems:
            warnings += entry.severity == "warning"
            infos += entry.severity == "info"
            out.write(f"      {entry}\n")
    for problems in by_file.values():  # problems not tied to one role file (e.g. the directory)
        for entry in problems:
            out.write(f"FAIL  {entry}\n")
    out.write(unreadable)
    errors = len(result.errors) + bool(unreadable)
    out.write(f"{len(result.roles)} role(s) loaded, {errors} error(s), {warnings} warning(s), {infos} info\n")
    if strict and warnings:
        out.write("--strict: warnings count as errors\n")
    return 1 if errors or (strict and warnings) else 0
