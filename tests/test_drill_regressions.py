"""Regressions in the drill, each as a study group would notice it, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from bot.domain.schedule import ScheduleError
from bot.domain.schedule_input import parse_days, parse_schedule_set, parse_timezone
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import ChatError, ThreadMessage
from bot.testing import ADMIN, CH

UTC = timezone.utc


def test_a_thank_you_after_the_reveal_earns_no_credit(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.at(9, 0)
    ts = world.chat.of("question")[0].ts
    world.at(10, 1)  # revealed
    assert world.replies.record(CH, ts, "1800000300.000001", "ULATE0001", world.clock())
    stats = world.replies.stats("ULATE0001", CH, team_id=SINGLE_WORKSPACE)
    assert (stats.answered, stats.answered_here, stats.streak) == (0, 0, 0)
    assert world.chat.of("reveal")[0].reveal.participants == ()


def test_a_skipped_extra_drill_does_not_break_the_daily_streak(world):
    world.set("ciso", "09:00", "reveal=+1h")
    for day in (25, 26):
        world.at(9, 0, day=day)
        ts = [q for q in world.chat.of("question")][-1].ts
        world.replies.record(CH, ts, f"18000004{day}.000001", "UALICE001", world.clock())
        world.at(10, 1, day=day)
    world.clock.now = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    world.schedules.drill_now(CH, ADMIN, world.clock(), team_id=SINGLE_WORKSPACE)  # an extra question Alice never answers
    world.cycle.tick(world.clock())
    world.schedules.reveal_now(CH, ADMIN, world.clock(), team_id=SINGLE_WORKSPACE)
    world.cycle.tick(world.clock())
    assert len(world.chat.of("question")) == 3
    stats = world.replies.stats("UALICE001", CH, team_id=SINGLE_WORKSPACE)
    assert (stats.answered, stats.streak, stats.drills_here) == (2, 2, 3)


def test_moving_the_time_after_todays_post_promises_tomorrow_and_posts_once_a_day(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.at(9, 0)
    world.clock.now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    view = world.set("ciso", "11:00", "reveal=+1h")
    assert view.next.post_at == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)  # not "today 11:00"
    world.at(11, 0)
    world.at(11, 5)
    assert len(world.chat.of("question")) == 1
    world.at(11, 0, day=26)
    assert len(world.chat.of("question")) == 2


def test_a_change_of_zone_neither_skips_a_day_nor_posts_twice(world):
    # 09:00 in Tokyo is 00:00 UTC; the admin then moves the group to Los Angeles, still 09:00.
    world.clock.now = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    world.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+1h")
    world.at(0, 0, day=25)  # posted: 25 Nov in Tokyo, 24 Nov 16:00 in Los Angeles
    world.clock.now = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)
    view = world.set("ciso", "09:00", "tz=America/Los_Angeles", "reveal=+1h")
    # 25 Nov 09:00 in Los Angeles (17:00 UTC) has not been served: it is next, not the 26th.
    assert view.next.post_at == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    for hour in range(2, 24):
        world.at(hour, 0)
    assert len(world.chat.of("question")) == 2
    # The other way round: back to Tokyo. The Los Angeles drill went out at 02:00 on 26 Nov in
    # Tokyo, so that Tokyo day is served: the next is the 27th, and the 26th gets no second drill.
    world.clock.now = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    view = world.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+1h")
    assert view.next.post_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
    world.at(0, 0, day=26)
    world.at(0, 30, day=26)
    assert len(world.chat.of("question")) == 2
    world.at(0, 0, day=27)
    assert len(world.chat.of("question")) == 3


def test_replies_made_before_an_uncertain_post_was_adopted_are_counted_once(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.chat.lost_responses = 1  # Slack posted it; the bot never heard back
    world.at(9, 0)
    ts = world.chat.of("question")[0].ts
    # Members answered while the bot did not know the thread was its own; Slack will not resend.
    world.chat.thread[(CH, ts)] = [
        ThreadMessage(ts, "UBOT00001", bot=True),  # the question itself
        ThreadMessage("1795597230.000001", "UAKI00001"),
        ThreadMessage("1795597231.000002", "UBOT00001", bot=True),
        ThreadMessage("1795597232.000003", "UAKI00001", subtype="me_message"),
        ThreadMessage("1795597233.000004", "UBEN00001", subtype="channel_join"),
    ]
    world.at(9, 1)  # the retry finds the earlier post and adopts it
    world.at(9, 2)
    assert len(world.chat.of("question")) == 1
    world.at(10, 0)
    assert world.chat.of("reveal")[0].reveal.participants == ("UAKI00001",)


def test_a_failed_edit_of_the_question_is_retried_and_the_reveal_is_not_repeated(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.at(9, 0)
    world.chat.update_failures = [ChatError("http_500")]
    world.at(10, 0)
    assert len(world.chat.of("reveal")) == 1 and world.chat.of("update") == []
    world.at(10, 1)
    assert len(world.chat.of("reveal")) == 1 and len(world.chat.of("update")) == 1
    world.at(10, 2)
    assert len(world.chat.of("update")) == 1


def test_a_long_retry_after_is_kept_so_no_one_posts_before_it(world):
    world.set("ciso", "09:00", "reveal=+2h")
    world.chat.failures = [ChatError("ratelimited", retry_after=300)]
    world.at(9, 0)
    world.at(9, 3)  # past the lease, before Retry-After
    assert world.chat.of("question") == []
    world.at(9, 6)
    assert len(world.chat.of("question")) == 1


def test_a_retry_after_counts_from_when_slack_answered_on_the_bots_clock(world):
    """Slack takes 50 s (of the bot's clock) to answer 429 with Retry-After 60: the post waits until
    60 s after the answer, not 60 s after the tick began."""
    world.set("ciso", "09:00", "reveal=+2h")
    post_question = world.chat.post_question

    def slow_429(*args, **kwargs):
        world.chat.post_question = post_question  # the next post goes through
        world.clock.now += timedelta(seconds=50)
        raise ChatError("ratelimited", retryable=True, retry_after=60)

    world.chat.post_question = slow_429  # type: ignore[method-assign]
    world.at(9, 0)  # answered at 09:00:50
    world.at(datetime(2026, 11, 25, 9, 1, 49, tzinfo=UTC))
    assert world.chat.of("question") == []
    world.at(datetime(2026, 11, 25, 9, 1, 50, tzinfo=UTC))
    assert len(world.chat.of("question")) == 1


def test_the_tick_says_when_it_next_has_something_to_do(world):
    """What the console's `:next` and `:wait` stop at: the post, a kept Retry-After, the reveal, then
    the next day's post."""
    start = world.clock()
    assert world.cycle.next_due(start) is None
    world.set("ciso", "09:00", "reveal=+2h")
    assert world.cycle.next_due(start) == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    world.chat.failures = [ChatError("ratelimited", retry_after=300)]
    world.at(9, 0)
    retry = world.cycle.next_due(world.clock())
    assert retry is not None and datetime(2026, 11, 25, 9, 5, tzinfo=UTC) <= retry < datetime(2026, 11, 25, 9, 5, 1, tzinfo=UTC)
    world.clock.now = retry
    world.cycle.tick(retry)
    assert len(world.chat.of("question")) == 1
    assert world.cycle.next_due(world.clock()) == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    world.at(11, 0)
    assert len(world.chat.of("reveal")) == 1
    assert world.cycle.next_due(world.clock()) == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_drill_now_is_keyed_by_the_schedules_own_zone(world):
    world.set("ciso", "09:00", "tz=Asia/Tokyo")
    world.clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # 01:00 on the 26th in Tokyo
    world.schedules.drill_now(CH, ADMIN, world.clock(), team_id=SINGLE_WORKSPACE)
    assert [r.occurrence for r in world.rows()] == ["now:2026-11-26T01:00:00+0900"]


# ----------------------------------------------------------------------------- what admins type


@pytest.mark.parametrize(
    "text, days", [("日", {6}), ("日曜", {6}), ("日曜日", {6}), ("土,日", {5, 6}), ("月、水、金曜日", {0, 2, 4}), ("sun", {6})]
)
def test_sunday_can_be_typed_in_japanese(text, days):
    assert parse_days(text) == frozenset(days)


def test_a_repeated_option_is_refused():
    with pytest.raises(ScheduleError, match="2回"):
        parse_schedule_set(["ciso", "09:00", "tz=UTC", "tz=Asia/Tokyo"], "UTC")


def test_time_zones_are_read_in_any_case_and_only_places_count():
    assert parse_timezone("asia/tokyo") == "Asia/Tokyo"
    assert parse_timezone("AMERICA/NEW_YORK") == "America/New_York"
    assert parse_timezone("utc") == "UTC"
    for name in ("localtime", "Factory", "posixrules", "EST5EDT", "Mars/Olympus"):
        with pytest.raises(ScheduleError):
            parse_timezone(name)


def test_the_reveal_follows_a_post_pushed_by_a_dst_gap():
    from bot.domain.schedule import Reveal, Schedule, occurrence_on

    s = Schedule("C1", "ciso", time(2, 30), "America/New_York", reveal=Reveal(at=time(3, 0)))
    spring_forward = occurrence_on(s, date(2026, 3, 8))
    assert spring_forward.post_at == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert spring_forward.reveal_at - spring_forward.post_at == timedelta(minutes=30)  # 04:00 EDT
    ordinary = occurrence_on(s, date(2026, 3, 9))
    assert ordinary.reveal_at - ordinary.post_at == timedelta(minutes=30)


def test_a_failed_thread_read_after_adoption_is_retried_before_the_reveal(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.chat.lost_responses = 1
    world.at(9, 0)
    ts = world.chat.of("question")[0].ts
    world.chat.thread[(CH, ts)] = [ThreadMessage("1795597230.000001", "UAKI00001")]
    real_read = world.chat.thread_messages
    failures = [ChatError("http_503")]

    def flaky_read(channel_id, thread_ts):
        if failures:
            raise failures.pop(0)
        return real_read(channel_id, thread_ts)

    world.chat.thread_messages = flaky_read
    world.at(9, 1)  # adopts the post; the thread read fails
    world.at(9, 2)  # the read is retried and the reply counted
    world.at(10, 0)
    assert world.chat.of("reveal")[0].reveal.participants == ("UAKI00001",)


def test_a_reveal_that_slack_refuses_for_good_closes_the_drill(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.at(9, 0)
    world.chat.failures = [ChatError("is_archived", retryable=False)]
    world.at(10, 0)
    world.at(10, 1)
    world.at(10, 2)
    assert world.chat.of("reveal") == []
    row = world.rows()[0]
    assert row.status == "revealed" and row.last_error == "is_archived"


def test_a_reply_that_arrives_while_the_reveal_is_posted_is_late(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.at(9, 0)
    ts = world.chat.of("question")[0].ts
    from bot.store import leases

    with world.cycle.sessions.begin() as s:
        drill_id = world.rows()[0].id
        assert leases.claim(s, leases.REVEALING, drill_id, "other-replica", world.clock(), world.clock())
    assert world.replies.record(CH, ts, "1795597230.000009", "UBEN00001", world.clock())
    assert world.replies.stats("UBEN00001", CH, team_id=SINGLE_WORKSPACE).answered == 0


def test_a_schedule_set_for_this_very_minute_names_the_post_it_makes(world):
    world.clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    view = world.set("ciso", "09:00", "reveal=+1h")
    assert view.next.post_at == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    world.at(9, 0)
    assert len(world.chat.of("question")) == 1
