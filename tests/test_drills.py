"""The drill's use-cases on a real database (SQLite and PostgreSQL), with time injected."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta, timezone

import pytest

from bot.domain.schedule_input import parse_schedule_set
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import ChatError
from bot.store.models import ScheduleRow
from bot.testing import ADMIN, CH
from bot.testing.world import World
from bot.usecases.schedule_admin import NotAllowed

UTC = timezone.utc


def test_post_reply_reveal_cycle(world):
    world.set("ciso", "09:00", "reveal=+1h")
    assert world.at(8, 59).posted == [] and world.chat.sent == []
    world.at(9, 0)
    questions = world.chat.of("question", CH)
    assert len(questions) == 1
    post = questions[0].post
    assert post.role_slug == "ciso_project_position" and post.total == 20
    assert post.reveal_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    world.at(9, 5)
    assert len(world.chat.of("question")) == 1  # never twice

    ts = questions[0].ts
    at = world.clock()
    assert world.replies.record(CH, ts, "1800000100.000001", "UALICE001", at)
    assert not world.replies.record(CH, ts, "1800000100.000001", "UALICE001", at)  # retried delivery
    assert world.replies.record(CH, ts, "1800000100.000002", "UBOB00001", at + timedelta(minutes=1))
    assert world.replies.record(CH, ts, "1800000100.000003", "UALICE001", at + timedelta(minutes=2))  # second reply, same person
    assert world.replies.record(CH, ts, "1800000100.000004", "UCAROL001", at)
    world.replies.remove(CH, ts, "1800000100.000004")  # Carol deleted hers
    assert not world.replies.record(CH, "9999.0001", "1800000100.000005", "UDAVE0001", at)  # not a drill thread

    world.at(9, 59)
    assert world.chat.of("reveal") == []
    world.at(10, 0)
    world.at(10, 1)
    reveals = world.chat.of("reveal", CH)
    assert len(reveals) == 1
    reveal = reveals[0].reveal
    assert reveals[0].thread_ts == ts
    assert reveal.participants == ("UALICE001", "UBOB00001")
    role = world.bot.catalog.by_slug(post.role_slug)
    assert reveal.answer_points == role.question(post.number).answer_points
    updates = world.chat.of("update", CH)
    assert len(updates) == 1 and updates[0].post.revealed

    # A reply after the reveal is kept, but as late: it is not in the (already posted) reveal.
    assert world.replies.record(CH, ts, "1800000200.000001", "ULATE0001", world.clock())
    stats = world.replies.stats("UALICE001", CH, team_id=SINGLE_WORKSPACE)
    assert (stats.answered, stats.streak) == (1, 1)
    assert world.replies.stats("UCAROL001", CH, team_id=SINGLE_WORKSPACE).answered == 0


def test_two_services_on_one_database_post_and_reveal_once(db_url):
    a, b = World(db_url, seed=1), World(db_url, seed=2)
    try:
        a.set("ciso", "09:00", "reveal=+30m")
        for channel in ("C2", "C3", "C4"):
            a.set("all", "09:00", "reveal=+30m", channel=channel)
        for minute in (0, 1, 30, 31):
            barrier = threading.Barrier(2)

            def run(world, minute=minute, barrier=barrier):
                barrier.wait()
                world.at(9, minute)

            threads = [threading.Thread(target=run, args=(w,)) for w in (a, b)]
            [t.start() for t in threads]
            [t.join(30) for t in threads]
        questions = a.chat.of("question") + b.chat.of("question")
        reveals = a.chat.of("reveal") + b.chat.of("reveal")
        assert sorted(q.channel for q in questions) == ["C0STUDY01", "C2", "C3", "C4"]
        assert sorted(r.channel for r in reveals) == ["C0STUDY01", "C2", "C3", "C4"]
    finally:
        a.bot.engine.dispose()
        b.bot.engine.dispose()


def test_rotation_survives_a_restart_without_repeats(db_url):
    asked = []
    for day in range(20):
        world = World(db_url, seed=day)  # a fresh process every day
        if day == 0:
            world.set("ciso", "09:00", "reveal=+1h")
        world.clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC) + timedelta(days=day)
        world.cycle.tick(world.clock.now)
        asked += [q.post.number for q in world.chat.of("question")]
        world.bot.engine.dispose()
    assert sorted(asked) == list(range(1, 21))


def test_restart_recovery(world):
    world.set("ciso", "09:00", "reveal=+2h")
    # The bot was down from before 09:00 until 10:00: the post is made late, once.
    world.at(10, 0)
    assert len(world.chat.of("question")) == 1
    # Down again over the reveal time: the overdue reveal is made on start.
    world.at(12, 30)
    assert len(world.chat.of("reveal")) == 1
    # Down over a whole day's post and reveal: recorded as missed, never posted afterwards.
    world.at(12, 0, day=26)
    assert len(world.chat.of("question")) == 1
    missed = [r for r in world.rows() if r.occurrence == "2026-11-26@UTC"]
    assert missed[0].status == "missed" and "not running" in missed[0].last_error


def test_rate_limited_post_is_retried_next_tick_and_posted_once(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.chat.failures = [ChatError("ratelimited"), ChatError("http_500")]
    first = world.at(9, 0)
    assert first.posted == [] and world.chat.of("question") == []
    world.at(9, 0)
    world.at(9, 1)
    assert len(world.chat.of("question")) == 1
    row = world.rows()[0]
    assert row.status == "posted" and row.attempts == 3


def test_bot_not_in_channel_is_missed_and_the_admin_is_told(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.chat.failures = [ChatError("not_in_channel", retryable=False)]
    world.at(9, 0)
    world.at(9, 1)
    assert world.chat.of("question") == []
    dm = world.chat.of("dm", ADMIN)
    assert len(dm) == 1 and "/invite @career-drill" in dm[0].text
    assert world.rows()[0].status == "missed"


def test_a_crashed_claim_is_taken_over_after_its_lease(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.at(8, 59)
    world.clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    with world.cycle.sessions.begin() as s:
        world.cycle._create_due(s, world.clock.now)
    row = world.rows()[0]
    with world.cycle.sessions.begin() as s:
        from bot.store import leases

        assert leases.claim(s, leases.POSTING, row.id, "dead-process", world.clock.now, world.clock.now)
    world.at(9, 1)
    assert world.chat.of("question") == []  # the lease (2 minutes) still holds
    world.at(9, 3)
    assert len(world.chat.of("question")) == 1


def test_drill_now_and_reveal_now(world):
    world.set("ciso", "09:00", "reveal=+2h")
    world.clock.now = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    reveal_at, zone = world.schedules.drill_now(CH, ADMIN, world.clock(), team_id=SINGLE_WORKSPACE)
    assert (reveal_at, zone) == (datetime(2026, 11, 25, 17, 0, tzinfo=UTC), "UTC")
    world.cycle.tick(world.clock())
    assert len(world.chat.of("question")) == 1
    world.schedules.reveal_now(CH, ADMIN, world.clock(), team_id=SINGLE_WORKSPACE)
    world.cycle.tick(world.clock())
    assert len(world.chat.of("reveal")) == 1


def test_non_admins_change_nothing(world):
    world.set("ciso", "09:00")
    request = parse_schedule_set(["cto", "10:00"], "UTC")
    for action in (
        lambda: world.schedules.set(CH, "UMEMBER01", request, world.clock(), team_id=SINGLE_WORKSPACE),
        lambda: world.schedules.pause(CH, "UMEMBER01", world.clock(), team_id=SINGLE_WORKSPACE),
        lambda: world.schedules.remove(CH, "UMEMBER01", world.clock(), team_id=SINGLE_WORKSPACE),
        lambda: world.schedules.skip(CH, "UMEMBER01", "2026-12-01", world.clock(), team_id=SINGLE_WORKSPACE),
        lambda: world.schedules.drill_now(CH, "UMEMBER01", world.clock(), team_id=SINGLE_WORKSPACE),
        lambda: world.schedules.reveal_now(CH, "UMEMBER01", world.clock(), team_id=SINGLE_WORKSPACE),
    ):
        with pytest.raises(NotAllowed):
            action()
    view = world.schedules.show(CH, world.clock(), team_id=SINGLE_WORKSPACE)
    assert view.schedule.role == "ciso_project_position" and not view.schedule.paused
    assert [c.action for c in world.schedules.history(CH, team_id=SINGLE_WORKSPACE)] == ["set"]
    with world.cycle.sessions() as s:
        assert s.query(ScheduleRow).count() == 1


def test_every_change_is_recorded_with_before_and_after(world):
    world.set("ciso", "09:00")
    world.schedules.pause(CH, ADMIN, world.clock(), team_id=SINGLE_WORKSPACE)
    world.schedules.skip(CH, ADMIN, "2026-12-24", world.clock(), team_id=SINGLE_WORKSPACE)
    world.schedules.resume(CH, ADMIN, world.clock(), team_id=SINGLE_WORKSPACE)
    history = world.schedules.history(CH, team_id=SINGLE_WORKSPACE)
    assert [c.action for c in history] == ["resume", "skip", "pause", "set"]
    first = history[-1]
    assert first.before is None and (first.after.role, first.after.post_time, first.after.timezone) == (
        "ciso_project_position",
        time(9, 0),
        "UTC",
    )
    assert history[1].after.skip_dates == {date(2026, 12, 24)} and history[1].after.paused
    assert history[0].before.paused and not history[0].after.paused
    assert all(c.user_id == ADMIN for c in history)


def test_a_post_whose_answer_was_lost_is_found_not_repeated(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.chat.lost_responses = 1  # Slack posted it, but the bot timed out waiting
    world.at(9, 0)
    world.at(9, 1)
    world.at(9, 2)
    assert len(world.chat.of("question")) == 1
    row = world.rows()[0]
    assert row.status == "posted" and row.message_ts == world.chat.of("question")[0].ts
    assert world.chat.lookups == 1


def test_a_reveal_whose_answer_was_lost_is_found_not_repeated(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.at(9, 0)
    world.chat.lost_responses = 1
    world.at(10, 0)
    world.at(10, 1)
    assert len(world.chat.of("reveal")) == 1
    row = world.rows()[0]
    assert row.status == "revealed" and row.reveal_ts == world.chat.of("reveal")[0].ts


def test_a_process_killed_after_posting_is_taken_over_without_a_second_post(world):
    from bot.store import drills, leases

    world.set("ciso", "09:00", "reveal=+1h")
    world.at(8, 59)
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    with world.cycle.sessions.begin() as s:
        world.cycle._create_due(s, now)
    drill = world.rows()[0]
    # A process claimed it, chose a question, posted, and was killed before recording the post.
    with world.cycle.sessions.begin() as s:
        assert leases.claim(s, leases.POSTING, drill.id, "killed-process", now, now)
        row = world.bot.delivery._choose_question(s, drills.get_drill(s, drill.id), now)
        world.chat.post_question(CH, world.bot.delivery.post_view(row), f"question:{CH}:{row.occurrence}")
    world.at(9, 1)
    assert len(world.chat.of("question")) == 1 and world.rows()[0].status == "posting"  # lease holds
    world.at(9, 3)
    assert len(world.chat.of("question")) == 1
    assert world.rows()[0].status == "posted"


def test_an_attempted_drill_past_its_reveal_time_is_checked_before_it_is_called_missed(world):
    world.set("ciso", "09:00", "reveal=+1m")
    world.chat.lost_responses = 1
    world.at(9, 0)  # posted, but the answer was lost
    world.at(9, 5)  # past the reveal time: found, then revealed
    assert len(world.chat.of("question")) == 1 and len(world.chat.of("reveal")) == 1
    assert world.rows()[0].status == "revealed"
