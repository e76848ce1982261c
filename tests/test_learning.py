"""The learning loop on a real database (SQLite and PostgreSQL), with time injected: self-grades,
the group's adaptive question order, and each member's private review queue."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.domain.memory import Grade
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.store.models import CardRow, ReviewRow
from bot.testing import ADMIN, CH
from bot.testing.world import World
from bot.usecases.learning import CannotGrade
from bot.views.action_ids import Kind, action_id, encode

UTC = timezone.utc
DAY0 = datetime(2026, 11, 25, tzinfo=UTC)
SLUG = "ciso_project_position"
MEMBERS = ("UAKI00001", "UBEN00001", "UCHI00001", "UDAN00001", "UEMI00001")


def run_day(world: World, day: int) -> tuple[str, int]:
    """Post at 09:00 and reveal at 10:00 on day `day`; the (role#question id, drill id) asked."""
    world.clock.now = DAY0 + timedelta(days=day, hours=9)
    world.cycle.tick(world.clock.now)
    world.clock.now = DAY0 + timedelta(days=day, hours=10)
    world.cycle.tick(world.clock.now)
    reveal = world.chat.of("reveal", CH)[-1].reveal
    row = next(r for r in world.rows() if r.id == reveal.drill_id)
    return f"{row.role_slug}#{row.question_id}", row.id


def count(world: World, model, **where) -> int:
    with world.cycle.sessions() as s:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return s.scalar(query)


# ----------------------------------------------------------------------------- the group's next question


def test_a_question_the_group_forgets_comes_back_sooner_than_easy_ones_and_the_bank_is_covered(world):
    world.set("ciso", "09:00", "reveal=+1h")  # a new schedule: adaptive
    asked: dict[str, list[int]] = {}
    forgotten = None
    for day in range(40):
        key, drill_id = run_day(world, day)
        asked.setdefault(key, []).append(day)
        forgotten = forgotten or key  # the first question is the one the group struggles with
        grades = [Grade.AGAIN] * 4 + [Grade.GOOD] if key == forgotten else [Grade.EASY] * 5
        for member, grade in zip(MEMBERS, grades, strict=False):
            world.bot.learning.grade_drill(member, CH, drill_id, grade, world.clock(), team_id=SINGLE_WORKSPACE)

    gaps = {key: [b - a for a, b in zip(days, days[1:], strict=False)] for key, days in asked.items()}
    # (a) the forgotten question came back, and sooner than any question rated 簡単.
    assert len(asked[forgotten]) >= 3
    easy_gaps = [g for key, gs in gaps.items() if key != forgotten for g in gs]
    assert min(easy_gaps, default=99) > max(gaps[forgotten][:2])
    # (b) every question of the role was still asked.
    with world.cycle.sessions():
        role = world.bot.catalog.by_slug(SLUG)
    assert {k.split("#")[1] for k in asked} == {q.id for q in role.questions if q.answer_points}
    # (c) nothing came back within 7 days.
    assert min(g for gs in gaps.values() for g in gs) >= 7


def test_existing_schedules_keep_rotation_and_order_can_be_chosen(world):
    world.set("ciso", "09:00", "order=rotation")
    assert world.schedules.show(CH, world.clock(), team_id=SINGLE_WORKSPACE).schedule.order == "rotation"
    world.set("ciso", "10:00")  # changing the time keeps the order the admin chose
    assert world.schedules.show(CH, world.clock(), team_id=SINGLE_WORKSPACE).schedule.order == "rotation"
    world.set("ciso", "10:00", "order=adaptive")
    assert world.schedules.show(CH, world.clock(), team_id=SINGLE_WORKSPACE).schedule.order == "adaptive"
    answer = world.bot.router.handle_command(
        "schedule set ciso 09:00 order=sometimes", user_id=ADMIN, channel_id=CH, team_id=SINGLE_WORKSPACE
    )
    assert "order は adaptive" in answer.text and "sometimes" in answer.text
    assert world.schedules.show(CH, world.clock(), team_id=SINGLE_WORKSPACE).schedule.order == "adaptive"


# ----------------------------------------------------------------------------- grading


def test_one_grade_per_member_question_and_day_and_pressing_again_replaces_it(world):
    world.set("ciso", "09:00", "reveal=+1h")
    _key, drill_id = run_day(world, 0)
    learning = world.bot.learning
    first = learning.grade_drill("UAKI00001", CH, drill_id, Grade.AGAIN, world.clock(), team_id=SINGLE_WORKSPACE)
    assert first.replaced is None and first.memory.due == world.clock() + timedelta(days=1)
    again = learning.grade_drill("UAKI00001", CH, drill_id, Grade.EASY, world.clock() + timedelta(minutes=5), team_id=SINGLE_WORKSPACE)
    assert again.replaced is Grade.AGAIN
    # The card is what 簡単 alone would give: the replaced grade left no trace in the memory.
    assert again.memory.reviews == 1 and again.memory.due > world.clock() + timedelta(days=7)
    assert count(world, ReviewRow, user_id="UAKI00001") == 1
    # A member who does not grade gets no card at all: silence is not forgetting.
    assert count(world, CardRow, user_id="UBEN00001") == 0
    # The next local day's grade is a second review.
    later = learning.grade_drill("UAKI00001", CH, drill_id, Grade.GOOD, world.clock() + timedelta(days=1), team_id=SINGLE_WORKSPACE)
    assert later.replaced is None and later.memory.reviews == 2
    assert count(world, ReviewRow, user_id="UAKI00001") == 2


def test_the_local_day_is_the_members_own(db_url):
    """23:30 and 00:30 in Tokyo are two days there, though both are the same UTC day."""
    w = World(db_url)
    try:
        w.bot.learning.zone_of = lambda user_id, team_id: "Asia/Tokyo"
        w.set("ciso", "09:00", "reveal=+1h")
        _key, drill_id = run_day(w, 0)
        at = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)  # 23:30 in Tokyo
        w.bot.learning.grade_drill("UAKI00001", CH, drill_id, Grade.GOOD, at, team_id=SINGLE_WORKSPACE)
        second = w.bot.learning.grade_drill("UAKI00001", CH, drill_id, Grade.GOOD, at + timedelta(hours=1), team_id=SINGLE_WORKSPACE)
        assert second.replaced is None and second.memory.reviews == 2
    finally:
        w.bot.engine.dispose()


def test_double_and_concurrent_clicks_on_two_replicas_count_once(db_url):
    """(e) Two services on one database, eight presses at once of the same grade by one member."""
    first, second = World(db_url), World(db_url)
    try:
        first.set("ciso", "09:00", "reveal=+1h")
        _key, drill_id = run_day(first, 0)
        now = first.clock()
        barrier = threading.Barrier(8)
        errors: list[BaseException] = []

        def press(world: World) -> None:
            try:
                barrier.wait(timeout=10)
                world.bot.learning.grade_drill("UAKI00001", CH, drill_id, Grade.HARD, now, team_id=SINGLE_WORKSPACE)
            except BaseException as err:  # noqa: BLE001 - reported below
                errors.append(err)

        threads = [threading.Thread(target=press, args=(w,)) for w in (first, second) * 4]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert count(first, ReviewRow, user_id="UAKI00001") == 1
        with first.cycle.sessions() as s:
            card = s.scalars(select(CardRow).where(CardRow.user_id == "UAKI00001")).one()
        assert card.reviews == 1 and card.due is not None
    finally:
        first.bot.engine.dispose()
        second.bot.engine.dispose()


@pytest.mark.parametrize(
    "value, channel, expected",
    [
        (encode(999999, 3), CH, "見つかりませんでした"),  # an unknown drill
        ("DRILL|9", CH, "古いか、内容が正しくありません"),  # a grade that does not exist
        ("DRILL", CH, "古いか、内容が正しくありません"),  # a value cut short
        ("DRILL|3", "C0OTHER01", "見つかりませんでした"),  # a forged channel
    ],
)
def test_a_bad_grade_press_gets_one_sentence_and_changes_nothing(world, value, channel, expected):
    world.set("ciso", "09:00", "reveal=+1h")
    _key, drill_id = run_day(world, 0)
    answer = world.bot.router.handle_action(
        action_id(Kind.GRADE) + ".2",
        value.replace("DRILL", str(drill_id)),
        user_id="UAKI00001",
        channel_id=channel,
        team_id=SINGLE_WORKSPACE,
    )
    assert expected in answer.text and answer.replace_original is False
    assert count(world, ReviewRow) == 0 and count(world, CardRow) == 0


def test_a_drill_not_yet_revealed_cannot_be_graded(world):
    world.set("ciso", "09:00", "reveal=+1h")
    world.clock.now = DAY0 + timedelta(hours=9)
    world.cycle.tick(world.clock.now)
    drill_id = world.rows()[0].id
    with pytest.raises(CannotGrade, match="まだ公開されていません"):
        world.bot.learning.grade_drill("UAKI00001", CH, drill_id, Grade.GOOD, world.clock(), team_id=SINGLE_WORKSPACE)
    assert count(world, ReviewRow) == 0


def test_a_question_removed_from_the_content_is_ignored_not_fatal(world):
    world.set("ciso", "09:00", "reveal=+1h")
    _key, drill_id = run_day(world, 0)
    world.bot.learning.grade_drill("UAKI00001", CH, drill_id, Grade.GOOD, world.clock(), team_id=SINGLE_WORKSPACE)
    with world.cycle.sessions.begin() as s:
        s.add(
            CardRow(
                user_id="UAKI00001",
                role_slug=SLUG,
                question_id="gone000000",
                stability=1.0,
                difficulty=5.0,
                due=datetime(2026, 11, 20),
                last_review=datetime(2026, 11, 19),
                reviews=1,
            )
        )
    queue = world.bot.learning.queue("UAKI00001", world.clock() + timedelta(days=30), team_id=SINGLE_WORKSPACE)
    assert queue.next is not None and queue.next.question.id != "gone000000" and queue.due_today == 1
    stale = world.bot.router.handle_action(
        action_id(Kind.REVIEW_GRADE) + ".1", encode(SLUG, "gone000000", 2), user_id="UAKI00001", team_id=SINGLE_WORKSPACE
    )
    assert "もう教材にありません" in stale.text


# ----------------------------------------------------------------------------- the review queue


def test_a_members_review_queue_orders_by_due_date(world):
    """(d) Three questions graded so that they fall due on different days come back soonest first."""
    learning = world.bot.learning
    role = world.bot.catalog.by_slug(SLUG)
    q1, q2, q3 = role.questions[0], role.questions[1], role.questions[2]
    t = DAY0 + timedelta(hours=12)
    learning.grade_question("UAKI00001", SLUG, q1.id, Grade.EASY, t, team_id=SINGLE_WORKSPACE)  # due in about 8 days
    learning.grade_question("UAKI00001", SLUG, q2.id, Grade.AGAIN, t, team_id=SINGLE_WORKSPACE)  # tomorrow
    learning.grade_question("UAKI00001", SLUG, q3.id, Grade.GOOD, t, team_id=SINGLE_WORKSPACE)  # in about 2 days
    # The same day, nothing is due: a question not graded yet is offered instead.
    today = learning.queue("UAKI00001", t, team_id=SINGLE_WORKSPACE)
    assert today.due_today == 0 and today.next.due is None and today.next.question.id not in {q1.id, q2.id, q3.id}
    later = t + timedelta(days=10)
    order = []
    for _ in range(3):
        queue = learning.queue("UAKI00001", later, team_id=SINGLE_WORKSPACE)
        order.append(queue.next.question.id)
        learning.grade_question("UAKI00001", SLUG, queue.next.question.id, Grade.GOOD, later, team_id=SINGLE_WORKSPACE)
    assert order == [q2.id, q3.id, q1.id]
    done = learning.queue("UAKI00001", later, team_id=SINGLE_WORKSPACE)
    assert done.due_today == 0 and done.done_today == 3 and done.next_due is not None and done.next_due > later


def test_review_walk_through_the_router_reads_as_one_card(world):
    learning, router = world.bot.learning, world.bot.router
    role = world.bot.catalog.by_slug(SLUG)
    t = DAY0 + timedelta(hours=12)
    learning.grade_question("UAKI00001", SLUG, role.questions[4].id, Grade.HARD, t, team_id=SINGLE_WORKSPACE)
    world.clock.now = t + timedelta(days=3)
    card = router.handle_command("review", user_id="UAKI00001", channel_id="D0DIRECT1", team_id=SINGLE_WORKSPACE)  # from a DM
    assert card.replace_original and "復習（今日の残り 1問）" in str(card.blocks) and f"Q{role.questions[4].number}" in str(card.blocks)
    show = next(e for b in card.blocks if b["type"] == "actions" for e in b["elements"])
    points = router.handle_action(show["action_id"], show["value"], user_id="UAKI00001", channel_id="D0DIRECT1", team_id=SINGLE_WORKSPACE)
    assert "回答ポイント" in str(points.blocks) and role.questions[4].answer_points[0][:15] in str(points.blocks)
    grades = [e for b in points.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [g["text"]["text"] for g in grades] == ["😵 忘れた", "😓 苦労したが思い出せた", "🙂 普通に思い出せた", "😎 簡単"]
    end = router.handle_action(
        grades[2]["action_id"], grades[2]["value"], user_id="UAKI00001", channel_id="D0DIRECT1", team_id=SINGLE_WORKSPACE
    )
    text = str(end.blocks)
    assert "「普通」で記録しました" in text and "今日の復習はこれで全部です。今日は 1問 自己評価しました。" in text and "次の復習は" in text
    assert end.replace_original


def test_stats_show_due_reviews_progress_per_role_and_recent_grades(world):
    learning = world.bot.learning
    role = world.bot.catalog.by_slug(SLUG)
    t = DAY0 + timedelta(hours=12)
    for q in role.questions[:3]:
        learning.grade_question("UAKI00001", SLUG, q.id, Grade.EASY, t, team_id=SINGLE_WORKSPACE)
    # Three more easy reviews, each when due, make the first question last over three weeks.
    at = t
    for _ in range(3):
        memory = learning.grade_question(
            "UAKI00001", SLUG, role.questions[0].id, Grade.EASY, at + timedelta(days=30), team_id=SINGLE_WORKSPACE
        ).memory
        at += timedelta(days=30)
    assert memory.mastered
    stats = learning.stats("UAKI00001", at, team_id=SINGLE_WORKSPACE)
    assert [(p.role.slug, p.rated, p.mastered) for p in stats.roles] == [(SLUG, 3, 1)]
    assert stats.due_today == 2  # the other two fell due long ago
    assert stats.grades[Grade.EASY] == 2  # the last 30 days only
    world.clock.now = at
    shown = str(world.bot.router.handle_command("stats", user_id="UAKI00001", channel_id=CH, team_id=SINGLE_WORKSPACE).blocks)
    assert "今日の復習: 2問" in shown and "評価 3問、定着 1問（全20問の 5%）" in shown and "簡単 2" in shown


def test_on_the_day_dst_ends_a_question_graded_today_is_not_offered_again_today(db_url):
    """America/New_York's 1 November 2026 lasts 25 hours: a 忘れた at 00:30 is due 24 hours later,
    still before that day's midnight. It comes back tomorrow, and the answer says so."""
    w = World(db_url)
    try:
        w.bot.learning.zone_of = lambda user_id, team_id: "America/New_York"
        role = w.bot.catalog.by_slug(SLUG)
        at = datetime(2026, 11, 1, 4, 30, tzinfo=UTC)  # 00:30 EDT
        graded = w.bot.learning.grade_question("UAKI00001", SLUG, role.questions[0].id, Grade.AGAIN, at, team_id=SINGLE_WORKSPACE)
        from bot.views.learning_blocks import graded_line

        assert "11月2日 ごろに復習に出ます" in graded_line(graded)
        queue = w.bot.learning.queue("UAKI00001", at + timedelta(minutes=1), team_id=SINGLE_WORKSPACE)
        assert queue.due_today == 0 and queue.next.due is None  # a new question, not the same one again
        tomorrow = w.bot.learning.queue("UAKI00001", datetime(2026, 11, 2, 15, 0, tzinfo=UTC), team_id=SINGLE_WORKSPACE)
        assert tomorrow.due_today == 1 and tomorrow.next.question.id == role.questions[0].id
    finally:
        w.bot.engine.dispose()


def test_a_forgotten_question_graded_late_the_night_before_clocks_go_forward_comes_back_the_next_day(db_url):
    """America/New_York's 8 March 2026 lasts 23 hours: a 忘れた at 23:30 on the 7th is due one day
    later, which is 23:30 on the 8th by the clock, not 24 hours later (00:30 on the 9th)."""
    w = World(db_url)
    try:
        w.bot.learning.zone_of = lambda user_id, team_id: "America/New_York"
        role = w.bot.catalog.by_slug(SLUG)
        at = datetime(2026, 3, 8, 4, 30, tzinfo=UTC)  # 23:30 EST on Saturday the 7th
        w.clock.now = at
        press = w.bot.router.handle_action(
            action_id(Kind.REVIEW_GRADE) + ".0",
            encode(SLUG, role.questions[0].id, int(Grade.AGAIN)),
            user_id="UAKI00001",
            team_id=SINGLE_WORKSPACE,
        )
        assert "「忘れた」で記録しました" in str(press.blocks) and "3月8日 ごろに復習に出ます" in str(press.blocks)
        sunday_night = w.bot.learning.queue(
            "UAKI00001", datetime(2026, 3, 9, 3, 45, tzinfo=UTC), team_id=SINGLE_WORKSPACE
        )  # 23:45 EDT on the 8th
        assert sunday_night.due_today == 1 and sunday_night.next.question.id == role.questions[0].id
        sunday_morning = w.bot.learning.queue(
            "UAKI00001", datetime(2026, 3, 8, 13, 0, tzinfo=UTC), team_id=SINGLE_WORKSPACE
        )  # 09:00 EDT on the 8th
        assert sunday_morning.due_today == 1 and sunday_morning.next.question.id == role.questions[0].id
    finally:
        w.bot.engine.dispose()


def test_a_double_click_on_the_same_grade_confirms_it_once_and_changes_nothing(world):
    world.set("ciso", "09:00", "reveal=+1h")
    _key, drill_id = run_day(world, 0)
    router = world.bot.router
    value = encode(drill_id, int(Grade.GOOD))
    first = router.handle_action(action_id(Kind.GRADE) + ".2", value, user_id="UAKI00001", channel_id=CH, team_id=SINGLE_WORKSPACE)
    second = router.handle_action(action_id(Kind.GRADE) + ".2", value, user_id="UAKI00001", channel_id=CH, team_id=SINGLE_WORKSPACE)
    assert "「普通」で記録しました" in first.text and "「普通」で記録しました" in second.text and "変更" not in second.text
    assert count(world, ReviewRow) == 1


@pytest.mark.parametrize("drill_id", [0, -1, 2**31, 10**20])
def test_a_drill_id_out_of_any_range_is_refused_politely(world, drill_id):
    answer = world.bot.router.handle_action(
        action_id(Kind.GRADE) + ".0", encode(drill_id, 3), user_id="UAKI00001", channel_id=CH, team_id=SINGLE_WORKSPACE
    )
    assert "何も記録していません" in answer.text
    assert count(world, ReviewRow) == 0
