"""What an admin types for a schedule → checked values, or one Japanese sentence saying what is wrong.

Only user input goes through here; stored schedules are typed columns and are never re-parsed.
Messages quote the admin's words as they were typed; the chat adapter escapes them for display.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from bot.domain.role import Level, parse_levels
from bot.domain.schedule import (
    ALL_DAYS,
    DAY_LABELS_JA,
    DEFAULT_REVEAL,
    MAX_OFFSET,
    WEEKDAYS,
    Digest,
    Remind,
    Reveal,
    ScheduleError,
)

_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_JA_DAYS = {label: i for i, label in enumerate(DAY_LABELS_JA)}
# Days run together without commas, as Japanese writes them: 月水金, 月水金曜日, 月曜水曜金曜.
_JA_DAY = "[" + "".join(DAY_LABELS_JA) + "](?:曜日?)?"
_JA_RUN = re.compile(f"(?:{_JA_DAY})+")
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")
_OFFSET = re.compile(r"^\+(\d{1,4})\s*(m|min|分|h|時間)$", re.I)
# Zones named for a place. `localtime`, `Factory`, `posixrules` and the POSIX-style `EST5EDT` are
# real files in the tz database but no study group lives in them.
_GEOGRAPHIC_AREAS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
SCHEDULE_OPTIONS = ("tz", "days", "reveal", "questions", "order", "feedback", "remind", "digest", "level", "common")
USAGE = (
    "使い方: `/career schedule set <職種|all> <HH:MM> [tz=Asia/Tokyo] [days=weekdays] [reveal=+2h] [questions=all] [order=adaptive|rotation] "
    "[feedback=on|off] [remind=-1h|20:00|off] [digest=fri-18:00|off] [level=初級,中級|all] [common=0〜5]`"
)
MAX_COMMON_EVERY = 5


class Unreadable(ScheduleError):
    """A value of the wrong shape for its option. The sentence names the command's option
    (`reveal は…`, `… または off`); the schedule editor says it with its own labels instead."""

    def __init__(self, sentence: str, text: str):
        super().__init__(sentence)
        self.text = text


def parse_clock(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise ScheduleError(f"時刻は HH:MM の形で指定してください（例: 09:00）。「{text}」は読めませんでした。")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ScheduleError(f"「{text}」は時刻として正しくありません。00:00〜23:59 で指定してください。")
    return time(hour, minute)


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    names = {name for name in available_timezones() if name.split("/")[0] in _GEOGRAPHIC_AREAS}
    names.add("UTC")
    return {name.casefold(): name for name in names}


def parse_timezone(text: str) -> str:
    """An IANA zone named for a place (or UTC), in any case, returned in its canonical spelling."""
    name = _zone_names().get(text.strip().casefold())
    if name is None:
        raise ScheduleError(f"タイムゾーン「{text}」は見つかりません。Asia/Tokyo のような IANA 名（地域/都市）で指定してください。")
    ZoneInfo(name)  # present in this machine's tz database: listed by available_timezones()
    return name


def parse_days(text: str) -> frozenset[int]:
    word = text.strip().lower()
    if word in ("daily", "everyday", "毎日", "all"):
        return ALL_DAYS
    if word in ("weekdays", "weekday", "平日"):
        return WEEKDAYS
    if word in ("weekends", "weekend", "週末", "土日"):
        return frozenset({5, 6})
    days = set()
    parts = [part.strip() for part in re.split(r"[,、，・]", word)]
    pieces = [piece for part in parts for piece in (re.findall(_JA_DAY, part) if _JA_RUN.fullmatch(part) else [part])]
    for part in pieces:
        english = [i for i, full in enumerate(_FULL_DAY_NAMES) if len(part) >= 3 and full.startswith(part)]
        japanese = part.removesuffix("日") if part.endswith("曜日") else part
        japanese = japanese.removesuffix("曜")
        if english:
            days.add(english[0])
        elif japanese in _JA_DAYS:
            days.add(_JA_DAYS[japanese])
        else:
            raise ScheduleError(
                f"曜日「{part or text}」は読めませんでした。daily、weekdays、mon,wed,fri、または 月,水,金 のように指定してください。"
            )
    if not days:
        raise ScheduleError("曜日が空です。daily、weekdays、または mon,wed,fri のように指定してください。")
    return frozenset(days)


def parse_reveal(text: str) -> Reveal:
    word = text.strip()
    match = _OFFSET.match(word)
    if match:
        amount = int(match.group(1))
        unit = match.group(2).lower()
        offset = timedelta(hours=amount) if unit in ("h", "時間") else timedelta(minutes=amount)
        if offset <= timedelta(0) or offset > MAX_OFFSET:
            raise ScheduleError("回答ポイントの公開は投稿の1分後から23時間59分後までの間で指定してください。")
        return Reveal(offset=offset)
    if _TIME.match(word):
        return Reveal(at=parse_clock(word))
    raise Unreadable(f"reveal は HH:MM か +30m / +2h の形で指定してください。「{text}」は読めませんでした。", text)


_BEFORE = re.compile(r"^-(\d{1,4})\s*(m|min|分|h|時間)$", re.I)
_OFF = ("off", "オフ", "なし", "none")


def parse_remind(text: str) -> Remind | None:
    """`-1h` / `-30m` before the reveal, `20:00` (the last 20:00 before it), or `off` (None)."""
    word = text.strip()
    if word.lower() in _OFF:
        return None
    match = _BEFORE.match(word)
    if match:
        amount = int(match.group(1))
        before = timedelta(hours=amount) if match.group(2).lower() in ("h", "時間") else timedelta(minutes=amount)
        if before <= timedelta(0) or before > MAX_OFFSET:
            raise ScheduleError("リマインダーは公開の1分前から23時間59分前までの間で指定してください。")
        return Remind(before=before)
    if _TIME.match(word):
        return Remind(at=parse_clock(word))
    raise Unreadable(
        f"remind は -1h / -30m（公開の何時間・何分前か）、20:00 のような時刻、または off で指定してください。「{text}」は読めませんでした。",
        text,
    )


def remind_problem(post_time: time, reveal: Reveal, remind: Remind, how_to_stop: str = "（やめるときは remind=off）") -> str | None:
    """One sentence when the reminder can never fall strictly between a scheduled drill's post and
    its reveal (so it would never be sent), else None. Read on a day without DST: a confirmation
    must not promise a reminder that never comes. `how_to_stop` is said the way the admin turns it
    off where they typed it (the command's option, or the form's empty field)."""
    day = date(2001, 1, 1)
    post = datetime.combine(day, post_time)
    reveal_at = post + reveal.offset if reveal.offset is not None else datetime.combine(day, reveal.at)  # type: ignore[arg-type]
    if remind.before is not None:
        at = reveal_at - remind.before
    else:
        at = datetime.combine(reveal_at.date(), remind.at)  # type: ignore[arg-type]
        if at >= reveal_at:
            at -= timedelta(days=1)
    if post < at < reveal_at:
        return None
    return (
        f"リマインダー（{remind.describe()}）は、投稿（{post_time:%H:%M}）から回答ポイントの公開（{reveal.describe()}）までの間になるように指定してください"
        f"{how_to_stop}。"
    )


def parse_digest(text: str) -> Digest | None:
    """`fri-18:00` (a weekday and a time) or `off` (None)."""
    word = text.strip()
    if word.lower() in _OFF:
        return None
    day_text, sep, clock = word.rpartition("-")
    if sep and day_text.strip() and "," not in day_text and "、" not in day_text:
        try:
            days = parse_days(day_text)
        except ScheduleError:
            days = frozenset()
        if len(days) == 1:
            return Digest(day=next(iter(days)), at=parse_clock(clock))
    raise Unreadable(
        f"digest は fri-18:00 のように曜日と時刻を1つずつ、または off で指定してください。「{text}」は読めませんでした。", text
    )


def parse_skip_date(text: str, today: date) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(f"日付は YYYY-MM-DD の形で指定してください（例: {today.isoformat()}）。") from None
    if day < today:
        raise ScheduleError(f"{day.isoformat()} はもう過ぎています。今日以降の日付を指定してください。")
    return day


class Keep:
    """An option the admin did not give: the schedule keeps what it had."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


@dataclass(frozen=True)
class ScheduleRequest:
    """What `/career schedule set …` asked for, before it is checked against the roles."""

    role: str
    post_time: time
    timezone: str
    days: frozenset[int] = ALL_DAYS
    reveal: Reveal = field(default_factory=lambda: DEFAULT_REVEAL)
    all_questions: bool = False
    order: str | None = None  # None: keep the schedule's order (a new schedule is adaptive)
    feedback: bool | None = None  # None: keep the schedule's setting (a new schedule has it on)
    # KEEP: keep the schedule's setting (a new schedule has none); None: turned off.
    remind: Remind | None | Keep = KEEP
    digest: Digest | None | Keep = KEEP
    levels: frozenset[Level] | Keep = KEEP  # empty: every level
    common_every: int | Keep = KEEP  # 0: never a common question


ORDERS = ("adaptive", "rotation")


def parse_order(text: str) -> str:
    """`order=adaptive` brings back what the group struggles with; `order=rotation` asks every
    question once, in a shuffled order, before any repeats."""
    word = text.strip().lower()
    if word in ("adaptive", "適応", "復習"):
        return "adaptive"
    if word in ("rotation", "ローテーション", "順番"):
        return "rotation"
    raise Unreadable(
        f"order は adaptive（苦手な質問を復習に出す）か rotation（全問を一巡してから繰り返す）で指定してください。「{text}」は読めませんでした。",
        text,
    )


def parse_switch(name: str, text: str) -> bool:
    word = text.strip().lower()
    if word in ("on", "オン", "yes", "true"):
        return True
    if word in ("off", "オフ", "no", "false"):
        return False
    raise Unreadable(f"{name} は on か off で指定してください。「{text}」は読めませんでした。", text)


def parse_questions(text: str) -> bool:
    """`questions=all` also asks questions that have no answer points; the default asks only those
    whose points the reveal can show."""
    word = text.strip().lower()
    if word in ("all", "全部", "すべて"):
        return True
    if word in ("answered", "points", "回答ポイント付き"):
        return False
    raise Unreadable(
        f"questions は all（回答ポイントのない質問も出題）か answered（既定）で指定してください。「{text}」は読めませんでした。", text
    )


def parse_schedule_levels(text: str) -> frozenset[Level]:
    """`level=初級,中級` (or `all`): the levels a drill may ask; empty means all."""
    try:
        return parse_levels(text)
    except ValueError as err:
        raise Unreadable(str(err), text) from None


def parse_common(text: str) -> int:
    """`common=3`: every third scheduled drill asks one of the common questions; 0 turns it off."""
    word = unicodedata.normalize("NFKC", text).strip().lower()
    if word in _OFF:
        return 0
    if word.isdigit() and 0 <= int(word) <= MAX_COMMON_EVERY:
        return int(word)
    raise Unreadable(
        f"common は 0〜{MAX_COMMON_EVERY} の数で指定してください（例: common=3 で3回に1回、共通の質問を出題。0 か off でなし）。「{text}」は読めませんでした。",
        text,
    )


def parse_options(words: list[str], allowed: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
    """Split `key=value` options from positional words; an unknown or repeated option is refused."""
    positional = [w for w in words if "=" not in w]
    options: dict[str, str] = {}
    for word in words:
        if "=" not in word:
            continue
        key, _, value = word.partition("=")
        key = key.strip().lower()
        if key not in allowed:
            raise ScheduleError(f"オプション「{key}」はありません。使えるのは {'、'.join(k + '=' for k in allowed)} です。")
        if key in options:
            raise ScheduleError(f"オプション {key}= が2回指定されています。1回だけ指定してください。")
        options[key] = value
    return positional, options


def parse_schedule_set(words: list[str], default_timezone: str, default_reveal: Reveal | None = None) -> ScheduleRequest:
    positional, options = parse_options(words, SCHEDULE_OPTIONS)
    if len(positional) != 2:
        raise ScheduleError(USAGE)
    role, clock = positional
    request = ScheduleRequest(
        role=role,
        post_time=parse_clock(clock),
        timezone=parse_timezone(options["tz"]) if "tz" in options else default_timezone,
        days=parse_days(options["days"]) if "days" in options else ALL_DAYS,
        reveal=parse_reveal(options["reveal"]) if "reveal" in options else (default_reveal or DEFAULT_REVEAL),
        all_questions=parse_questions(options["questions"]) if "questions" in options else False,
        order=parse_order(options["order"]) if "order" in options else None,
        feedback=parse_switch("feedback", options["feedback"]) if "feedback" in options else None,
        remind=parse_remind(options["remind"]) if "remind" in options else KEEP,
        digest=parse_digest(options["digest"]) if "digest" in options else KEEP,
        levels=parse_schedule_levels(options["level"]) if "level" in options else KEEP,
        common_every=parse_common(options["common"]) if "common" in options else KEEP,
    )
    if request.reveal.at is not None and request.reveal.at <= request.post_time:
        raise ScheduleError(f"回答ポイントの公開（{request.reveal}）は投稿（{request.post_time:%H:%M}）より後の時刻にしてください。")
    return request
