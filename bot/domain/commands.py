"""`/career …` text → a typed command. Pure: no Slack here, so the console parses the same way."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.sections import resolve_section
from bot.domain.text import normalize_key

HELP_WORDS = {"help", "ヘルプ", "使い方", "?", "？"}
LIST_WORDS = {"list", "roles", "一覧", "職種", "ロール"}


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class ListRoles:
    pass


@dataclass(frozen=True)
class ShowRole:
    query: str


@dataclass(frozen=True)
class ShowSection:
    query: str
    section: str


@dataclass(frozen=True)
class Practice:
    query: str


Command = Help | ListRoles | ShowRole | ShowSection | Practice


def parse_command(text: str) -> Command:
    words = text.split()
    if not words or normalize_key(words[0]) in {normalize_key(w) for w in HELP_WORDS}:
        return Help()
    if len(words) == 1 and normalize_key(words[0]) in {normalize_key(w) for w in LIST_WORDS}:
        return ListRoles()
    if len(words) >= 2:
        # Both "/career ciso スキル" and "/career スキル ciso" work.
        for section_word, rest in ((words[-1], words[:-1]), (words[0], words[1:])):
            found = resolve_section(section_word)
            if found is not None:
                query = " ".join(rest)
                return Practice(query) if found.key == "question" else ShowSection(query, found.key)
    return ShowRole(" ".join(words))
