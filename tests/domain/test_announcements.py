"""When a reminder and a weekly digest are due, and what goes into a digest, with time passed in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.domain.announcements import (
    DIGEST_GRACE,
    DigestDrill,
    coming_days,
    describe_left,
    digest_due,
    hardest_questions,
    latest_digest_at,
    reminder_at,
    shorten,
    top_streaks,
    week_key,
)
from bot.domain.schedule import WEEKDAYS, Digest, Remind, Reveal, Schedule

UTC = timezone.utc
TOKYO = ZoneInfo("Asia/Tokyo")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def tokyo(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TOKYO).astimezone(UTC)


def test_a_reminder_before_the_reveal_counts_back_from_it():
    posted, reveal = tokyo(25, 9), tokyo(25, 17)
    assert reminder_at(Remind(before=timedelta(hours=1)), posted, reveal, "Asia/Tokyo") == tokyo(25, 16)
    assert reminder_at(Remind(before=timedelta(minutes=30)), posted, reveal, "Asia/Tokyo") == tokyo(25, 16, 30)


def test_a_clock_time_reminder_is_on_the_reveals_local_day_in_the_drills_zone():
    assert reminder_at(Remind(at=time(16, 30)), tokyo(25, 9), tokyo(25, 17), "Asia/Tokyo") == tokyo(25, 16, 30)
    # A reveal after midnight: the last such clock time before the reveal, on whichever day it falls.
    assert reminder_at(Remind(at=time(1, 0)), tokyo(25, 20), tokyo(26, 2), "Asia/Tokyo") == tokyo(26, 1)
    assert reminder_at(Remind(at=time(23, 0)), tokyo(25, 20), tokyo(26, 4), "Asia/Tokyo") == tokyo(25, 23)


def test_no_reminder_unless_it_falls_strictly_between_the_post_and_the_reveal():
    posted, reveal = tokyo(25, 9), tokyo(25, 17)
    assert reminder_at(Remind(before=timedelta(hours=8)), posted, reveal, "Asia/Tokyo") is None  # at the post
    assert reminder_at(Remind(before=timedelta(hours=9)), posted, reveal, "Asia/Tokyo") is None  # before it
    assert reminder_at(Remind(at=time(17, 0)), posted, reveal, "Asia/Tokyo") is None  # at the reveal
    assert reminder_at(Remind(at=time(20, 0)), posted, reveal, "Asia/Tokyo") is None  # after it
    assert reminder_at(Remind(at=time(8, 0)), posted, reveal, "Asia/Tokyo") is None  # before the post
    # The post itself came late (after downtime): a reminder before it would only repeat the question.
    assert reminder_at(Remind(before=timedelta(hours=1)), tokyo(25, 16, 30), reveal, "Asia/Tokyo") is None


def test_time_left_is_said_in_whole_minutes_rounded_up():
    assert describe_left(timedelta(hours=1)) == "1時間"
    assert describe_left(timedelta(minutes=45)) == "45分"
    assert describe_left(timedelta(hours=2, minutes=29, seconds=10)) == "2時間30分"
    assert describe_left(timedelta(seconds=5)) == "1分"


def test_the_latest_digest_instant_is_this_weeks_once_its_time_has_come():
    friday_six = Digest(day=4, at=time(18, 0))
    assert latest_digest_at(friday_six, "Asia/Tokyo", tokyo(27, 18)) == tokyo(27, 18)
    assert latest_digest_at(friday_six, "Asia/Tokyo", tokyo(28, 10)) == tokyo(27, 18)
    assert latest_digest_at(friday_six, "Asia/Tokyo", tokyo(27, 17, 59)) == tokyo(20, 18)


def test_a_digest_is_due_within_its_grace_period_and_after_the_setting_took_effect():
    friday_six = Digest(day=4, at=time(18, 0))
    assert digest_due(friday_six, "Asia/Tokyo", tokyo(27, 18, 0), EPOCH) == tokyo(27, 18)
    assert digest_due(friday_six, "Asia/Tokyo", tokyo(27, 18) + DIGEST_GRACE, EPOCH) == tokyo(27, 18)
    # Later than that (the bot was down): this week's digest would be stale, so none.
    assert digest_due(friday_six, "Asia/Tokyo", tokyo(27, 18) + DIGEST_GRACE + timedelta(minutes=1), EPOCH) is None
    # Set at 18:30 that Friday: the first digest is next week's.
    assert digest_due(friday_six, "Asia/Tokyo", tokyo(27, 18, 31), tokyo(27, 18, 30)) is None


def test_the_week_key_is_the_iso_week_of_the_local_date():
    assert week_key(tokyo(27, 18), "Asia/Tokyo") == "2026-W48"
    # 2027-01-01 is a Friday of ISO week 53 of 2026.
    assert week_key(datetime(2027, 1, 1, 18, tzinfo=TOKYO), "Asia/Tokyo") == "2026-W53"
    # The local date decides: Monday 08:00 in Tokyo is still Sunday (week 48) in UTC; the key is Tokyo's.
    assert week_key(datetime(2026, 11, 30, 8, tzinfo=TOKYO), "Asia/Tokyo") == "2026-W49"


def test_next_weeks_days_follow_the_schedules_days_and_skip_dates():
    schedule = Schedule(
        channel_id="C1",
        role="ciso",
        post_time=time(9, 0),
        timezone="Asia/Tokyo",
        days=WEEKDAYS,
        reveal=Reveal(offset=timedelta(hours=8)),
        skip_dates=frozenset({date(2026, 12, 2)}),
    )
    coming = coming_days(schedule, tokyo(27, 18))
    assert [o.local_date for o in coming] == [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 4)]
    assert coming[0].post_at == tokyo(30, 9)
    paused = Schedule(**{**schedule.__dict__, "paused": True})
    assert coming_days(paused, tokyo(27, 18)) == ()


def test_a_morning_digest_lists_the_drill_still_to_come_that_day_and_a_week_from_it():
    schedule = Schedule(channel_id="C1", role="ciso", post_time=time(9, 0), timezone="Asia/Tokyo", days=frozenset({0, 2}))
    monday_eight = tokyo(30, 8)  # a Monday digest at 08:00, an hour before that day's drill
    coming = coming_days(schedule, monday_eight)
    assert [o.local_date for o in coming] == [date(2026, 11, 30), date(2026, 12, 2)]
    # At 10:00 that day's drill is past; next Monday's is seven days on and is listed instead.
    assert [o.local_date for o in coming_days(schedule, tokyo(30, 10))] == [date(2026, 12, 2), date(2026, 12, 7)]


def _drill(n: int) -> DigestDrill:
    return DigestDrill("CISO", n, f"質問{n}", tokyo(20 + n, 9), f"1800000000.00000{n}", answered=n)


def test_the_hardest_questions_are_the_lowest_mean_self_grades_among_those_graded():
    drills = [(1, _drill(1)), (2, _drill(2)), (3, _drill(3)), (4, _drill(4))]
    hardest = hardest_questions(drills, {1: [3, 4], 2: [1, 2, 1], 4: [1, 2, 1, 2]})
    assert [(h.drill.number, round(h.mean_rating, 2), h.ratings) for h in hardest] == [(2, 1.33, 3), (4, 1.5, 4), (1, 3.5, 2)]
    assert hardest_questions(drills, {}) == ()


def test_top_streaks_are_longest_first_with_stable_ties_and_no_zeros():
    assert top_streaks({"UB": 3, "UA": 3, "UC": 5, "UD": 0, "UE": 1}, limit=3) == [("UC", 5), ("UA", 3), ("UB", 3)]


def test_a_long_question_is_shortened_to_one_line():
    assert shorten("短い質問") == "短い質問"
    long = "あ" * 50 + "\n続き"
    assert shorten(long, limit=10) == "あ" * 9 + "…"


def test_a_clock_time_that_happens_twice_reminds_at_the_last_one_before_the_reveal():
    """When clocks go back, 01:30 happens twice: the later one when both are before the reveal, the
    earlier one when the reveal falls between them, and a time skipped in spring is read an hour on."""
    ny = ZoneInfo("America/New_York")
    first, second = datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert first.astimezone(ny).strftime("%H:%M") == second.astimezone(ny).strftime("%H:%M") == "01:30"
    posted = datetime(2026, 11, 1, 0, 0, tzinfo=ny)
    remind = Remind(at=time(1, 30))
    assert reminder_at(remind, posted, datetime(2026, 11, 1, 7, 0, tzinfo=UTC), "America/New_York") == second
    assert reminder_at(remind, posted, datetime(2026, 11, 1, 6, 0, tzinfo=UTC), "America/New_York") == first
    spring_posted = datetime(2026, 3, 8, 0, 0, tzinfo=ny)
    assert reminder_at(Remind(at=time(2, 30)), spring_posted, datetime(2026, 3, 8, 9, 0, tzinfo=UTC), "America/New_York") == datetime(
        2026, 3, 8, 7, 30, tzinfo=UTC
    )


def test_next_week_is_seven_local_days_even_when_the_clocks_go_back_in_it():
    """New York's week from Sunday 25 October 2026 09:00 lasts 169 hours: next Sunday's 09:00 drill
    is in it."""
    ny = ZoneInfo("America/New_York")
    schedule = Schedule(channel_id="C1", role="ciso", post_time=time(9, 0), timezone="America/New_York")
    coming = coming_days(schedule, datetime(2026, 10, 25, 9, 0, tzinfo=ny).astimezone(UTC))
    assert [o.local_date for o in coming] == [date(2026, 10, 26) + timedelta(days=n) for n in range(7)]
    assert coming[-1].post_at == datetime(2026, 11, 1, 9, 0, tzinfo=ny).astimezone(UTC)
