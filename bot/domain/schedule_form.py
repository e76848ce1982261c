"""The schedule editor form: its fields, the values it opens with, and what a submission means.

A submitted form arrives as plain strings, one per field (the Slack adapter extracts them from
`view.state.values`, the console from `key=value` words), and becomes a ScheduleRequest through the
same parsers as `/career schedule set`, or a Japanese sentence per field saying what is wrong. The
field names are the form's block ids, so an error lands on the input it is about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from bot.domain.catalog import Resolved, RoleCatalog
from bot.domain.command_text import SCHEDULE_WORDS
from bot.domain.role import Level
from bot.domain.schedule import DAY_NAMES, DEFAULT_REVEAL, Schedule, ScheduleError
from bot.domain.schedule_input import (
    KEEP,
    ScheduleRequest,
    Unreadable,
    parse_clock,
    parse_common,
    parse_days,
    parse_digest,
    parse_order,
    parse_questions,
    parse_remind,
    parse_reveal,
    parse_schedule_levels,
    parse_switch,
    parse_timezone,
    remind_problem,
)
from bot.domain.text import normalize_key

_T = TypeVar("_T")

# Block ids of the form's inputs; also the keys of the console's `:schedule-form key=value`.
CHANNEL = "channel"
ROLE = "role"
TIME = "time"
TZ = "tz"
TZ_OTHER = "tz_other"
DAYS = "days"
REVEAL = "reveal"
ORDER = "order"
REMIND = "remind"
DIGEST = "digest"
FEEDBACK = "feedback"
QUESTIONS = "questions"
LEVEL = "level"
COMMON = "common"
FIELDS = (CHANNEL, ROLE, TIME, TZ, TZ_OTHER, DAYS, REVEAL, ORDER, REMIND, DIGEST, FEEDBACK, QUESTIONS, LEVEL, COMMON)

LABELS = {
    CHANNEL: "チャンネル",
    ROLE: "職種",
    TIME: "投稿時刻",
    TZ: "タイムゾーン",
    TZ_OTHER: "その他のタイムゾーン",
    DAYS: "曜日",
    REVEAL: "回答ポイントの公開",
    ORDER: "出題順",
    REMIND: "リマインダー",
    DIGEST: "週間まとめ",
    FEEDBACK: "回答のチェック",
    QUESTIONS: "出題範囲",
    LEVEL: "レベル",
    COMMON: "共通の質問",
}

# What a field says when its value has the wrong shape: in the form's own words (its labels, and
# an empty field to turn something off), where `/career schedule set` names its options.
UNREADABLE = {
    REVEAL: "回答ポイントの公開は HH:MM（投稿と同じ日の時刻）か +30m / +2h（投稿の何分・何時間後）の形で入力してください。",
    REMIND: "リマインダーは -1h / -30m（公開の何時間・何分前か）か 20:00 のような時刻で入力してください（やめるときは空欄に）。",
    DIGEST: "週間まとめは fri-18:00 のように曜日と時刻を1つずつ入力してください（やめるときは空欄に）。",
    ORDER: "出題順を一覧から選んでください。",
    FEEDBACK: "回答のチェックのオン・オフを選んでください。",
    QUESTIONS: "出題範囲は一覧から選ぶか、空欄にしてください。",
    LEVEL: "レベルは一覧から選ぶか、空欄（すべてのレベル）にしてください。",
    COMMON: "共通の質問の頻度は一覧から選んでください。",
}
STOP_BY_EMPTYING = "（やめるときは空欄に）"

# The zone select's choices, Japan first; any other IANA zone goes in the free-text field.
COMMON_ZONES = (
    ("Asia/Tokyo", "日本"),
    ("Asia/Seoul", "韓国"),
    ("Asia/Shanghai", "中国"),
    ("Asia/Taipei", "台湾"),
    ("Asia/Hong_Kong", "香港"),
    ("Asia/Singapore", "シンガポール"),
    ("Asia/Bangkok", "タイ"),
    ("Asia/Kolkata", "インド"),
    ("Asia/Dubai", "アラブ首長国連邦"),
    ("Europe/London", "イギリス"),
    ("Europe/Paris", "フランス"),
    ("Europe/Berlin", "ドイツ"),
    ("America/New_York", "アメリカ東部"),
    ("America/Chicago", "アメリカ中部"),
    ("America/Denver", "アメリカ山岳部"),
    ("America/Los_Angeles", "アメリカ西部"),
    ("America/Sao_Paulo", "ブラジル"),
    ("Australia/Sydney", "オーストラリア東部"),
    ("Pacific/Auckland", "ニュージーランド"),
    ("Pacific/Honolulu", "ハワイ"),
    ("UTC", "協定世界時"),
)
_COMMON = frozenset(name for name, _ in COMMON_ZONES)
DEFAULT_POST_TIME = "09:00"
# The level checkboxes' values, as parse_levels reads them.
LEVEL_VALUES = {Level.JUNIOR: "junior", Level.MIDDLE: "middle", Level.SENIOR: "senior"}
# A form value longer than this is no answer to any field: cut before it is parsed or quoted back.
MAX_VALUE_LENGTH = 100
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,30}$")


def zone_choices(current: str) -> list[tuple[str, str]]:
    """(zone, place) of the zone select: the common zones, Japan first, and the schedule's own zone
    when it is not one of them, so the form opens with it selected."""
    zones = list(COMMON_ZONES)
    if current and current not in _COMMON:
        zones.append((current, "現在の設定"))
    return zones


def opens_form(text: str) -> bool:
    """`/career schedule` with nothing after it: the form (in Slack), rather than `schedule show`."""
    words = (text or "").split()
    return len(words) == 1 and normalize_key(words[0]) in SCHEDULE_WORDS


def is_channel_id(text: str) -> bool:
    """A public (C…) or private (G…) channel's id, the only places a drill can run."""
    return bool(_CHANNEL_ID.fullmatch(text or ""))


def initial_values(schedule: Schedule | None, default_timezone: str) -> dict[str, str]:
    """What the form shows when it opens: the channel's schedule as it stands, or the defaults a
    new schedule gets."""
    zone = schedule.timezone if schedule else default_timezone
    return {
        ROLE: schedule.role if schedule else "",
        TIME: f"{schedule.post_time:%H:%M}" if schedule else DEFAULT_POST_TIME,
        # Always in the select (which lists a zone outside COMMON_ZONES too: see zone_choices): a
        # zone prefilled in the free-text field would override whatever the admin then picks.
        TZ: zone,
        TZ_OTHER: "",
        DAYS: ",".join(DAY_NAMES[d] for d in sorted(schedule.days)) if schedule else ",".join(DAY_NAMES),
        REVEAL: str(schedule.reveal if schedule else DEFAULT_REVEAL),
        ORDER: schedule.order if schedule else "adaptive",
        REMIND: str(schedule.remind) if schedule and schedule.remind else "",
        DIGEST: str(schedule.digest) if schedule and schedule.digest else "",
        FEEDBACK: "on" if (schedule.feedback if schedule else True) else "off",
        QUESTIONS: "all" if schedule and schedule.all_questions else "",
        LEVEL: ",".join(LEVEL_VALUES[level] for level in Level if schedule and level in schedule.levels),
        COMMON: str(schedule.common_every if schedule else 0),
    }


def parse_form(values: Mapping[str, str], role_known: Callable[[str], bool]) -> ScheduleRequest | dict[str, str]:
    """A submitted form → the request it makes, or {field: one Japanese sentence} for every field
    that is wrong. Empty reminder and digest fields turn them off; every other field is required."""
    errors: dict[str, str] = {}

    def text(field: str) -> str:
        value = values.get(field)
        return value.strip()[:MAX_VALUE_LENGTH] if isinstance(value, str) else ""

    def parsed(field: str, parse: Callable[[str], _T], missing: str | None = None) -> _T | None:
        value = text(field)
        if not value and missing is not None:
            errors[field] = missing
            return None
        try:
            return parse(value)
        except Unreadable as err:
            errors[field] = UNREADABLE[field] + f"「{err.text}」は読めませんでした。" if field in UNREADABLE else str(err)
            return None
        except ScheduleError as err:
            errors[field] = str(err)
            return None

    role = text(ROLE)
    if not role:
        errors[ROLE] = "職種を選んでください。"
    elif not role_known(role):
        errors[ROLE] = f"職種「{role}」は見つかりません。一覧から選んでください。"
    post_time = parsed(TIME, parse_clock, "投稿時刻を選んでください。")
    if text(TZ_OTHER):
        zone = parsed(TZ_OTHER, parse_timezone)
    else:
        zone = parsed(TZ, parse_timezone, "タイムゾーンを選ぶか、その他の欄に入力してください。")
    days = parsed(DAYS, parse_days, "曜日を1つ以上選んでください。")
    reveal = parsed(REVEAL, parse_reveal, "回答ポイントを公開する時刻（HH:MM）か、投稿からの時間（+30m / +2h）を入力してください。")
    order = parsed(ORDER, parse_order, "出題順を選んでください。")
    remind = parsed(REMIND, parse_remind) if text(REMIND) else None
    digest = parsed(DIGEST, parse_digest) if text(DIGEST) else None
    feedback = parsed(FEEDBACK, lambda value: parse_switch("回答のチェック", value), "回答のチェックのオン・オフを選んでください。")
    all_questions = parsed(QUESTIONS, parse_questions) if text(QUESTIONS) else False
    # A form that has no level or common field (an older form still open) keeps what is set.
    levels = (parsed(LEVEL, parse_schedule_levels) if text(LEVEL) else frozenset()) if LEVEL in values else KEEP
    common_every = (parsed(COMMON, parse_common) if text(COMMON) else 0) if COMMON in values else KEEP
    if post_time is not None and reveal is not None and reveal.at is not None and reveal.at <= post_time:
        errors[REVEAL] = f"回答ポイントの公開（{reveal}）は投稿（{post_time:%H:%M}）より後の時刻にしてください。"
    elif post_time is not None and reveal is not None and remind is not None:
        # Shown under the reminder field: a reminder that could never come is refused there.
        problem = remind_problem(post_time, reveal, remind, how_to_stop=STOP_BY_EMPTYING)
        if problem:
            errors[REMIND] = problem
    if errors:
        return errors
    # A required field that did not parse left an error above.
    assert post_time is not None and zone is not None and days is not None and reveal is not None
    return ScheduleRequest(
        role=role,
        post_time=post_time,
        timezone=zone,
        days=days,
        reveal=reveal,
        all_questions=bool(all_questions),
        order=order,
        feedback=feedback,
        remind=remind,
        digest=digest,
        levels=frozenset() if levels is None else levels,
        common_every=0 if common_every is None else common_every,
    )


ALL_ROLES = "all"
ALL_ROLES_LABEL = "全職種ローテーション"
_ALL_WORDS = ("all", "全部", "すべて", "全職種")  # as ScheduleAdmin reads them


def role_choices(catalog: RoleCatalog) -> list[tuple[str, str]]:
    """(value, label) of the role field: the rotation across every role, then each role."""
    return [(ALL_ROLES, ALL_ROLES_LABEL), *((role.slug, role.short_title) for role in catalog.roles)]


def known_role(catalog: RoleCatalog) -> Callable[[str], bool]:
    """Whether a role field's value names a role (or every role), as `schedule set` reads it."""

    def known(value: str) -> bool:
        return value.strip().lower() in _ALL_WORDS or isinstance(catalog.resolve(value), Resolved)

    return known
