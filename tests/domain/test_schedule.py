"""Schedule parsing and the maths of when a drill is due, with time always passed in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import (
    WEEKDAYS,
    Reveal,
    Schedule,
    ScheduleError,
    due_occurrences,
    next_occurrence,
)
from bot.domain.schedule_input import parse_schedule_set, parse_skip_date

NY = ZoneInfo("America/New_York")
UTC = timezone.utc


def schedule(**kw) -> Schedule:
    base = dict(channel_id="C1", role="ciso", post_time=time(9, 0), timezone="America/New_York", reveal=Reveal(offset=timedelta(hours=2)))
    base.update(kw)
    return Schedule(**base)


def test_parse_full_set_command():
    r = parse_schedule_set(["ciso", "07:30", "tz=Europe/London", "days=mon,wed,fri", "reveal=+90m"], "Asia/Tokyo")
    assert (r.role, r.post_time, r.timezone, r.days) == ("ciso", time(7, 30), "Europe/London", frozenset({0, 2, 4}))
    assert r.reveal == Reveal(offset=timedelta(minutes=90))
    d = parse_schedule_set(["all", "9:05"], "Asia/Tokyo")
    assert d.timezone == "Asia/Tokyo" and d.post_time == time(9, 5)
    assert parse_schedule_set(["ciso", "09:00", "days=weekdays", "reveal=18:00"], "UTC").reveal == Reveal(at=time(18, 0))
    assert parse_schedule_set(["ciso", "09:00", "days=平日"], "UTC").days == WEEKDAYS


@pytest.mark.parametrize(
    "words, message",
    [
        (["ciso", "25:00"], "「25:00」は時刻として正しくありません"),
        (["ciso", "9am"], "時刻は HH:MM の形で指定してください"),
        (["ciso", "09:00", "tz=Mars/Olympus"], "タイムゾーン「Mars/Olympus」は見つかりません"),
        (["ciso", "09:00", "reveal=08:00"], "回答ポイントの公開（08:00）は投稿（09:00）より後の時刻にしてください"),
        (["ciso", "09:00", "reveal=09:00"], "より後の時刻にしてください"),
        (["ciso", "09:00", "reveal=+0m"], "1分後から23時間59分後まで"),
        (["ciso", "09:00", "reveal=+25h"], "1分後から23時間59分後まで"),
        (["ciso", "09:00", "reveal=soon"], "reveal は HH:MM か +30m / +2h の形で"),
        (["ciso", "09:00", "days=funday"], "曜日「funday」は読めませんでした"),
        (["ciso", "09:00", "colour=blue"], "オプション「colour」はありません"),
        (["ciso"], "使い方"),
        (["ciso", "09:00", "extra"], "使い方"),
    ],
)
def test_bad_input_is_one_clear_sentence(words, message):
    with pytest.raises(ScheduleError) as err:
        parse_schedule_set(words, "Asia/Tokyo")
    assert message in str(err.value)


def test_skip_dates_must_be_real_and_not_past():
    today = date(2026, 11, 25)
    assert parse_skip_date("2026-12-31", today) == date(2026, 12, 31)
    with pytest.raises(ScheduleError, match="もう過ぎています"):
        parse_skip_date("2026-11-24", today)
    with pytest.raises(ScheduleError, match="YYYY-MM-DD"):
        parse_skip_date("2026-02-30", today)


def test_nine_am_new_york_on_both_sides_of_dst():
    s = schedule()
    # DST ends on 2026-11-01: 09:00 EDT is 13:00 UTC before, 09:00 EST is 14:00 UTC after.
    before = next_occurrence(s, datetime(2026, 10, 30, 12, 0, tzinfo=UTC))
    after = next_occurrence(s, datetime(2026, 11, 2, 12, 0, tzinfo=UTC))
    assert before.post_at == datetime(2026, 10, 30, 13, 0, tzinfo=UTC)
    assert after.post_at == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert before.post_at.astimezone(NY).hour == after.post_at.astimezone(NY).hour == 9
    # And in spring (DST starts 2026-03-08).
    spring = next_occurrence(s, datetime(2026, 3, 8, 0, 0, tzinfo=UTC))
    assert spring.post_at == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize("day, clock", [(date(2026, 3, 8), time(2, 30)), (date(2026, 11, 1), time(1, 30)), (date(2026, 3, 8), time(9, 0))])
def test_a_daily_drill_is_due_exactly_once_on_dst_days(day, clock):
    """Tick every minute across the DST day (and its neighbours): each local day is due once."""
    s = schedule(post_time=clock, reveal=Reveal(offset=timedelta(minutes=30)))
    start = datetime.combine(day - timedelta(days=1), time(0, 0), tzinfo=NY).astimezone(UTC)
    seen: set[tuple[str, datetime]] = set()
    now = start
    while now < start + timedelta(days=3):
        seen.update((o.local_date.isoformat(), o.post_at) for o in due_occurrences(s, now))
        now += timedelta(minutes=1)
    keys = [key for key, _ in seen]
    assert len(keys) == len(set(keys))  # one post instant per local day, never two
    for i in (-1, 0, 1):
        assert (day + timedelta(days=i)).isoformat() in keys
    posted = dict(seen)[day.isoformat()]
    # Even a wall-clock time that does not exist (02:30 on the spring-forward day) posts once.
    assert posted.astimezone(NY).date() == day


def test_weekdays_skip_dates_and_pause():
    s = schedule(days=WEEKDAYS, timezone="Asia/Tokyo")
    friday_after = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # Fri 10:00 JST, after the post
    assert next_occurrence(s, friday_after).local_date == date(2026, 11, 30)  # Monday
    skipped = schedule(days=WEEKDAYS, timezone="Asia/Tokyo", skip_dates=frozenset({date(2026, 11, 30)}))
    assert next_occurrence(skipped, friday_after).local_date == date(2026, 12, 1)
    assert next_occurrence(schedule(paused=True), friday_after) is None
    assert due_occurrences(schedule(paused=True), friday_after) == []


def test_a_schedule_set_after_todays_time_starts_tomorrow():
    now = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)  # 09:30 JST
    s = schedule(timezone="Asia/Tokyo", effective_from=now)
    assert due_occurrences(s, now) == []
    assert next_occurrence(s, now).local_date == date(2026, 11, 26)


def test_reveal_at_clock_time_and_across_midnight():
    s = schedule(timezone="UTC", post_time=time(22, 0), reveal=Reveal(offset=timedelta(hours=3)))
    due = due_occurrences(s, datetime(2026, 11, 26, 0, 30, tzinfo=UTC))
    assert [o.key for o in due] == ["2026-11-25@UTC"]  # yesterday's drill is still open until 01:00
    assert due[0].reveal_at == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    clock = schedule(timezone="UTC", reveal=Reveal(at=time(18, 0)))
    assert next_occurrence(clock, datetime(2026, 11, 25, 0, 0, tzinfo=UTC)).reveal_at == datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def test_the_reveal_reads_as_a_person_would_say_it():
    assert Reveal(offset=timedelta(minutes=30)).describe() == "投稿の30分後"
    assert Reveal(offset=timedelta(hours=8)).describe() == "投稿の8時間後"
    assert Reveal(offset=timedelta(minutes=90)).describe() == "投稿の1時間30分後"
    assert Reveal(at=time(18, 0)).describe() == "18:00"
