"""`/career …` text → a typed command. Pure: no Slack here, so the console parses the same way."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.domain.sections import resolve_section
from bot.domain.standings import parse_period
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
    levels: str = ""  # what followed `level=`, parsed by the lookup (so a bad word gets its sentence)


@dataclass(frozen=True)
class ScheduleCommand:
    action: str  # set | show | list | pause | resume | off | skip | history | help
    args: tuple[str, ...] = ()
    unknown: str = ""  # with "help": the subcommand typed that is none, as typed


@dataclass(frozen=True)
class DrillCommand:
    action: str  # now | reveal | help
    unknown: str = ""  # with "help": the subcommand typed that is none, as typed


@dataclass(frozen=True)
class StatsCommand:
    pass


@dataclass(frozen=True)
class ReviewCommand:
    """The member's private review queue."""


@dataclass(frozen=True)
class FeedbackCommand:
    """The member's own switch for answer feedback."""

    action: str  # on | off | help


@dataclass(frozen=True)
class LeaderboardCommand:
    """The channel's leaderboard for a period: week | month | all, or "" for a word that is none."""

    period: str


@dataclass(frozen=True)
class ExportCommand:
    """An admin's CSV of this channel's records: `days_text` as typed ("" for the default)."""

    days_text: str = ""


Command = (
    Help
    | ListRoles
    | ShowRole
    | ShowSection
    | Practice
    | ScheduleCommand
    | DrillCommand
    | StatsCommand
    | ReviewCommand
    | FeedbackCommand
    | LeaderboardCommand
    | ExportCommand
)

SCHEDULE_WORDS = {"schedule", "スケジュール", "予定"}
SCHEDULE_ACTIONS = {
    "set": "set",
    "設定": "set",
    "show": "show",
    "表示": "show",
    "確認": "show",
    "list": "list",
    "一覧": "list",
    "pause": "pause",
    "停止": "pause",
    "一時停止": "pause",
    "resume": "resume",
    "再開": "resume",
    "off": "off",
    "delete": "off",
    "remove": "off",
    "削除": "off",
    "skip": "skip",
    "スキップ": "skip",
    "休み": "skip",
    "history": "history",
    "履歴": "history",
}
DRILL_WORDS = {"drill", "ドリル"}
DRILL_ACTIONS = {"now": "now", "今すぐ": "now", "post": "now", "reveal": "reveal", "公開": "reveal", "答え": "reveal"}
STATS_WORDS = {"stats", "成績", "統計", "記録"}
REVIEW_WORDS = {"review", "復習", "おさらい"}
FEEDBACK_WORDS = {"feedback", "フィードバック", "チェック"}
FEEDBACK_ACTIONS = {"on": "on", "オン": "on", "off": "off", "オフ": "off"}
LEADERBOARD_WORDS = {"leaderboard", "ranking", "rankings", "ランキング", "順位", "ランキング表"}
EXPORT_WORDS = {"export", "csv", "エクスポート", "書き出し"}


def _action(word: str, actions: dict[str, str]) -> tuple[str, str]:
    """(action, "") for a known subcommand or a help word; ("help", word) for anything else."""
    key = normalize_key(word)
    if key in actions:
        return actions[key], ""
    return "help", ("" if key in {normalize_key(w) for w in HELP_WORDS} else word)


def closest_subcommand(word: str, actions: dict[str, str]) -> str | None:
    """The subcommand most like a mistyped one (`sett` → `set`), or None when none is close."""
    found = difflib.get_close_matches(normalize_key(word), list(actions), n=1, cutoff=0.6)
    return found[0] if found else None


_LEVEL_OPTION = re.compile(r"^(level|レベル)[=＝]", re.I)


def parse_command(text: str) -> Command:
    words = text.split()
    if not words or normalize_key(words[0]) in {normalize_key(w) for w in HELP_WORDS}:
        return Help()
    if len(words) == 1 and normalize_key(words[0]) in {normalize_key(w) for w in LIST_WORDS}:
        return ListRoles()
    head = normalize_key(words[0])
    if head in SCHEDULE_WORDS:
        action, unknown = _action(words[1], SCHEDULE_ACTIONS) if len(words) > 1 else ("show", "")
        return ScheduleCommand(action, tuple(words[2:]), unknown)
    if head in DRILL_WORDS:
        return DrillCommand(*_action(words[1], DRILL_ACTIONS)) if len(words) > 1 else DrillCommand("help")
    if head in STATS_WORDS and len(words) == 1:
        return StatsCommand()
    if head in REVIEW_WORDS and len(words) == 1:
        return ReviewCommand()
    if head in FEEDBACK_WORDS and len(words) <= 2:
        return FeedbackCommand(FEEDBACK_ACTIONS.get(normalize_key(words[1]), "help") if len(words) == 2 else "help")
    if head in LEADERBOARD_WORDS:
        return LeaderboardCommand((parse_period(words[1] if len(words) > 1 else None) or "") if len(words) <= 2 else "")
    if head in EXPORT_WORDS:
        return ExportCommand(" ".join(words[1:]))
    levels = [w.split("=", 1)[1] for w in words if _LEVEL_OPTION.match(w)]
    if levels and len(words) >= 3:
        rest = [w for w in words if not _LEVEL_OPTION.match(w)]
        for section_word, query_words in ((rest[-1], rest[:-1]), (rest[0], rest[1:])):
            found = resolve_section(section_word)
            if found is not None and found.key == "question":
                return Practice(" ".join(query_words), ",".join(levels))
    if len(words) >= 2:
        # Both "/career ciso スキル" and "/career スキル ciso" work.
        for section_word, rest in ((words[-1], words[:-1]), (words[0], words[1:])):
            found = resolve_section(section_word)
            if found is not None:
                query = " ".join(rest)
                return Practice(query) if found.key == "question" else ShowSection(query, found.key)
    return ShowRole(" ".join(words))


def in_direct_message(channel_id: str) -> bool:
    """A command typed in a DM with the bot (Slack's `D…` ids): no channel, so no drill, no
    leaderboard and no channel's records to show there."""
    return (channel_id or "").startswith("D")
