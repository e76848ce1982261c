"""A workspace's own questions (チームの質問) as Markdown in the content format, and back.

`render` writes one `## <role>：チームの質問（面接でよく聞かれる質問）` section per role (or the common
questions), each a numbered list whose questions carry every bullet: one `回答ポイント：` bullet per
point (a point is never split), then 深掘り, 模範解答, NG例, レベル, 種類 and `ID：t-…`. `parse` reads
such a file (or a role document's own questions section, or a pasted block) with the content
reader, `read_sections`, one `##` section at a time, so what the bot exports and what a content
author writes are read by the same rules.

A field's line breaks are written as `<br>` (a list item's text is one line), and read back as line
breaks. Pure: the caller says which role a heading names (`resolve`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.content.questions import ContentError
from bot.content.sections import read_sections, section_kind
from bot.domain.markup import to_plain
from bot.domain.role import Question, question_id
from bot.domain.team_questions import TEAM_ID, Draft

HEADING_TAIL = "：チームの質問（面接でよく聞かれる質問）"
TITLE = "チームの質問"
LINE_BREAK = "<br>"
_LINE_BREAK = re.compile(r"<br\s*/?>", re.I)
_H2 = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_NUMBERED = re.compile(r"^ {0,3}\d{1,9}[.)][ \t]", re.M)
_HEADING_NUMBER = re.compile(r"^\s*(\d+|[０-９]+)\s*[.．、)）]\s*")
_BRACKETED = re.compile(r"[（(]([^）)]*)[）)]")
_EXAMPLE_ID = "t-1a2b3c4d"


# ----------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Section:
    """One role's questions, under the role's label (its short title, or 共通質問)."""

    label: str
    questions: Sequence[tuple[str, Draft]]  # (question id, the question)


def _one_line(text: str) -> str:
    """A field on one line: its line breaks as `<br>`, blank lines kept as two."""
    lines = [line.strip() for line in (text or "").strip().splitlines()]
    return LINE_BREAK.join(lines)


def _bullet(indent: str, marker: str, value: str) -> str:
    return f"{indent}* *{marker}：{_one_line(value)}*"


def render_question(number: int, qid: str, draft: Draft) -> list[str]:
    marker = f"{number}. "
    indent = " " * len(marker)  # under `10.` the bullets need four spaces to stay under it
    lines = [f"{marker}**{_one_line(draft.text)}**", ""]
    lines += [_bullet(indent, "回答ポイント", point) for point in draft.points]
    if draft.follow_up.strip():
        lines.append(_bullet(indent, "深掘り", draft.follow_up))
    if draft.model_answer.strip():
        lines.append(_bullet(indent, "模範解答", draft.model_answer))
    if draft.weak_answer.strip():
        lines.append(_bullet(indent, "NG例", draft.weak_answer))
    if draft.level is not None:
        lines.append(_bullet(indent, "レベル", draft.level.value))
    if draft.kind is not None:
        lines.append(_bullet(indent, "種類", draft.kind.value))
    if qid:
        lines.append(_bullet(indent, "ID", qid))
    return [*lines, ""]


def render(sections: Iterable[Section], title: str = TITLE) -> str:
    """The Markdown of the given sections (empty ones left out), ending with one newline."""
    lines = [
        f"# {title}",
        "",
        "`/career questions import` で取り込めます。`ID：t-…` のある質問は同じIDの質問を更新し"
        "（なければそのIDで追加し）、IDのない質問は新しいIDで追加します。",
        "",
    ]
    for section in sections:
        if not section.questions:
            continue
        lines += [f"## {section.label}{HEADING_TAIL}", ""]
        for number, (qid, draft) in enumerate(section.questions, start=1):
            lines += render_question(number, qid, draft)
    return "\n".join(lines).rstrip("\n") + "\n"


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Found:
    """A question read from an import, before any rule is checked."""

    target: str  # what `resolve` made of its section's heading
    number: int  # as numbered in its section
    line: int  # where it is in the text (1-based)
    question_id: str  # its `t-…` id, or "" when it has none (a new question)
    draft: Draft


@dataclass(frozen=True)
class Problem:
    """What keeps part of an import out, as one Japanese sentence; `number` is the question's (0:
    a whole section), `target` the section's role when known."""

    line: int
    sentence: str
    target: str = ""
    number: int = 0


@dataclass(frozen=True)
class Parsed:
    questions: tuple[Found, ...]
    problems: tuple[Problem, ...]


@dataclass
class _Chunk:
    heading: str  # the `##` heading's text
    line: int  # the heading's line (1-based)
    lines: list[str]


def _chunks(text: str) -> tuple[list[str], list[_Chunk]]:
    """The lines before the first `##` heading, and each `##` section (code fences respected)."""
    before: list[str] = []
    chunks: list[_Chunk] = []
    fence = ""
    for index, line in enumerate(text.split("\n")):
        opening = _FENCE.match(line)
        if opening:
            fence = "" if fence == opening.group(1) else (fence or opening.group(1))
        heading = None if fence or opening else _H2.match(line)
        if heading is not None:
            chunks.append(_Chunk((heading.group(1) or "").strip(), index + 1, [line]))
        elif chunks:
            chunks[-1].lines.append(line)
        else:
            before.append(line)
    return before, chunks


def heading_names(heading: str) -> list[str]:
    """What a heading may call its role, most likely first: the part before 「：チームの質問」 (or
    before its first 「：」), the heading without its brackets, then each bracketed part
    (「面接でよくある質問とその対策（CTO）」 → CTO)."""
    plain = _HEADING_NUMBER.sub("", to_plain(heading)).strip()
    names: list[str] = []
    if "：チームの質問" in plain:
        names.append(plain.split("：チームの質問", 1)[0])
    elif "：" in plain or ":" in plain:
        names.append(re.split(r"[：:]", plain)[0])
    names.append(_BRACKETED.sub("", plain))
    for inner in _BRACKETED.findall(plain):
        names.extend(part for part in re.split(r"[,、，]", inner))
    return [name.strip() for name in dict.fromkeys(names) if name.strip()]


def _field(text: str) -> str:
    return "\n".join(part.strip() for part in _LINE_BREAK.split(text or "")).strip()


def _explicit_id(question: Question) -> str | None:
    """Its `t-…` id; "" when it has none (the loader's id is then the hash of its text); None for an
    id of any other shape, which an import cannot use."""
    if TEAM_ID.match(question.id):
        return question.id
    if question.id == question_id(question.text):
        return ""
    return None


def _is_japanese(text: str) -> bool:
    return any(unicodedata.east_asian_width(char) in "WF" for char in text)


def _read(body: str, line_offset: int) -> tuple[Question, ...]:
    fields, _warnings = read_sections(body, line_offset)
    return tuple(fields.get("questions", ()))


def _bad_id(value: str) -> str:
    return f"ID「{value}」は使えません。IDは「t-」と8桁の16進数（例：{_EXAMPLE_ID}）にするか、新しい質問なら書かないでください。"


def _unreadable(err: ContentError) -> str:
    """The reader's sentence, said for an import: its advice on a content file's ids does not apply."""
    message = str(err)
    if bad := re.search(r"のID「(.*?)」は使えない", message):
        return _bad_id(bad.group(1))
    return message if _is_japanese(message) else "番号付きの質問が見つかりません。"


def _items(chunk: _Chunk) -> list[tuple[int, list[str]]]:
    """The section's top-level numbered items, each with its lines and the line it starts on."""
    items: list[tuple[int, list[str]]] = []
    fence = ""
    for index, line in enumerate(chunk.lines[1:], start=chunk.line + 1):
        opening = _FENCE.match(line)
        if opening:
            fence = "" if fence == opening.group(1) else (fence or opening.group(1))
        if not fence and not opening and _NUMBERED.match(line):
            items.append((index, [line]))
        elif items:
            items[-1][1].append(line)
    return items


def _questions(chunk: _Chunk, target: str, shown: str) -> Iterable[tuple[Question | None, Problem | None]]:
    """The section's questions, read as a whole; when the reader refuses the whole (a malformed id,
    two questions with one id), each numbered item on its own, so one bad question keeps out only itself."""
    try:
        yield from ((question, None) for question in _read("\n".join(chunk.lines), chunk.line - 1))
        return
    except ContentError as err:
        whole = err
    items = _items(chunk)
    if not items:
        yield None, Problem(whole.line or chunk.line, f"見出し「{shown}」の下を読めないため取り込みません。{_unreadable(whole)}", target)
    for start, lines in items:
        digits = re.match(r"\s*(\d+)", lines[0])
        try:
            # The heading first (a line before the item), so the reader sees a questions section.
            yield from ((question, None) for question in _read("\n".join([chunk.lines[0], *lines]), start - 2))
        except ContentError as err:
            yield None, Problem(err.line or start, _unreadable(err), target, int(digits.group(1)) if digits else 0)


def parse(text: str, resolve: Callable[[str], str | None]) -> Parsed:
    """The questions of an import and what keeps any of them out. `resolve(name)` is the target a
    heading's role name means (a role's slug, or COMMON_TARGET), or None for no role."""
    text = (text or "").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    before, chunks = _chunks(text)
    found: list[Found] = []
    problems: list[Problem] = []
    seen: dict[str, Found] = {}
    if _NUMBERED.search("\n".join(before)):
        problems.append(
            Problem(
                1,
                f"最初の見出しより前に番号付きの質問がありますが、どの職種の質問か分からないため取り込みません。"
                f"質問の前に「## 職種名{HEADING_TAIL}」の見出しを書いてください。",
            )
        )
    if not chunks and not problems:
        problems.append(
            Problem(1, f"質問が見つかりませんでした。「## 職種名{HEADING_TAIL}」の見出しの下に番号付きで質問を書いてください。")
        )
    for chunk in chunks:
        shown = to_plain(chunk.heading)[:60]
        if section_kind(chunk.heading) != "questions":
            if _NUMBERED.search("\n".join(chunk.lines[1:])):
                problems.append(
                    Problem(
                        chunk.line,
                        f"見出し「{shown}」は質問の見出しとして読めないため、その下の質問は取り込みません。"
                        f"「## 職種名{HEADING_TAIL}」の形にしてください。",
                    )
                )
            continue
        target = next((t for name in heading_names(chunk.heading) if (t := resolve(name)) is not None), None)
        if target is None:
            problems.append(
                Problem(
                    chunk.line,
                    f"見出し「{shown}」の職種が見つからないため、その下の質問は取り込みません。"
                    "「/career list」に出る職種名か「共通質問」を見出しに書いてください。",
                )
            )
            continue
        for question, problem in _questions(chunk, target, shown):
            if problem is not None:
                problems.append(problem)
                continue
            assert question is not None
            line = question.line or chunk.line
            qid = _explicit_id(question)
            if qid is None:
                problems.append(Problem(line, _bad_id(question.id), target, question.number))
                continue
            draft = Draft(
                target=target,
                text=_field(question.text),
                points=tuple(p for p in (_field(point) for point in question.points) if p),
                follow_up=_field(question.follow_up),
                model_answer=_field(question.model_answer),
                weak_answer=_field(question.weak_answer),
                level=question.level,
                kind=question.kind,
            )
            # The same question twice (by id, or by wording when it has none): the first one counts.
            key = qid or f"{target}|{question_id(draft.text)}"
            if key in seen:
                first = seen[key]
                problems.append(
                    Problem(
                        line,
                        f"{'同じIDの' if qid else '同じ文面の'}質問が{first.line}行目（Q{first.number}）にもあるため、こちらは取り込みません。",
                        target,
                        question.number,
                    )
                )
                continue
            seen[key] = found_question = Found(target, question.number, line, qid, draft)
            found.append(found_question)
    return Parsed(tuple(found), tuple(problems))
