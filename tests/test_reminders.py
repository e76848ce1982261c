"""The pre-reveal reminder on a real database (SQLite and PostgreSQL), with time injected: one
thread reply at the right instant, never after the reveal, exactly once across restarts, replicas
and lost responses."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import Remind, Reveal, ScheduleError
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import ChatError
from bot.testing import ADMIN, CH
from bot.testing.fakes import Clock, RecordingChat
from bot.testing.reading import blocks_text as all_text
from bot.testing.world import World, in_tokyo, jst, tick_together
from bot.views.announcement_blocks import reminder_message

UTC = timezone.utc
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def clock():
    return Clock(jst(24, 21))  # the evening before the first drill


@pytest.fixture
def core(db_url, clock):
    c = in_tokyo(db_url, clock)
    yield c
    c.close()


def posted(core: World, *options: str) -> str:
    """A CISO drill posted at 09:00 Tokyo time on the 25th, revealed at 17:00: its thread ts."""
    core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", *options)
    core.at(jst(25, 9))
    (question,) = core.chat.of("question", CH)
    return question.ts  # type: ignore[return-value]


def test_one_reminder_in_the_thread_an_hour_before_the_reveal(core):
    thread = posted(core, "remind=-1h")
    core.at(jst(25, 15, 59))
    assert core.chat.of("reminder") == []
    core.at(jst(25, 16))
    (reminder,) = core.chat.of("reminder", CH)
    assert reminder.thread_ts == thread
    assert reminder.reminder.left_text == "1時間"
    message = reminder_message(reminder.reminder)
    text = all_text(message.blocks)
    assert "回答ポイントの公開まであと1時間です。" in text and "このスレッド" in text
    assert "<@" not in text and "<!" not in text  # it names nobody
    core.at(jst(25, 16, 30))
    core.at(jst(25, 17))
    assert len(core.chat.of("reminder")) == 1
    assert len(core.chat.of("reveal")) == 1


def test_a_clock_time_reminder_says_how_long_is_left(core):
    thread = posted(core, "remind=16:30")
    core.at(jst(25, 16, 29))
    assert core.chat.of("reminder") == []
    core.at(jst(25, 16, 30))
    (reminder,) = core.chat.of("reminder", CH)
    assert reminder.thread_ts == thread and reminder.reminder.left_text == "30分"


def test_a_clock_time_reminder_before_midnight_reaches_a_drill_revealed_after_it(core):
    core.set("ciso", "21:00", "tz=Asia/Tokyo", "reveal=+8h", "remind=23:00")
    core.at(jst(25, 21))
    (question,) = core.chat.of("question", CH)
    core.at(jst(25, 22, 59))
    assert core.chat.of("reminder") == []
    core.at(jst(25, 23))
    (reminder,) = core.chat.of("reminder", CH)
    assert reminder.thread_ts == question.ts and reminder.reminder.left_text == "6時間"


@pytest.mark.parametrize("remind", ["remind=-9h", "remind=-8h", "remind=20:00", "remind=17:00", "remind=08:00"])
def test_a_reminder_that_could_never_fall_before_the_reveal_is_refused_in_one_sentence(core, remind):
    core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "remind=-1h")
    answer = core.bot.router.handle_command(
        f"schedule set ciso 09:00 tz=Asia/Tokyo reveal=+8h {remind}", user_id=ADMIN, channel_id=CH, team_id=SINGLE_WORKSPACE
    )
    text = all_text(answer.blocks)
    assert len(answer.blocks) == 1 and "投稿（09:00）から回答ポイントの公開（投稿の8時間後）までの間になるように指定してください" in text
    assert core.bot.schedules.show(CH, core.clock(), team_id=SINGLE_WORKSPACE).schedule.remind == Remind(
        before=timedelta(hours=1)
    )  # unchanged


def test_a_kept_reminder_that_a_new_reveal_leaves_behind_is_refused_and_nothing_changes(core):
    core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "remind=-1h")
    with pytest.raises(ScheduleError, match="リマインダー（公開の1時間前）は、投稿（09:00）から回答ポイントの公開（投稿の30分後）までの間"):
        core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+30m")
    assert core.bot.schedules.show(CH, core.clock(), team_id=SINGLE_WORKSPACE).schedule.reveal == Reveal(offset=timedelta(hours=8))
    assert core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+30m", "remind=-10m").schedule.remind == Remind(before=timedelta(minutes=10))


def test_no_reminder_once_the_drill_was_revealed_early(core):
    posted(core, "remind=-1h")
    core.bot.schedules.reveal_now(CH, ADMIN, jst(25, 12), team_id=SINGLE_WORKSPACE)
    core.at(jst(25, 12))
    assert len(core.chat.of("reveal")) == 1
    core.at(jst(25, 16))
    core.at(jst(25, 16, 30))
    assert core.chat.of("reminder") == []


def test_no_reminder_when_it_is_turned_off(core):
    core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "remind=-1h")
    view = core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "remind=off")
    assert view.schedule.remind is None
    core.at(jst(25, 9))
    core.at(jst(25, 16))
    core.at(jst(25, 16, 30))
    assert len(core.chat.of("question")) == 1 and core.chat.of("reminder") == []


def test_a_reminder_missed_while_the_bot_was_down_is_sent_late_but_never_after_the_reveal(db_url, clock):
    first = in_tokyo(db_url, clock)
    try:
        posted(first, "remind=-1h")
        first.at(jst(25, 16, 40))  # down from 09:00 to 16:40: twenty minutes are left
        (reminder,) = first.chat.of("reminder")
        assert reminder.reminder.left_text == "20分"

        # The next day the bot is down from the post until after the reveal: no reminder at all.
        first.at(jst(26, 9))
        first.at(jst(26, 17, 5))
        assert len(first.chat.of("reveal")) == 2
        assert len(first.chat.of("reminder")) == 1
    finally:
        first.close()


def test_a_restarted_bot_does_not_remind_again(db_url, clock):
    first = in_tokyo(db_url, clock)
    posted(first, "remind=-1h")
    first.at(jst(25, 16))
    assert len(first.chat.of("reminder")) == 1
    first.close()

    second = in_tokyo(db_url, clock)  # the same database after a restart
    try:
        second.at(jst(25, 16))
        second.at(jst(25, 16, 30))
        assert second.chat.of("reminder") == []
        assert [p.status for p in second.posts("reminder")] == ["sent"]
    finally:
        second.close()


def test_two_replicas_racing_send_each_reminder_once(db_url, clock):
    chat = RecordingChat()  # one channel seen by both replicas
    channels = [f"C0RACE{n:03d}" for n in range(6)]
    a, b = in_tokyo(db_url, clock, chat=chat), in_tokyo(db_url, clock, chat=chat)
    try:
        for channel in channels:
            a.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "remind=-1h", channel=channel)
        a.at(jst(25, 9))
        assert len(chat.of("question")) == len(channels)

        clock.now = jst(25, 16)
        tick_together([a, b], jst(25, 16))
        reminders = chat.of("reminder")
        assert sorted(r.channel for r in reminders) == sorted(channels)
        a.at(jst(25, 16, 1))
        b.at(jst(25, 16, 1))
        assert len(chat.of("reminder")) == len(channels)
    finally:
        a.close()
        b.close()


def test_a_lost_response_is_found_in_the_thread_rather_than_posted_twice(core):
    thread = posted(core, "remind=-1h")
    core.chat.lost_responses = 1  # the reminder is posted but its answer never arrives
    core.at(jst(25, 16))
    assert len(core.chat.of("reminder")) == 1
    lookups = core.chat.lookups
    core.at(jst(25, 16, 1))
    (reminder,) = core.chat.of("reminder")
    assert core.chat.lookups > lookups  # the retry looked before posting
    (row,) = core.posts("reminder")
    assert row.status == "sent" and row.message_ts == reminder.ts and reminder.thread_ts == thread


def test_a_rate_limited_reminder_waits_for_retry_after(core):
    posted(core, "remind=-1h")
    core.chat.failures.append(ChatError("ratelimited", retry_after=30))
    core.at(jst(25, 16))
    core.at(jst(25, 16, 0, 20))
    assert core.chat.of("reminder") == []
    core.at(jst(25, 16, 0, 31))
    assert len(core.chat.of("reminder")) == 1


def test_a_drill_now_question_gets_its_reminder_by_the_same_rule(core):
    core.set("ciso", "23:00", "tz=Asia/Tokyo", "reveal=+2h", "remind=-30m")
    core.bot.schedules.drill_now(CH, ADMIN, jst(25, 10), team_id=SINGLE_WORKSPACE)
    core.at(jst(25, 10))
    (question,) = core.chat.of("question", CH)
    core.at(jst(25, 11, 29))
    assert core.chat.of("reminder") == []
    core.at(jst(25, 11, 30))
    (reminder,) = core.chat.of("reminder", CH)
    assert reminder.thread_ts == question.ts and reminder.reminder.left_text == "30分"


def test_schedule_show_and_history_name_the_reminder_and_digest(core):
    from bot.views.drill_blocks import schedule_history, schedule_show

    core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h")
    view = core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "remind=-90m", "digest=fri-18:00")
    shown = all_text(schedule_show(view).blocks)
    assert "公開の1時間30分前" in shown and "`remind=-90m`" in shown
    assert "毎週金曜 18:00" in shown and "`digest=fri-18:00`" in shown
    history = all_text(schedule_history(core.bot.schedules.history(CH, team_id=SINGLE_WORKSPACE), core.bot.schedules.role_label).blocks)
    assert "→" in history and "リマインダー 公開の1時間30分前・まとめ 毎週金曜 18:00" in history


def test_two_replicas_claiming_the_same_reminder_at_once_send_it_once(db_url, clock):
    """Both replicas found the reminder due before either claimed it: the claim decides."""
    chat = RecordingChat()
    a, b = in_tokyo(db_url, clock, chat=chat), in_tokyo(db_url, clock, chat=chat)
    try:
        posted_ts = posted(a, "remind=-1h")
        clock.now = jst(25, 16)
        assert a.bot.cycle.announcements.record_due(clock.now) == 1
        (row,) = a.posts("reminder")
        start = threading.Barrier(2)
        results: list[bool] = []

        def run(core: World) -> None:
            start.wait(timeout=10)
            results.append(core.bot.cycle.announcements.send(row.id, jst(25, 16)))

        threads = [threading.Thread(target=run, args=(c,)) for c in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(results) == [False, True]
        (reminder,) = chat.of("reminder")
        assert reminder.thread_ts == posted_ts
        b.at(jst(25, 16, 1))
        assert len(chat.of("reminder")) == 1
    finally:
        a.close()
        b.close()


def test_on_the_day_clocks_go_back_a_clock_time_reminder_fires_at_the_later_of_the_two(db_url):
    """New York's 1 November 2026 reads 01:30 twice (EDT, then EST an hour later). A drill posted at
    00:00 and revealed at 02:00 EST gets its `remind=01:30` the last time the clock reads 01:30
    before the reveal: half an hour before it, not an hour and a half."""
    new_york = ZoneInfo("America/New_York")
    clock = Clock(datetime(2026, 10, 31, 20, 0, tzinfo=new_york))
    core = in_tokyo(db_url, clock)
    try:
        core.set("ciso", "00:00", "tz=America/New_York", "reveal=+3h", "remind=01:30")
        core.at(datetime(2026, 11, 1, 4, 0, tzinfo=UTC))  # 00:00 EDT
        (question,) = core.chat.of("question", CH)
        assert question.post.reveal_at == datetime(2026, 11, 1, 7, 0, tzinfo=UTC)  # 02:00 EST
        core.at(datetime(2026, 11, 1, 5, 30, tzinfo=UTC))  # the first 01:30 (EDT)
        core.at(datetime(2026, 11, 1, 6, 29, tzinfo=UTC))
        assert core.chat.of("reminder") == []
        core.at(datetime(2026, 11, 1, 6, 30, tzinfo=UTC))  # the second 01:30 (EST)
        (reminder,) = core.chat.of("reminder", CH)
        assert reminder.thread_ts == question.ts and reminder.reminder.left_text == "30分"
        core.at(datetime(2026, 11, 1, 7, 0, tzinfo=UTC))
        assert len(core.chat.of("reminder")) == 1 and len(core.chat.of("reveal")) == 1
    finally:
        core.close()
