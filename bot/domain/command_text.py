"""`/career …` text → a typed command. Pure: no Slack here, so the console parses the same way."""

from __future__ import annotations

import difflib
import enum
import re
import unicodedata
from dataclasses import dataclass

from bot.domain.mock_interview import DEFAULT_COUNT, MAX_COUNT, MIN_COUNT
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


@dataclass(frozen=True)
class MockCommand:
    """A one-to-one mock interview (模擬面接): start one over a role's (or the common) questions,
    stop the member's current one, or say how."""

    action: str  # start | stop | help
    query: str = ""  # the role, as typed
    count: int = DEFAULT_COUNT
    levels: str = ""  # what followed `level=`, parsed by the use case (so a bad word gets its sentence)
    bad_count: str = ""  # a count outside MIN_COUNT–MAX_COUNT, as typed: refused with a sentence


@dataclass(frozen=True)
class ProposeCommand:
    """`/career propose [role|common]`: open the modal to propose a question to the group's bank."""

    query: str = ""  # the role (or common) to preselect, as typed


@dataclass(frozen=True)
class QuestionsCommand:
    """`/career questions export [role]`, `import` or `list`: the workspace's own questions."""

    action: str  # export | import | list | help
    query: str = ""  # export: the role, as typed ("" for every role)


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
    | MockCommand
    | ProposeCommand
    | QuestionsCommand
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
MOCK_WORDS = {"mock", "模擬面接", "面接練習"}
PROPOSE_WORDS = {"propose", "提案", "質問を提案"}
QUESTIONS_WORDS = {"questions", "質問"}
QUESTIONS_ACTIONS = {
    "export": "export",
    "書き出し": "export",
    "エクスポート": "export",
    "import": "import",
    "取り込み": "import",
    "インポート": "import",
    "読み込み": "import",
    "list": "list",
    "一覧": "list",
}
MOCK_STOP_WORDS = {"stop", "end", "quit", "終了", "終わり", "おわり", "中止", "やめる"}


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
    if head in MOCK_WORDS:
        return parse_mock(words[1:])
    if head in PROPOSE_WORDS and len(words) <= 2:
        return ProposeCommand(words[1] if len(words) == 2 else "")
    # `/career questions export` (but `/career questions cto` is still the section of a role).
    if head in QUESTIONS_WORDS and len(words) >= 2 and normalize_key(words[1]) in QUESTIONS_ACTIONS:
        return QuestionsCommand(QUESTIONS_ACTIONS[normalize_key(words[1])], " ".join(words[2:]))
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


# ----------------------------------------------------------------------------- 模擬面接

_COUNT = re.compile(r"^(\d{1,3})(問|questions?|q)?$")


def parse_mock(words: list[str]) -> MockCommand:
    """What follows `mock` (or 模擬面接): `<role|common> [N] [level=…]`, `stop`, or nothing/help."""
    if not words or (len(words) == 1 and normalize_key(words[0]) in {normalize_key(w) for w in HELP_WORDS}):
        return MockCommand("help")
    if len(words) == 1 and normalize_key(words[0]) in MOCK_STOP_WORDS:
        return MockCommand("stop")
    levels = [w.split("=", 1)[1] if "=" in w else w.split("＝", 1)[1] for w in words if _LEVEL_OPTION.match(w)]
    query, count, bad = [], DEFAULT_COUNT, ""
    for word in words:
        if _LEVEL_OPTION.match(word):
            continue
        number = _COUNT.match(normalize_key(word))
        if number:
            value = int(number.group(1))
            count, bad = (value, "") if MIN_COUNT <= value <= MAX_COUNT else (DEFAULT_COUNT, word)
        else:
            query.append(word)
    if not query:
        return MockCommand("help", bad_count=bad)
    return MockCommand("start", " ".join(query), count, ",".join(levels), bad)


# A suggested prompt's wording, typed or chosen: 「CTOの模擬面接（5問）」「共通質問で練習」.
_PROMPT_MOCK = re.compile(r"^(?P<query>.+?)の?模擬面接(?:[（(](?P<count>\d{1,3})問[）)])?$")
_GLUED = re.compile(r"^模擬面接([a-z][a-z0-9_]*)$")
_PROMPT_COMMON = {"共通質問で練習", "共通質問で練習する", "共通質問"}
_PROMPT_REVIEW = {"今日の復習", "復習", "review", "復習する", "今日の復習をする"}


def parse_dm_text(text: str) -> MockCommand | ReviewCommand | None:
    """A message typed in the DM with the bot, outside a session: 「模擬面接 cto」, `mock cto 3`,
    a suggested prompt's words (「CTOの模擬面接（5問）」「共通質問で練習」「今日の復習」), or None
    for anything else (the DM is no command line: other text gets no command)."""
    plain = " ".join((text or "").split())
    if not plain:
        return None
    words = plain.split()
    head = normalize_key(words[0])
    if head in MOCK_WORDS:
        return parse_mock(words[1:])
    glued = _GLUED.match(head)  # 「模擬面接cto」 typed without a space
    if glued:
        return parse_mock([glued.group(1), *words[1:]])
    key = normalize_key(plain)
    if key in {normalize_key(w) for w in _PROMPT_COMMON}:
        return MockCommand("start", "common")
    if key in {normalize_key(w) for w in _PROMPT_REVIEW}:
        return ReviewCommand()
    prompt = _PROMPT_MOCK.match(plain.replace(" ", ""))
    if prompt:
        return parse_mock([prompt.group("query"), *([prompt.group("count")] if prompt.group("count") else [])])
    return None


class SessionInput(str, enum.Enum):
    """What a message means while a session is running: only スキップ and 終了 are commands;
    everything else is an answer, and 「以上です」 at its end says the answer is complete."""

    ANSWER = "answer"
    DONE = "done"  # an answer (or only 「以上です」) after which the feedback comes at once
    SKIP = "skip"
    STOP = "stop"


SKIP_WORDS = {"スキップ", "skip", "パス", "pass", "次へ", "次"}
# 「以上です」 alone or as the last sentence; not 「前年以上。」, which ends a sentence of the answer.
_DONE = re.compile(r"(?:^|[。.!?\s])以上(?:です|になります|となります)?[。.!\s]*$")


def parse_session_text(text: str) -> SessionInput:
    """The meaning of one message in a running session (its words are judged elsewhere, never kept)."""
    key = normalize_key(re.sub(r"[。．.!！]+$", "", (text or "").strip()))
    if key in {normalize_key(w) for w in SKIP_WORDS}:
        return SessionInput.SKIP
    if key in {normalize_key(w) for w in MOCK_STOP_WORDS} or key in {"終了します", "やめます", "終わります"}:
        return SessionInput.STOP
    if _DONE.search(unicodedata.normalize("NFKC", (text or "").strip())):
        return SessionInput.DONE
    return SessionInput.ANSWER
