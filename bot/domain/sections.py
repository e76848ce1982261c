"""The sections of a role a user can ask for, and the words (English and Japanese) that name them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.text import normalize_key


@dataclass(frozen=True)
class SectionName:
    key: str
    label: str  # Japanese label shown on buttons and headings
    aliases: tuple[str, ...]


SECTIONS: tuple[SectionName, ...] = (
    SectionName("duties", "主な業務", ("duties", "duty", "work", "tasks", "業務", "主な業務", "仕事", "仕事内容")),
    SectionName("skills", "スキル", ("skills", "skill", "tools", "スキル", "必要なスキル", "ツール", "技術")),
    SectionName("paths", "キャリアパス", ("paths", "path", "career", "careers", "キャリアパス", "キャリア", "パス")),
    SectionName(
        "collaboration",
        "協業スタイル",
        ("collaboration", "collab", "partners", "team", "協業", "協業スタイル", "連携", "チーム"),
    ),
    SectionName("outlook", "将来展望", ("outlook", "future", "将来", "将来展望", "展望", "将来性")),
    SectionName("learn", "学習方法", ("learn", "learning", "study", "学習", "学習方法", "勉強", "勉強法")),
    SectionName("questions", "面接質問", ("questions", "interview", "qa", "面接", "質問", "面接質問", "質問一覧")),
    SectionName("question", "練習問題", ("question", "quiz", "practice", "random", "練習", "練習問題", "問題", "出題")),
)

_BY_ALIAS = {normalize_key(alias): s for s in SECTIONS for alias in (s.key, *s.aliases)}
SECTION_KEYS = tuple(s.key for s in SECTIONS)


def resolve_section(word: str) -> SectionName | None:
    return _BY_ALIAS.get(normalize_key(word))


def section(key: str) -> SectionName:
    return next(s for s in SECTIONS if s.key == key)
