"""Role documents (Markdown + YAML front matter) → typed `Role` objects.

Sections are recognised by what their heading says (キャリアパス, 面接, …), not by their number, and
lists are read from the CommonMark structure, so the loader tolerates what real files contain: an
answer-point bullet that is not indented under its question, emoji in headings, a missing section.
Every problem is reported as one sentence naming the file and, where known, the line.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import frontmatter
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.domain.markup import to_plain, unwrap_emphasis
from bot.domain.role import CareerPath, Group, Partner, Question, Role, Story

_md = MarkdownIt("commonmark")
# Only the block structure is read here; inline Markdown is kept as source text and rendered (and
# cached) when shown, so the loader skips inline parsing — a third of its time.
_md.core.ruler.disable(["inline"])
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_POINTS_PREFIX = re.compile(r"^(回答ポイント|回答のポイント|ポイント|answer points?)\s*[：:]\s*", re.I)
_HEADING_NUMBER = re.compile(r"^\s*(\d+|[０-９]+)\s*[.．、)）]\s*")
_PATH_ARROW = re.compile(r"\s*(?:→|->|⇒|＞)\s*")


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


class ContentError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


# ---------------------------------------------------------------------------------------------
# A small block tree over markdown-it's flat token stream.


@dataclass
class _Heading:
    level: int
    text: str
    line: int | None


@dataclass
class _Para:
    text: str
    line: int | None


@dataclass
class _Item:
    number: int | None
    blocks: list[Any] = field(default_factory=list)
    line: int | None = None

    @property
    def text(self) -> str:
        return next((b.text for b in self.blocks if isinstance(b, _Para)), "")

    def sublists(self) -> list["_List"]:
        return [b for b in self.blocks if isinstance(b, _List)]


@dataclass
class _List:
    ordered: bool
    items: list[_Item] = field(default_factory=list)


@dataclass
class _Rule:
    pass


def _tree(tokens: list[Token], line_offset: int) -> list[Any]:
    root: list[Any] = []
    containers: list[list[Any]] = [root]
    lists: list[_List] = []
    heading: tuple[int, int | None] | None = None

    def line_of(token: Token) -> int | None:
        return token.map[0] + 1 + line_offset if token.map else None

    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading = (int(token.tag[1]), line_of(token))
        elif kind == "inline":
            if heading is not None:
                containers[-1].append(_Heading(heading[0], token.content.strip(), heading[1]))
                heading = None
            else:
                containers[-1].append(_Para(token.content.strip(), line_of(token)))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            node = _List(ordered=kind == "ordered_list_open")
            containers[-1].append(node)
            lists.append(node)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            number = int(token.info) if token.info.isdigit() else None
            item = _Item(number=number, line=line_of(token))
            lists[-1].items.append(item)
            containers.append(item.blocks)
        elif kind == "list_item_close":
            containers.pop()
        elif kind == "hr":
            containers[-1].append(_Rule())
        elif kind in ("fence", "code_block") and token.content.strip():
            containers[-1].append(_Para(token.content.strip(), line_of(token)))
    return root


@dataclass
class _Section:
    heading: _Heading
    blocks: list[Any]

    def subsections(self) -> list[tuple[_Heading | None, list[Any]]]:
        parts: list[tuple[_Heading | None, list[Any]]] = [(None, [])]
        for block in self.blocks:
            if isinstance(block, _Heading) and block.level >= 3:
                parts.append((block, []))
            else:
                parts[-1][1].append(block)
        return parts

    def paragraphs(self) -> list[str]:
        """Top-level paragraphs before the first sub-heading."""
        return [b.text for b in self.subsections()[0][1] if isinstance(b, _Para)]


def _split_sections(tree: list[Any]) -> list[_Section]:
    sections: list[_Section] = []
    for block in tree:
        if isinstance(block, _Heading) and block.level <= 2:
            if block.level == 2:
                sections.append(_Section(block, []))
        elif sections:
            sections[-1].blocks.append(block)
    return sections


# ---------------------------------------------------------------------------------------------
# Section kinds, by what the heading says.

_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("questions", ("面接", "質問", "interview", "question")),
    ("paths", ("キャリア", "career")),
    ("outlook", ("将来", "展望", "future", "outlook")),
    ("learn", ("学習", "学ぶ", "勉強", "目指すため", "learn", "study")),
    ("collaboration", ("協業", "連携", "collaborat", "work with")),
    ("skills", ("スキル", "ツール", "skill", "tool")),
    ("duties", ("業務", "仕事", "責任", "dut", "responsibilit")),
    ("about", ("とは", "概要", "about", "what is", "overview")),
)


def section_kind(heading: str) -> str | None:
    text = _HEADING_NUMBER.sub("", to_plain(heading)).casefold()
    for kind, words in _KINDS:
        if any(word in text for word in words):
            return kind
    return None


def _list_items(blocks: Iterable[Any]) -> list[_Item]:
    items: list[_Item] = []
    for block in blocks:
        if isinstance(block, _List):
            items.extend(block.items)
    return items


def _story(heading: _Heading, blocks: list[Any]) -> Story:
    title = to_plain(heading.text)
    title = re.split(r"[：:]", title, maxsplit=1)[1].strip() if re.search(r"[：:]", title) else title
    title = title.lstrip("🔍 ").strip() or "ストーリー"
    return Story(title=title, text="\n\n".join(b.text for b in blocks if isinstance(b, _Para)))


def _is_story(heading: _Heading | None) -> bool:
    return heading is not None and any(w in heading.text.casefold() for w in ("ストーリー", "story", "事例"))


def _groups(section: _Section) -> tuple[Group, ...]:
    groups = []
    for heading, blocks in section.subsections():
        items = tuple(i.text for i in _list_items(blocks) if i.text)
        if not items:
            continue
        name = _HEADING_NUMBER.sub("", to_plain(heading.text)) if heading else ""
        groups.append(Group(name=name, items=items))
    return tuple(groups)


def _partner(text: str) -> Partner:
    match = re.match(r"^\s*(\*\*|__)(.+?)\1\s*[：:]\s*(.*)$", text, re.S)
    if match:
        return Partner(name=match.group(2).strip(), description=match.group(3).strip())
    name, sep, rest = text.partition("：")
    if sep:
        return Partner(name=unwrap_emphasis(name), description=rest.strip())
    return Partner(name="", description=text)


def _answer_point(text: str) -> str:
    return _POINTS_PREFIX.sub("", unwrap_emphasis(text)).strip()


def _looks_like_points(item: _Item) -> bool:
    return bool(_POINTS_PREFIX.match(unwrap_emphasis(item.text)))


def _questions(section: _Section) -> tuple[tuple[Question, ...], str, list[str]]:
    """Questions are ordered-list items; answer points are bullets under (or right after) them."""
    found: list[tuple[int, str, list[str]]] = []
    notes: list[str] = []
    warnings: list[str] = []
    blocks = [b for _, part in section.subsections() for b in part]
    for block in blocks:
        if isinstance(block, _List) and block.ordered:
            for item in block.items:
                number = item.number if item.number is not None else (found[-1][0] + 1 if found else 1)
                points = [_answer_point(sub.text) for lst in item.sublists() for sub in lst.items if sub.text]
                found.append((number, unwrap_emphasis(item.text), [p for p in points if p]))
        elif isinstance(block, _List) and found and all(_looks_like_points(i) for i in block.items):
            # An answer-point bullet that lost its indentation still belongs to the question above.
            found[-1][2].extend(_answer_point(i.text) for i in block.items)
        elif isinstance(block, _Para) and found:
            notes.append(block.text)
    seen: set[int] = set()
    questions = []
    for number, text, points in found:
        if not text:
            continue
        if number in seen:
            warnings.append(f"question {number} is numbered twice; the later one is skipped")
            continue
        seen.add(number)
        questions.append(Question(number=number, text=text, answer_points=tuple(points)))
    return tuple(questions), "\n\n".join(notes), warnings


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
    sections = _split_sections(_tree(_md.parse(body), offset))
    warnings: list[str] = []
    fields: dict[str, Any] = {}
    seen_kinds: set[str] = set()
    for sec in sections:
        kind = section_kind(sec.heading.text)
        if kind is None:
            warnings.append(f"line {sec.heading.line}: section '{to_plain(sec.heading.text)}' is not one the bot knows; it is skipped")
            continue
        if kind in seen_kinds:
            warnings.append(f"line {sec.heading.line}: a second '{kind}' section is skipped")
            continue
        seen_kinds.add(kind)
        if kind == "about":
            paras = sec.paragraphs() or [b.text for b in sec.blocks if isinstance(b, _Para)]
            if paras:
                fields["summary"] = paras[0]
                fields["example"] = "\n\n".join(paras[1:])
        elif kind == "duties":
            fields["duties"] = tuple(i.text for i in _list_items(sec.blocks) if i.text)
        elif kind == "skills":
            fields["skills"] = _groups(sec)
        elif kind == "learn":
            fields["learning"] = _groups(sec)
        elif kind == "collaboration":
            fields["collaboration"] = tuple(_partner(i.text) for i in _list_items(sec.blocks) if i.text)
        elif kind in ("paths", "outlook"):
            stories, items = [], []
            for heading, blocks in sec.subsections():
                if _is_story(heading):
                    stories.append(_story(heading, blocks))  # type: ignore[arg-type]
                else:
                    items.extend(i.text for i in _list_items(blocks) if i.text)
            if kind == "paths":
                fields["career_intro"] = "\n\n".join(sec.paragraphs())
                fields["career_paths"] = tuple(
                    CareerPath(tuple(s.strip() for s in _PATH_ARROW.split(t) if s.strip())) for t in items
                )
                fields["career_stories"] = tuple(stories)
            else:
                fields["outlook_intro"] = "\n\n".join(sec.paragraphs())
                fields["outlook"] = tuple(items)
                fields["outlook_stories"] = tuple(stories)
        elif kind == "questions":
            questions, note, question_warnings = _questions(sec)
            fields["questions"] = questions
            fields["questions_note"] = note
            warnings.extend(f"line {sec.heading.line}: {w}" for w in question_warnings)
            if not questions:
                raise ContentError("the interview-questions section has no numbered questions", sec.heading.line)

    if "questions" not in fields:
        raise ContentError("there is no interview-questions section (a '## … 面接 …' heading with a numbered list)")

    description = _string(meta, "meta_description")
    summary = fields.pop("summary", "") or description
    if not summary:
        raise ContentError("the role has neither a meta_description nor a '## …とは' section to summarise it")
    if not fields.get("career_paths"):
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
    workers = min(os.cpu_count() or 1, 4)
    # Parsing is CPU-bound Python; with a thousand roles, spreading it over the cores halves start-up.
    # Forking is only safe while this is the process's only thread (as at start-up); otherwise,
    # and for a handful of files, parse here.
    if len(files) < PARALLEL_THRESHOLD or workers < 2 or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
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
    for path, (role, found) in zip(files, _load_all(files)):
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
                    Problem(role.source or directory, f"related_jobs names '{related}', which no loaded file has as its slug", severity="warning")
                )
    if not files:
        problems.append(Problem(directory, "no role documents (*.md) were found"))
    return LoadResult(tuple(roles.values()), tuple(problems), files)
