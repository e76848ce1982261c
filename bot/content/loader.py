"""Role documents (Markdown + YAML front matter) → typed `Role` objects.

Sections are recognised by what their heading says (キャリアパス, 面接, …), not by their number, and
lists are read from the CommonMark structure, so the loader tolerates what real files contain: an
answer-point bullet that is not indented under its question, emoji in headings, a missing section.
Every problem is reported as one sentence naming the file and, where known, the line.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from bot.content.sections import ContentError, read_sections
from bot.domain.markup import to_plain
from bot.domain.role import DocumentKind, Role
from bot.domain.team_questions import TEAM_PREFIX

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    line: int | None = None
    severity: str = "error"  # "error": the file is not loaded; "warning": loaded, but look at it

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class LoadResult:
    roles: tuple[Role, ...]
    problems: tuple[Problem, ...] = ()
    files: tuple[Path, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


# ---------------------------------------------------------------------------------------------
# Front matter.


def _string(meta: dict, key: str) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise ContentError(f"front matter '{key}' must be text, not {type(value).__name__}")
    return str(value).strip()


def _strings(meta: dict, key: str) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in re.split(r"[,、，]", value) if part.strip())
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    raise ContentError(f"front matter '{key}' must be a list of text or a comma-separated string")


def _short_title(title: str) -> str:
    plain = to_plain(title)
    short = re.split(r"[（(]", plain, maxsplit=1)[0]
    short = re.sub(r"の?プロジェクトポジション$", "", short).strip()
    return short or plain


def _document_kind(meta: dict[str, Any]) -> DocumentKind:
    value = _string(meta, "kind") or DocumentKind.ROLE.value
    try:
        return DocumentKind(value.lower())
    except ValueError:
        raise ContentError(f"front matter 'kind' must be 'role' or 'common', not {value!r}", 1) from None


def _date(meta: dict[str, Any], key: str) -> date | None:
    """A YAML date (`reviewed: 2026-12-06`), or None when absent; anything else is an error."""
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ContentError(f"front matter '{key}' must be a date like 2026-12-06, not {value!r}", 1) from None


# ---------------------------------------------------------------------------------------------


def parse_role(text: str, path: Path) -> tuple[Role, list[str]]:
    """Parse one document. Raises ContentError for what makes the file unusable; returns warnings."""
    try:
        meta, body = frontmatter.parse(text)
    except yaml.YAMLError as exc:
        # Where an unclosed bracket or quote started is more useful than where YAML gave up.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None  # the YAML text starts with the newline after ---
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentError(f"the YAML front matter is broken ({problem})", line) from None
    if not isinstance(meta, dict) or not meta:
        raise ContentError("no YAML front matter: the file must start with a '---' block holding title and slug", 1)

    title = _string(meta, "title")
    if not title:
        raise ContentError("front matter has no 'title'", 1)
    slug = _string(meta, "slug")
    if not slug:
        raise ContentError("front matter has no 'slug'", 1)
    if not _SLUG.match(slug):
        raise ContentError(f"slug {slug!r} must be lowercase letters, digits, '_' or '-'", 1)

    offset = text[: text.find(body)].count("\n") if body and body in text else 0
    fields, warnings = read_sections(body, offset)

    if "questions" not in fields:
        raise ContentError("there is no interview-questions section (a '## … 面接 …' heading with a numbered list)")
    for question in fields["questions"]:
        if question.id.startswith(TEAM_PREFIX):
            raise ContentError(
                f"Q{question.number}のID「{question.id}」は「{TEAM_PREFIX}」で始まっています。このIDはワークスペースが追加した質問（チームの質問）用なので、"
                f"別のIDにしてください。",
                question.line,
            )

    description = _string(meta, "meta_description")
    summary = fields.pop("summary", "") or description
    if not summary:
        raise ContentError("the role has neither a meta_description nor a '## …とは' section to summarise it")
    kind = _document_kind(meta)
    if kind is DocumentKind.ROLE and not fields.get("career_paths"):
        warnings.append("no career paths (a list of 'A → B → C' under a キャリアパス heading)")

    role = Role(
        slug=slug,
        title=to_plain(title),
        short_title=_short_title(title),
        description=description or to_plain(summary).split("。")[0] + "。",
        summary=summary,
        related=_strings(meta, "related_jobs"),
        tags=_strings(meta, "tags"),
        keywords=_strings(meta, "keywords"),
        aliases=_strings(meta, "aliases"),
        category=_string(meta, "category"),
        name=_string(meta, "name"),
        kind=kind,
        reviewed=_date(meta, "reviewed"),
        source=path,
        **fields,
    )
    return role, warnings


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 200


def load_file(path: Path) -> tuple[Role | None, list[Problem]]:
    """Read and parse one document: the role, or the one error that makes it unusable; plus warnings."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(path, f"the file is not valid UTF-8 (byte {exc.start})")]
    except OSError as exc:
        return None, [Problem(path, f"the file cannot be read ({exc.strerror or exc})")]
    try:
        role, warnings = parse_role(text, path)
    except ContentError as exc:
        return None, [Problem(path, str(exc), exc.line)]
    return role, [Problem(path, w, severity="warning") for w in warnings]


def _load_all(files: tuple[Path, ...]) -> list[tuple[Role | None, list[Problem]]]:
    # Parsing allocates many small objects that all live on: the cyclic collector would rescan the
    # growing heap of parsed roles again and again, for nothing (documents hold no cycles once read).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse_all(files)
    finally:
        if collecting:
            gc.enable()


def _parse_all(files: tuple[Path, ...]) -> list[tuple[Role | None, list[Problem]]]:
    workers = min(os.cpu_count() or 1, 4)
    # Parsing is CPU-bound Python; with a thousand roles, spreading it over the cores halves start-up.
    # Forking is only safe while this is the process's only thread (as at start-up); otherwise,
    # and for a handful of files, parse here.
    if (
        len(files) < PARALLEL_THRESHOLD
        or workers < 2
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [load_file(path) for path in files]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(load_file, files, chunksize=max(1, len(files) // (workers * 4))))


def load_directory(directory: Path) -> LoadResult:
    """Load every *.md role in a directory. Broken files are reported and skipped; the rest load."""
    directory = Path(directory)
    problems: list[Problem] = []
    if not directory.is_dir():
        return LoadResult((), (Problem(directory, "the content directory does not exist or is not a directory"),))
    files = tuple(sorted(p for p in directory.glob("*.md") if not p.name.startswith((".", "_")) and p.name.lower() != "readme.md"))
    roles: dict[str, Role] = {}
    for path, (role, found) in zip(files, _load_all(files), strict=False):
        if role is not None and role.slug in roles:
            first = roles[role.slug].source
            problems.append(Problem(path, f"slug '{role.slug}' is already used by {first}; this file is skipped", 1))
            continue
        if role is not None:
            roles[role.slug] = role
        problems.extend(found)
    for role in roles.values():
        for related in role.related:
            if related not in roles:
                problems.append(
                    Problem(
                        role.source or directory,
                        f"related_jobs names '{related}', which no loaded file has as its slug",
                        severity="warning",
                    )
                )
    if not files:
        problems.append(Problem(directory, "no role documents (*.md) were found"))
    return LoadResult(tuple(roles.values()), tuple(problems), files)
