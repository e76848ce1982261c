"""The typed, immutable model of one role document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


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


@dataclass(frozen=True)
class Question:
    number: int
    text: str
    answer_points: tuple[str, ...] = ()
    follow_up: str = ""  # the next question an interviewer would ask (`深掘り：…`)
    line: int | None = field(default=None, compare=False)  # where it is in its file

    @property
    def has_answer_points(self) -> bool:
        return bool(self.answer_points)


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
    source: Path | None = field(default=None, compare=False)

    @property
    def short_name(self) -> str:
        return self.name or self.slug

    @property
    def job_title(self) -> str:
        """The title as a job, not as an article: 「CISO（最高情報セキュリティ責任者）」 rather than
        「CISO（Chief Information Security Officer, 最高情報セキュリティ責任者）のプロジェクトポジション」."""
        title = re.sub(r"の?プロジェクトポジション$", "", self.title).strip()

        def japanese_part(match: re.Match) -> str:
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
