"""Every row knows its workspace (SQLite and PostgreSQL): two workspaces' members with the same
Slack user id are two members, schedules list per workspace, drills and what hangs off them take
their schedule's workspace, and rows from before workspaces are given the real one once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.domain.drill import DrillStatus
from bot.domain.memory import Grade, Memory
from bot.domain.schedule import Remind, Schedule
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.store import (
    answers,
    cards,
    channel_posts,
    channel_records,
    drills,
    home_tabs,
    installs,
    leases,
    schedule_changes,
    schedules,
    verdicts,
)
from bot.store.db import make_engine, session_factory, upgrade
from bot.store.models import (
    CardRow,
    ChannelPostRow,
    DrillRow,
    FeedbackNoticeRow,
    HomeTabRow,
    MemberSettingRow,
    ReplyRow,
    ReviewRow,
    ScheduleChangeRow,
    ScheduleRow,
)

UTC = timezone.utc
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
A, B = "T0000AAAA", "T0000BBBB"
MEMBER = "U0SAMEID1"  # the same id in both workspaces: two different people


@pytest.fixture
def sessions(db_url):
    engine = make_engine(db_url)
    upgrade(engine, db_url)
    yield session_factory(engine)
    engine.dispose()


def schedule(channel_id: str, paused: bool = False) -> Schedule:
    return Schedule(channel_id=channel_id, role="cto", post_time=time(9, 0), timezone="UTC", paused=paused)


def add_drill(session, channel_id: str, team_id: str, day: int = 0) -> int:
    post_at = NOW + timedelta(days=day)
    assert drills.create_drill(
        session, channel_id, f"2026-11-{25 + day}@UTC", post_at, post_at + timedelta(hours=1), "UTC", NOW, team_id=team_id
    )
    return session.scalars(select(DrillRow.id).where(DrillRow.channel_id == channel_id).order_by(DrillRow.id.desc())).first()


def test_two_workspaces_members_with_the_same_user_id_keep_their_own_memory_settings_and_home(sessions):
    with sessions.begin() as s:
        for team, grade, day in ((A, Grade.AGAIN, date(2026, 11, 25)), (B, Grade.EASY, date(2026, 11, 24))):
            cards.lock_card(s, MEMBER, "cto", "q1", team_id=team)
            cards.store_memory(
                s, MEMBER, "cto", "q1", Memory(1.0 if team == A else 9.0, 5.0, NOW + timedelta(days=1), NOW, 1), team_id=team
            )
            assert cards.put_review(s, MEMBER, "cto", "q1", day, int(grade), NOW, None, team_id=team) is None
        verdicts.set_member_feedback(s, MEMBER, False, NOW, team_id=A)
        assert home_tabs.record_home_opened(s, MEMBER, NOW, NOW - timedelta(seconds=30), team_id=B)

    with sessions.begin() as s:
        # A's grade again the same day replaces A's, never B's.
        assert cards.put_review(s, MEMBER, "cto", "q1", date(2026, 11, 25), int(Grade.GOOD), NOW, None, team_id=A) == int(Grade.AGAIN)

    with sessions() as s:
        assert [c.stability for c in cards.member_cards(s, MEMBER, team_id=A)] == [1.0]
        assert [c.stability for c in cards.member_cards(s, MEMBER, team_id=B)] == [9.0]
        assert [c.stability for c in cards.cards_of_members(s, [MEMBER], team_id=B)] == [9.0]
        assert [r.grade for r in cards.reviews_of(s, MEMBER, "cto", "q1", team_id=A)] == [Grade.GOOD]
        assert [r.grade for r in cards.reviews_of(s, MEMBER, "cto", "q1", team_id=B)] == [Grade.EASY]
        assert (
            cards.reviewed_on(s, MEMBER, date(2026, 11, 25), team_id=A),
            cards.reviewed_on(s, MEMBER, date(2026, 11, 25), team_id=B),
        ) == (1, 0)
        assert cards.recent_grades(s, MEMBER, NOW - timedelta(days=1), team_id=B) == [Grade.EASY]
        assert (verdicts.member_feedback_enabled(s, MEMBER, team_id=A), verdicts.member_feedback_enabled(s, MEMBER, team_id=B)) == (
            False,
            None,
        )
        # Who gets no private feedback is decided on the safe side: off in any workspace is off.
        assert verdicts.members_without_feedback(s, [MEMBER]) == {MEMBER}
        assert (home_tabs.home_openers(s, [MEMBER], team_id=A), home_tabs.home_openers(s, [MEMBER], team_id=B)) == (set(), {MEMBER})
        # The single workspace's member (the default) is a third person, with nothing yet.
        assert (
            cards.member_cards(s, MEMBER, team_id=SINGLE_WORKSPACE),
            verdicts.member_feedback_enabled(s, MEMBER, team_id=SINGLE_WORKSPACE),
            home_tabs.home_openers(s, [MEMBER], team_id=SINGLE_WORKSPACE),
        ) == ([], None, set())


def test_a_member_answers_and_roles_count_in_their_own_workspace_only(sessions):
    with sessions.begin() as s:
        schedules.save_schedule(s, schedule("CA"), "UADMIN", NOW, keep_deck=False, team_id=A)
        schedules.save_schedule(s, replace_role(schedule("CB"), "ciso"), "UADMIN", NOW, keep_deck=False, team_id=B)
        drill_a, drill_b = add_drill(s, "CA", A), add_drill(s, "CB", B)
        assert answers.add_reply(s, drill_a, "1.1", MEMBER, NOW + timedelta(minutes=5), late=False)
        assert answers.add_reply(s, drill_b, "2.1", MEMBER, NOW + timedelta(minutes=5), late=False)
    with sessions() as s:
        assert answers.answered_on_time(s, MEMBER, team_id=A) == {drill_a: "CA"}
        assert answers.answered_on_time(s, MEMBER, team_id=B) == {drill_b: "CB"}
        assert (cards.member_roles(s, MEMBER, team_id=A), cards.member_roles(s, MEMBER, team_id=B)) == ({"cto"}, {"ciso"})


def replace_role(s: Schedule, role: str) -> Schedule:
    from dataclasses import replace

    return replace(s, role=role)


def test_schedules_list_per_workspace_and_an_update_never_moves_one(sessions):
    with sessions.begin() as s:
        schedules.save_schedule(s, schedule("CA1"), "UADMIN", NOW, keep_deck=False, team_id=A, enterprise_id="E0000001")
        schedules.save_schedule(s, schedule("CA2"), "UADMIN", NOW, keep_deck=False, team_id=A)
        schedules.save_schedule(s, schedule("CB1"), "UADMIN", NOW, keep_deck=False, team_id=B)
        schedules.save_schedule(s, schedule("COLD"), "UADMIN", NOW, keep_deck=False, team_id=SINGLE_WORKSPACE)  # the single workspace
        schedule_changes.record_change(s, "CB1", "UADMIN", NOW, "set", None, schedule("CB1"), team_id=B)
    with sessions.begin() as s:
        # A shared (Slack Connect) channel keeps the one schedule its workspace set.
        schedules.save_schedule(s, schedule("CA1", paused=True), "UOTHER", NOW, keep_deck=True, team_id=B, enterprise_id=None)
    with sessions() as s:
        assert [r.channel_id for r in schedules.team_schedules(s, team_id=A)] == ["CA1", "CA2"]
        assert [r.channel_id for r in schedules.team_schedules(s, team_id=B)] == ["CB1"]
        assert [r.channel_id for r in schedules.all_schedules(s)] == ["CA1", "CA2", "CB1", "COLD"]
        assert [r.channel_id for r in schedules.team_schedules(s, True, team_id=SINGLE_WORKSPACE)] == ["COLD"]
        assert (
            schedules.schedule_team(s, "CA1"),
            schedules.schedule_team(s, "CB1"),
            schedules.schedule_team(s, "COLD"),
            schedules.schedule_team(s, "CNONE"),
        ) == (A, B, SINGLE_WORKSPACE, None)
        row = schedules.get_schedule_row(s, "CA1")
        assert (row.team_id, row.enterprise_id, row.paused, row.updated_by) == (A, "E0000001", True, "UOTHER")
        assert s.scalars(select(ScheduleChangeRow.team_id)).all() == [B]


def test_a_drill_and_what_hangs_off_it_take_the_workspace_of_the_channels_schedule(sessions):
    with sessions.begin() as s:
        schedules.save_schedule(s, schedule("CA"), "UADMIN", NOW, keep_deck=False, team_id=A)
        schedules.save_schedule(s, schedule("CB"), "UADMIN", NOW, keep_deck=False, team_id=B)
        drill_a, drill_b = add_drill(s, "CA", A), add_drill(s, "CB", B)
        explicit = add_drill(s, "CA", B, day=1)
        orphan = add_drill(s, "CNONE", SINGLE_WORKSPACE)  # no schedule: the single workspace
        answers.add_reply(s, drill_b, "2.1", MEMBER, NOW, late=False, verdicts="c")
        answers.delete_reply(s, drill_b, "2.2")  # a tombstone is the drill's too
        assert leases.claim(s, leases.FEEDBACK_NOTICE, (drill_b, MEMBER), "host-1", NOW, NOW - timedelta(minutes=5))
        assert channel_posts.add_channel_post(s, "CA", "reminder", str(drill_a), NOW, NOW, drill_id=drill_a, team_id=A)
        assert channel_posts.add_channel_post(s, "CB", "digest", "2026-W48", NOW, NOW, team_id=B)
        assert channel_posts.add_channel_post(s, "CNONE", "digest", "2026-W48", NOW, NOW, team_id=SINGLE_WORKSPACE)
    with sessions() as s:
        teams = dict(s.execute(select(DrillRow.id, DrillRow.team_id)).all())
        assert (teams[drill_a], teams[drill_b], teams[explicit], teams[orphan]) == (A, B, B, SINGLE_WORKSPACE)
        assert set(s.scalars(select(ReplyRow.team_id))) == {B}
        assert s.scalars(select(FeedbackNoticeRow.team_id)).all() == [B]
        posts = dict(s.execute(select(ChannelPostRow.channel_id, ChannelPostRow.team_id)).all())
        assert posts == {"CA": A, "CB": B, "CNONE": SINGLE_WORKSPACE}


def test_a_member_who_turned_feedback_off_in_their_workspace_is_not_judged_in_a_shared_channel(sessions):
    with sessions.begin() as s:
        schedules.save_schedule(s, schedule("CA"), "UADMIN", NOW, keep_deck=False, team_id=A)
        schedules.save_schedule(s, schedule("CB"), "UADMIN", NOW, keep_deck=False, team_id=B)
        drill_a, drill_b = add_drill(s, "CA", A), add_drill(s, "CB", B)
        verdicts.set_member_feedback(s, MEMBER, False, NOW, team_id=A)
        verdicts.set_member_feedback(s, "UOTHER001", True, NOW, team_id=A)
    with sessions() as s:
        # Off in A, where they set it, and in B's channel too (a Slack Connect channel B set up).
        assert verdicts.feedback_allowed(s, drills.get_drill(s, drill_a), MEMBER) is False
        assert verdicts.feedback_allowed(s, drills.get_drill(s, drill_b), MEMBER) is False
        assert verdicts.feedback_allowed(s, drills.get_drill(s, drill_b), "UOTHER001") is True
        assert verdicts.feedback_allowed(s, drills.get_drill(s, drill_b), "UNEVER001") is True


def test_rows_of_the_single_workspace_are_given_the_real_one_once(sessions):
    with sessions.begin() as s:
        # Written by a one-token deployment before it knew its workspace (the defaults).
        schedules.save_schedule(s, schedule("C1"), "UADMIN", NOW, keep_deck=False, team_id=SINGLE_WORKSPACE)
        schedule_changes.record_change(s, "C1", "UADMIN", NOW, "set", None, schedule("C1"), team_id=SINGLE_WORKSPACE)
        drill = add_drill(s, "C1", SINGLE_WORKSPACE)
        answers.add_reply(s, drill, "1.1", MEMBER, NOW, late=False, verdicts="c")
        leases.claim(s, leases.FEEDBACK_NOTICE, (drill, MEMBER), "host-1", NOW, NOW)
        channel_posts.add_channel_post(s, "C1", "reminder", str(drill), NOW, NOW, drill_id=drill, team_id=SINGLE_WORKSPACE)
        cards.lock_card(s, MEMBER, "cto", "q1", team_id=SINGLE_WORKSPACE)
        cards.lock_card(s, MEMBER, "cto", "q2", team_id=SINGLE_WORKSPACE)
        cards.put_review(s, MEMBER, "cto", "q1", date(2026, 11, 25), 3, NOW, drill, team_id=SINGLE_WORKSPACE)
        verdicts.set_member_feedback(s, MEMBER, False, NOW, team_id=SINGLE_WORKSPACE)
        home_tabs.record_home_opened(s, MEMBER, NOW, NOW, team_id=SINGLE_WORKSPACE)
        # The real workspace already has this member's q2 card (a newer replica wrote it).
        cards.lock_card(s, MEMBER, "cto", "q2", team_id=A)
        cards.store_memory(s, MEMBER, "cto", "q2", Memory(None, None, None, None, 5), team_id=A)
    with sessions.begin() as s:
        changed = installs.resolve_single_workspace(s, SINGLE_WORKSPACE, team_id=A, enterprise_id="E0000001")
    with sessions.begin() as s:
        assert installs.resolve_single_workspace(s, SINGLE_WORKSPACE, team_id=A, enterprise_id="E0000001") == 0  # nothing left to resolve
    assert changed == 10  # every row above but the q2 card A already had

    with sessions() as s:
        for model in (
            ScheduleRow,
            ScheduleChangeRow,
            DrillRow,
            ReplyRow,
            FeedbackNoticeRow,
            ChannelPostRow,
            ReviewRow,
            MemberSettingRow,
            HomeTabRow,
        ):
            assert set(s.scalars(select(model.team_id))) == {A}, model.__tablename__
        assert schedules.get_schedule_row(s, "C1").enterprise_id == "E0000001"
        assert sorted((c.question_id, c.team_id, c.reviews) for c in s.scalars(select(CardRow))) == [
            ("q1", A, 0),
            ("q2", A, 5),
            ("q2", SINGLE_WORKSPACE, 0),
        ]
        assert verdicts.member_feedback_enabled(s, MEMBER, team_id=A) is False
        assert [r.grade for r in cards.reviews_of(s, MEMBER, "cto", "q1", team_id=A)] == [Grade.GOOD]
        assert drills.get_drill(s, drill).status == DrillStatus.PENDING


def test_every_read_by_channel_or_drill_sees_only_the_asking_workspaces_drills_of_a_shared_channel(sessions):
    """A Slack Connect channel "CS" where A ran drills, turned its schedule off (records kept), and
    B then set a schedule of its own: each workspace reads its own drills and what hangs off them."""
    with sessions.begin() as s:
        schedules.save_schedule(s, schedule("CS"), "UADMINA", NOW, keep_deck=False, team_id=A)
        schedule_changes.record_change(s, "CS", "UADMINA", NOW, "set", None, schedule("CS"), team_id=A)
        drill_a = add_drill(s, "CS", A)
        schedules.delete_schedule(s, "CS")
        schedules.save_schedule(s, replace_role(schedule("CS"), "ciso"), "UADMINB", NOW, keep_deck=False, team_id=B)
        drill_b = add_drill(s, "CS", B, day=1)
        for drill, role, question in ((drill_a, "cto", "qa"), (drill_b, "ciso", "qb")):
            row = s.get(DrillRow, drill)
            row.status, row.role_slug, row.question_id = DrillStatus.REVEALED, role, question
            team = row.team_id
            assert answers.add_reply(s, drill, f"{drill}.1", MEMBER, row.post_at + timedelta(minutes=5), late=False)
            cards.put_review(
                s,
                MEMBER,
                role,
                question,
                date(2026, 11, 25 + drill - drill_a),
                2,
                NOW + timedelta(days=drill - drill_a),
                drill,
                team_id=team,
            )
    since = NOW - timedelta(days=1)
    with sessions() as s:
        assert channel_records.channel_drill_teams(s, "CS") == {A, B}
        for team, drill, role, question in ((A, drill_a, "cto", "qa"), (B, drill_b, "ciso", "qb")):
            assert list(channel_records.shown_drill_times(s, "CS", since, team_id=team)) == [drill]
            assert [a[1] for a in channel_records.channel_answer_times(s, "CS", since, team_id=team)] == [drill]
            assert [r[0] for r in channel_records.export_drills(s, "CS", since, team_id=team)] == [drill]
            assert [r[0] for r in channel_records.export_replies(s, [drill_a, drill_b], team_id=team)] == [drill]
            assert list(channel_records.export_ratings(s, [drill_a, drill_b], team_id=team)) == [(drill, MEMBER)]
            assert [d.id for d in drills.week_drills(s, "CS", since, NOW + timedelta(days=2), team_id=team)] == [drill]
            assert channel_records.participant_counts(s, [drill_a, drill_b], team_id=team) == {drill: 1}
            assert channel_records.drill_ratings(s, [drill_a, drill_b], team_id=team) == {drill: [2]}
            assert answers.channel_answers(s, "CS", team_id=team) == {MEMBER: {drill}}
            assert [d.id for d in answers.shown_history(s, "CS", team_id=team)] == [drill]
            assert answers.current_streaks(s, "CS", team_id=team) == {MEMBER: 1}
            assert [q[1] for q in cards.channel_questions(s, "CS", team_id=team)] == [question]
            assert cards.active_members(s, "CS", since, team_id=team) == [MEMBER]
            assert cards.member_roles(s, MEMBER, team_id=team) == {role}
        assert [c.team_id for c in schedule_changes.recent_changes(s, "CS", team_id=A)] == [A]
        assert schedule_changes.recent_changes(s, "CS", team_id=B) == []
        # The schedule (and its zone) is B's now.
        assert (schedules.channel_zone(s, "CS", team_id=A), schedules.channel_zone(s, "CS", team_id=B)) == (None, "UTC")


def test_a_drill_gets_the_reminder_of_its_own_workspaces_schedule_not_of_one_set_since_in_its_channel(sessions):
    with sessions.begin() as s:
        schedules.save_schedule(s, schedule("CS"), "UADMINA", NOW, keep_deck=False, team_id=A)
        drill = s.get(DrillRow, add_drill(s, "CS", A))
        drill.status, drill.message_ts = DrillStatus.POSTED, "1764061200.000100"
        # A turns its schedule off with the drill still open; B sets one with a reminder there.
        schedules.delete_schedule(s, "CS")
        schedules.save_schedule(
            s, replace(schedule("CS"), remind=Remind(before=timedelta(minutes=30))), "UADMINB", NOW, keep_deck=False, team_id=B
        )
    with sessions() as s:
        assert channel_posts.reminder_candidates(s, NOW + timedelta(minutes=40)) == []


def test_an_older_drill_is_judged_by_its_own_workspaces_switch_not_by_a_schedule_set_since_in_its_channel(sessions):
    """Drills from before the switch was kept on the drill read their schedule's: A's drill in the
    shared channel "CS" must not be judged by the `feedback=off` of the schedule B set there since."""
    with sessions.begin() as s:
        schedules.save_schedule(s, schedule("CS"), "UADMINA", NOW, keep_deck=False, team_id=A)
        drill_a = add_drill(s, "CS", A)
        schedules.delete_schedule(s, "CS")
        schedules.save_schedule(s, replace(schedule("CS"), feedback=False), "UADMINB", NOW, keep_deck=False, team_id=B)
        drill_b = add_drill(s, "CS", B, day=1)
    with sessions() as s:
        older_a, older_b = drills.get_drill(s, drill_a), drills.get_drill(s, drill_b)
        assert older_a is not None and older_b is not None
        assert (older_a.feedback, older_b.feedback) == (None, None)
        assert verdicts.drill_feedback_enabled(s, older_a) is True
        assert verdicts.feedback_allowed(s, older_a, MEMBER) is True
        assert verdicts.reply_to_judge(s, older_a, MEMBER, "1.1") is True
        # B's own drill keeps B's switch.
        assert verdicts.drill_feedback_enabled(s, older_b) is False
        assert verdicts.feedback_allowed(s, older_b, MEMBER) is False
