"""The typed, immutable model of one role document."""

from __future__ import annotations

import enum
import hashlib
import re
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

from bot.domain.markup import to_plain


@dataclass(frozen=True)
class Group:
    """A titled list, such as a skill group (技術スキル) or a learning step."""

    name: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Partner:
    """Someone the role works with, and how."""

    name: str
    description: str


@dataclass(frozen=True)
class CareerPath:
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Story:
    title: str
    text: str


_INLINE_MARKUP = re.compile(r"[*_`\[\]<>\\&!]")  # what could make CommonMark's inline parse differ from the text
_LEFTOVER_MARKUP = re.compile(r"[\s*`]+")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def question_id(text: str) -> str:
    """A question's stable identity: the first 10 hex digits of the SHA-256 of its normalised text.

    Normalised means NFKC, Markdown emphasis and backticks removed, no whitespace at all and ASCII
    in lower case, so reformatting (spacing, bold, full-width letters) keeps the id and rewording
    changes it. Reordering or inserting other questions never does: the number is not part of it.
    """
    plain = unicodedata.normalize("NFKC", text)
    # Most questions hold no inline Markdown, and parsing it is most of the cost (roles load by the thousand).
    if _INLINE_MARKUP.search(plain):
        plain = unicodedata.normalize("NFKC", to_plain(plain))  # an entity may decode to a full-width letter
    # Emphasis that CommonMark does not read as emphasis (`**「CISO」**として`) is markup all the same.
    squashed = _LEFTOVER_MARKUP.sub("", plain)
    lowered = squashed.translate(_ASCII_LOWER)
    return hashlib.sha256(lowered.encode("utf-8")).hexdigest()[:10]


_OPENING, _CLOSING = "「『（([【", "」』）)]】"
_POINT_SEPARATOR = re.compile(r"[、，]")


def split_points(text: str) -> tuple[str, ...]:
    """An answer-points line as its separate points: split at 「、」 (and 「，」), but not inside
    brackets, so 「『守り』と『攻め』、…」 keeps its quotes whole."""
    if not any(char in text for char in _OPENING):
        return tuple(p.strip() for p in _POINT_SEPARATOR.split(text) if p.strip())
    points, current, depth = [], "", 0
    for char in text:
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(0, depth - 1)
        if char in "、，" and depth == 0:
            points.append(current)
            current = ""
        else:
            current += char
    points.append(current)
    return tuple(p.strip() for p in points if p.strip())


# A curated keyword group matches when any of its synonyms appears; a point is covered when all of
# its groups match (see bot.domain.answer_feedback).
Keywords = tuple[tuple[str, ...], ...]


@lru_cache(maxsize=4096)
def parse_keywords(text: str) -> tuple[Keywords, ...]:
    """`経営/取締役会 + 戦略 | リスク + 低減/最小化 | ガバナンス`: per point (`|`), the groups that must
    all appear (`+`), each matched by any of its synonyms (`/`)."""
    points = []
    for point in re.split(r"[|｜]", text):
        groups = []
        for group in re.split(r"[+＋]", point):
            synonyms = tuple(s.strip() for s in re.split(r"[/／]", group) if s.strip())
            if synonyms:
                groups.append(synonyms)
        points.append(tuple(groups))
    return tuple(points)


def keyword_points(text: str) -> int:
    """How many points a keywords line speaks for, without building its groups."""
    return len(re.split(r"[|｜]", text))


class Level(enum.Enum):
    """How senior a question is (`レベル：初級|中級|上級`)."""

    JUNIOR = "初級"
    MIDDLE = "中級"
    SENIOR = "上級"

    @classmethod
    def parse(cls, text: str) -> Level | None:
        plain = unicodedata.normalize("NFKC", text).strip()
        return next((level for level in cls if level.value == plain), None)


_LEVEL_WORDS = {"初級": "初級", "junior": "初級", "中級": "中級", "middle": "中級", "上級": "上級", "senior": "上級"}


def parse_levels(text: str) -> frozenset[Level]:
    """`初級,中級` (also 、 or / between them, and junior/middle/senior) as levels; empty for
    `all`/`すべて`. Raises ValueError with the sentence to show for a word that is no level."""
    plain = unicodedata.normalize("NFKC", text).strip().lower()
    if plain in ("", "all", "すべて", "全部"):
        return frozenset()
    levels = set()
    for word in re.split(r"[,、/|]", plain):
        word = word.strip()
        if not word:
            continue
        if word not in _LEVEL_WORDS:
            raise ValueError(f"レベル「{word}」は使えません。初級・中級・上級をカンマ区切りで指定してください（例: level=初級,中級）。")
        levels.add(Level(_LEVEL_WORDS[word]))
    return frozenset(levels)


def level_code(levels: frozenset[Level]) -> str:
    """Levels as a button value carries them: 「12」 for 初級 and 中級; empty for all."""
    return "".join(str(i + 1) for i, level in enumerate(Level) if level in levels)


def levels_from_code(code: str) -> frozenset[Level]:
    """The inverse of level_code; anything else (a forged value) reads as all levels."""
    members = list(Level)
    if not code or any(c not in "123" for c in code):
        return frozenset()
    return frozenset(members[int(c) - 1] for c in code)


class QuestionKind(enum.Enum):
    """What a question asks for (`種類：経験|状況|知識|志望`)."""

    EXPERIENCE = "経験"
    SITUATION = "状況"
    KNOWLEDGE = "知識"
    MOTIVATION = "志望"

    @classmethod
    def parse(cls, text: str) -> QuestionKind | None:
        plain = unicodedata.normalize("NFKC", text).strip()
        return next((kind for kind in cls if kind.value == plain), None)


class DocumentKind(enum.Enum):
    """A role document, or the common questions every interview asks (front matter `kind`)."""

    ROLE = "role"
    COMMON = "common"


@dataclass(frozen=True)
class Question:
    number: int
    text: str
    answer_points: tuple[str, ...] = ()
    follow_up: str = ""  # the next question an interviewer would ask (`深掘り：…`)
    # Stable across reordering: question_id(text), or the document's explicit `ID：…` (the loader sets it).
    id: str = ""
    # The document's `キーワード：…` line, kept as written: a thousand roles' parsed groups would be
    # most of the catalog's memory, and only answer feedback reads them (see `keywords`).
    keyword_text: str = ""
    model_answer: str = ""  # `模範解答：…`: a strong answer as a candidate would say it
    weak_answer: str = ""  # `NG例：…`: a typical weak answer, then 「→」 and why it is weak
    level: Level | None = None
    kind: QuestionKind | None = None
    line: int | None = field(default=None, compare=False)  # where it is in its file
    team: bool = False  # a workspace's own question (チームの質問), not the document's

    @property
    def has_answer_points(self) -> bool:
        return bool(self.answer_points)

    @property
    def keywords(self) -> tuple[Keywords, ...]:
        """Per point (in the order of `points`), the curated synonym groups that count as covering
        it; empty when the document gives none."""
        return parse_keywords(self.keyword_text) if self.keyword_text else ()

    @property
    def points(self) -> tuple[str, ...]:
        """The separate answer points, each of which a reply may cover."""
        return tuple(p for line in self.answer_points for p in split_points(line))


@dataclass(frozen=True)
class Role:
    slug: str
    title: str
    short_title: str
    description: str
    summary: str
    example: str = ""
    duties: tuple[str, ...] = ()
    skills: tuple[Group, ...] = ()
    collaboration: tuple[Partner, ...] = ()
    career_intro: str = ""
    career_paths: tuple[CareerPath, ...] = ()
    career_stories: tuple[Story, ...] = ()
    outlook_intro: str = ""
    outlook: tuple[str, ...] = ()
    outlook_stories: tuple[Story, ...] = ()
    learning: tuple[Group, ...] = ()
    questions: tuple[Question, ...] = ()
    questions_note: str = ""
    related: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    category: str = ""
    name: str = ""  # the short name people type (front matter `name`)
    kind: DocumentKind = DocumentKind.ROLE
    reviewed: date | None = None  # when its facts were last checked (front matter `reviewed`)
    source: Path | None = field(default=None, compare=False)
    # A workspace's retired questions: no longer asked, but found by id for the history naming them.
    retired: tuple[Question, ...] = ()

    @property
    def is_common(self) -> bool:
        return self.kind is DocumentKind.COMMON

    @property
    def short_name(self) -> str:
        return self.name or self.slug

    @property
    def job_title(self) -> str:
        """The title as a job, not as an article: 「CISO（最高情報セキュリティ責任者）」 rather than
        「CISO（Chief Information Security Officer, 最高情報セキュリティ責任者）のプロジェクトポジション」."""
        title = re.sub(r"の?プロジェクトポジション$", "", self.title).strip()

        def japanese_part(match: re.Match[str]) -> str:
            parts = [p.strip() for p in re.split(r"[,、，]", match.group(1)) if p.strip()]
            japanese = [p for p in parts if not p.isascii()]
            return f"（{japanese[-1] if japanese else match.group(1)}）"

        return re.sub(r"[（(]([^）)]*)[）)]", japanese_part, title, count=1) or self.title

    @property
    def stories(self) -> tuple[Story, ...]:
        return self.career_stories + self.outlook_stories

    def question(self, number: int) -> Question | None:
        for q in self.questions:
            if q.number == number:
                return q
        return None

    def question_by_id(self, qid: str) -> Question | None:
        return self._questions_by_id.get(qid)

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        # A frozen dataclass without slots keeps an instance __dict__, which cached_property writes.
        return {q.id: q for q in (*self.questions, *self.retired) if q.id}
