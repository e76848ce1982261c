"""The body of a role document: its sections, read from markdown-it's block tree.

Sections are recognised by what their heading says (キャリアパス, 面接, …), not by their number, and
lists are read from the CommonMark structure, so real files' quirks are tolerated (an answer-point
bullet that is not indented under its question, emoji in headings, a missing section).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from bot.content.questions import ContentError, FoundQuestion, answer_point, is_question_bullet, make_questions
from bot.domain.markup import to_plain, unwrap_emphasis
from bot.domain.role import CareerPath, Group, Partner, Story

_md = MarkdownIt("commonmark")
# Only the block structure is read here; inline Markdown is kept as source text and rendered (and
# cached) when shown, so the loader skips inline parsing — a third of its time.
_md.core.ruler.disable(["inline"])
# Role documents use `#` headings, and hold no link reference definitions or raw HTML: the block
# rules that look for those ran on every line for nothing (about a tenth of the parse). A setext
# heading (a line underlined with `---`) is read as a paragraph and a rule.
_md.block.ruler.disable(["lheading", "reference", "html_block"])
_HEADING_NUMBER = re.compile(r"^\s*(\d+|[０-９]+)\s*[.．、)）]\s*")
_PATH_ARROW = re.compile(r"\s*(?:→|->|⇒|＞)\s*")


# ---------------------------------------------------------------------------------------------
# Reading markdown-it's syntax tree.

_LISTS = ("bullet_list", "ordered_list")


def _inline_text(node: SyntaxTreeNode) -> str:
    """A heading's or paragraph's text, as Markdown source (inline parsing is off)."""
    return node.children[0].content.strip()


def _blocks(container: SyntaxTreeNode) -> Iterator[SyntaxTreeNode]:
    # A block quote is read through: a quoted paragraph, list or heading counts where the quote stands.
    for block in container.children:
        if block.type == "blockquote":
            yield from _blocks(block)
        else:
            yield block


def _prose(block: SyntaxTreeNode) -> str | None:
    """A paragraph's text, or a non-empty code block's; None for any other block."""
    kind = block.type
    if kind == "paragraph":
        return _inline_text(block)
    if kind in ("fence", "code_block"):
        # Over-indented prose parses as a code block, but in a role document it is still prose.
        return block.content.strip() or None
    return None


def _prose_texts(blocks: Iterable[SyntaxTreeNode]) -> list[str]:
    return [text for block in blocks if (text := _prose(block)) is not None]


def _item_text(item: SyntaxTreeNode) -> str:
    """A list item's own text: its first paragraph."""
    for block in _blocks(item):
        text = _prose(block)
        if text is not None:
            return text
    return ""


def _item_texts(blocks: Iterable[SyntaxTreeNode]) -> list[str]:
    """The non-empty texts of the items of the lists among `blocks` (not of lists nested in those items)."""
    return [text for block in blocks if block.type in _LISTS for item in block.children if (text := _item_text(item))]


def _item_number(item: SyntaxTreeNode) -> int | None:
    return int(item.info) if item.info.isdigit() else None


@dataclass
class _Section:
    """A level-2 heading and the blocks up to the next one."""

    title: str
    line: int | None
    blocks: list[SyntaxTreeNode]
    line_offset: int = 0
    # `キーワード：…` bullets, taken out of the text before parsing: (line, text after the marker).
    keyword_lines: list[tuple[int, str]] = field(default_factory=list)

    def line_of(self, node: SyntaxTreeNode) -> int | None:
        return node.map[0] + 1 + self.line_offset if node.map else None

    def subsections(self) -> list[tuple[SyntaxTreeNode | None, list[SyntaxTreeNode]]]:
        """The blocks split at each sub-heading; the first part, under no heading, may be empty."""
        parts: list[tuple[SyntaxTreeNode | None, list[SyntaxTreeNode]]] = [(None, [])]
        for block in self.blocks:
            if block.type == "heading":
                parts.append((block, []))
            else:
                parts[-1][1].append(block)
        return parts

    def paragraphs(self) -> list[str]:
        """Top-level paragraphs before the first sub-heading."""
        return _prose_texts(self.subsections()[0][1])


def _preamble(document: SyntaxTreeNode) -> list[str]:
    """The prose between the title and the first section: a document without a 「…とは」 section
    (the common questions) introduces itself there."""
    texts = []
    for block in _blocks(document):
        if block.type == "heading" and block.tag == "h2":
            break
        if (text := _prose(block)) is not None:
            texts.append(text)
    return texts


def _split_sections(document: SyntaxTreeNode, line_offset: int) -> list[_Section]:
    sections: list[_Section] = []
    for block in _blocks(document):
        if block.type == "heading" and block.tag in ("h1", "h2"):
            # The h1 repeats the front matter's title; it neither starts a section nor ends one.
            if block.tag == "h2":
                line = block.map[0] + 1 + line_offset if block.map else None
                sections.append(_Section(_inline_text(block), line, [], line_offset))
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


_BRACKETED = re.compile(r"[（(][^）)]*[）)]")


def section_kind(heading: str) -> str | None:
    """What a heading is about. A role's own name may hold a section's word (機械学習エンジニア holds
    学習), so a bracketed part (「（機械学習エンジニア）」) is not read, and the word nearest the
    end of the heading decides: Japanese puts what a heading is about last (「機械学習エンジニアとは？」)."""
    text = _HEADING_NUMBER.sub("", to_plain(heading)).casefold()
    for candidate in (_BRACKETED.sub("", text), text):
        found = [(max(candidate.rfind(word) for word in words), -rank, kind) for rank, (kind, words) in enumerate(_KINDS)]
        position, _, kind = max(found)
        if position >= 0:
            return kind
    return None


def _story(heading: SyntaxTreeNode, blocks: list[SyntaxTreeNode]) -> Story:
    title = to_plain(_inline_text(heading))
    title = re.split(r"[：:]", title, maxsplit=1)[1].strip() if re.search(r"[：:]", title) else title
    title = title.lstrip("🔍 ").strip() or "ストーリー"
    return Story(title=title, text="\n\n".join(_prose_texts(blocks)))


def _is_story(heading: SyntaxTreeNode) -> bool:
    return any(w in _inline_text(heading).casefold() for w in ("ストーリー", "story", "事例"))


def _groups(section: _Section) -> tuple[Group, ...]:
    groups = []
    for heading, blocks in section.subsections():
        items = tuple(_item_texts(blocks))
        if not items:
            continue
        name = _HEADING_NUMBER.sub("", to_plain(_inline_text(heading))) if heading else ""
        groups.append(Group(name=name, items=items))
    return tuple(groups)


def _stories_and_items(section: _Section) -> tuple[tuple[Story, ...], list[str]]:
    """Story sub-sections, and the list items of every other part of the section."""
    stories, items = [], []
    for heading, blocks in section.subsections():
        if heading is not None and _is_story(heading):
            stories.append(_story(heading, blocks))
        else:
            items.extend(_item_texts(blocks))
    return tuple(stories), items


def _partner(text: str) -> Partner:
    match = re.match(r"^\s*(\*\*|__)(.+?)\1\s*[：:]\s*(.*)$", text, re.S)
    if match:
        return Partner(name=match.group(2).strip(), description=match.group(3).strip())
    name, sep, rest = text.partition("：")
    if sep:
        return Partner(name=unwrap_emphasis(name), description=rest.strip())
    return Partner(name="", description=text)


# ---------------------------------------------------------------------------------------------
# One reader per section kind. Each returns the Role fields its section fills, and adds any
# warning about the section to the document's list.

_Fields = dict[str, Any]


def _read_summary(section: _Section, warnings: list[str]) -> _Fields:
    paragraphs = section.paragraphs() or _prose_texts(section.blocks)
    if not paragraphs:
        return {}
    return {"summary": paragraphs[0], "example": "\n\n".join(paragraphs[1:])}


def _read_duties(section: _Section, warnings: list[str]) -> _Fields:
    return {"duties": tuple(_item_texts(section.blocks))}


def _read_skills(section: _Section, warnings: list[str]) -> _Fields:
    return {"skills": _groups(section)}


def _read_learning(section: _Section, warnings: list[str]) -> _Fields:
    return {"learning": _groups(section)}


def _read_collaboration(section: _Section, warnings: list[str]) -> _Fields:
    return {"collaboration": tuple(_partner(text) for text in _item_texts(section.blocks))}


def _read_career(section: _Section, warnings: list[str]) -> _Fields:
    stories, items = _stories_and_items(section)
    return {
        "career_intro": "\n\n".join(section.paragraphs()),
        "career_paths": tuple(CareerPath(tuple(s.strip() for s in _PATH_ARROW.split(t) if s.strip())) for t in items),
        "career_stories": stories,
    }


def _read_outlook(section: _Section, warnings: list[str]) -> _Fields:
    stories, items = _stories_and_items(section)
    return {"outlook_intro": "\n\n".join(section.paragraphs()), "outlook": tuple(items), "outlook_stories": stories}


def _bullets(blocks: Iterable[SyntaxTreeNode], section: _Section) -> list[tuple[str, int | None]]:
    """(text, line) of the non-empty items of the lists among `blocks`, like _item_texts."""
    return [
        (text, section.line_of(item)) for block in blocks if block.type in _LISTS for item in block.children if (text := _item_text(item))
    ]


def _read_questions(section: _Section, warnings: list[str]) -> _Fields:
    """Questions are ordered-list items; answer points (`回答ポイント：…`), a follow-up question
    (`深掘り：…`) and an explicit id (`ID：…`) are bullets under them, or right after them when a
    bullet lost its indentation. Every question gets an id, unique within the role: the explicit one
    or question_id(text)."""
    found: list[FoundQuestion] = []
    notes: list[str] = []
    for block in section.blocks:
        kind = block.type
        if kind == "ordered_list":
            for item in block.children:
                number = _item_number(item)
                if number is None:
                    number = found[-1].number + 1 if found else 1
                question = FoundQuestion(number, unwrap_emphasis(_item_text(item)), section.line_of(item))
                for text, line in _bullets(_blocks(item), section):
                    # A bullet without a marker under a question still reads as its answer points.
                    if not question.take(text, line) and (point := answer_point(text)):
                        question.points.append(point)
                found.append(question)
        elif kind == "bullet_list" and found:
            bullets = _bullets([block], section)
            if all(is_question_bullet(text) for text, _ in bullets):
                for text, line in bullets:
                    found[-1].take(text, line)
        elif found and (prose := _prose(block)) is not None:
            notes.append(prose)
    # A keyword bullet belongs to the question above it.
    for line, text in section.keyword_lines:
        owner = max((q for q in found if q.line is not None and q.line < line), key=lambda q: q.line or 0, default=None)
        if owner is None:
            warnings.append(f"line {line}: キーワードの前に質問がないため、この行は使いません。")
        elif owner.keywords:
            warnings.append(f"line {line}: Q{owner.number}にはキーワードがすでにあるため、この行は使いません。1つにまとめてください。")
        else:
            owner.keywords, owner.keywords_line = text, line
    questions = make_questions(found, warnings, section.line)
    if not questions:
        raise ContentError("the interview-questions section has no numbered questions", section.line)
    return {"questions": questions, "questions_note": "\n\n".join(notes)}


_SECTION_READERS: dict[str, Callable[[_Section, list[str]], _Fields]] = {
    "about": _read_summary,
    "duties": _read_duties,
    "skills": _read_skills,
    "collaboration": _read_collaboration,
    "paths": _read_career,
    "outlook": _read_outlook,
    "learn": _read_learning,
    "questions": _read_questions,
}


_KEYWORD_BULLET = re.compile(r"[ \t]*[*+-][ \t]+\*?(?:キーワード|keywords?)[ \t]*[：:]", re.I)


def _take_keyword_lines(body: str, line_offset: int) -> tuple[str, list[tuple[int, str]]]:
    """Keyword bullets are long and for the bot alone: they are taken out before the Markdown parse
    (which they would otherwise make a quarter slower) and given to their questions by line. Each
    is replaced by an empty line, so every other line keeps its number."""
    found: list[tuple[int, str]] = []
    if "キーワード" not in body and "eyword" not in body:
        return body, found
    lines = body.split("\n")
    fence = ""
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = "" if fence == marker else (fence or marker)
            continue
        if fence:
            continue  # a code block shows what it holds
        if ("キーワード" in line or "eyword" in line) and (match := _KEYWORD_BULLET.match(line)):
            found.append((index + 1 + line_offset, line[match.end() :].strip().rstrip("*").strip()))
            lines[index] = ""
    return "\n".join(lines), found


def read_sections(body: str, line_offset: int) -> tuple[_Fields, list[str]]:
    """The Role fields that the document's sections fill, and warnings about the sections."""
    body, keyword_lines = _take_keyword_lines(body, line_offset)
    document = SyntaxTreeNode(_md.parse(body))
    warnings: list[str] = []
    fields: _Fields = {}
    seen_kinds: set[str] = set()
    claimed: set[int] = set()
    try:
        sections = _split_sections(document, line_offset)
        for index, section in enumerate(sections):
            kind = section_kind(section.title)
            if kind is None:
                warnings.append(f"line {section.line}: section '{to_plain(section.title)}' is not one the bot knows; it is skipped")
                continue
            if kind in seen_kinds:
                warnings.append(f"line {section.line}: a second '{kind}' section is skipped")
                continue
            seen_kinds.add(kind)
            if kind == "questions":
                # Only the keyword bullets inside this section belong to its questions.
                end = sections[index + 1].line if index + 1 < len(sections) else None
                section.keyword_lines = [
                    (line, text) for line, text in keyword_lines if (section.line or 0) < line and (end is None or line < end)
                ]
                claimed.update(line for line, _ in section.keyword_lines)
            fields.update(_SECTION_READERS[kind](section, warnings))
        if "summary" not in fields and (intro := _preamble(document)):
            fields.update({"summary": intro[0], "example": "\n\n".join(intro[1:])})
        for line, _text in keyword_lines:
            if line not in claimed:
                warnings.append(f"line {line}: キーワードは面接の質問の下にだけ書けます。この行は使いません。")
    finally:
        unlink_parents(document)
    return fields, warnings


def unlink_parents(document: SyntaxTreeNode) -> None:
    # Each node and its parent refer to each other, so otherwise only the cyclic garbage collector
    # frees a read document; for a thousand documents that is a tenth of the load time.
    for node in document.walk():
        node.parent = None
