"""A workspace's uninstall, reinstall and the deletion of its data (SQLite and PostgreSQL, time
injected): an uninstall stops that workspace's drills at once and leaves the others' alone, a
reinstall within the retention period cancels the deletion but resumes nothing, and the deletion
happens once, when due, however many replicas try."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from bot.domain.drill import DrillStatus
from bot.domain.role import Level, QuestionKind
from bot.domain.schedule import Digest, Schedule
from bot.domain.team_questions import Draft
from bot.store import (
    answers,
    cards,
    channel_posts,
    drills,
    home_tabs,
    installs,
    leases,
    schedule_changes,
    schedules,
    team_questions,
    verdicts,
)
from bot.store.db import make_engine, session_factory, to_db, upgrade
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
    TeamQuestionRow,
    WorkspaceRow,
)
from bot.usecases.workspaces import Stopped, Workspaces

UTC = timezone.utc
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
RETENTION = timedelta(days=30)
A, B = "T0000AAAA", "T0000BBBB"
MEMBER = "U0SAMEID1"
TEAM_MODELS = (
    TeamQuestionRow,
    ScheduleRow,
    ScheduleChangeRow,
    DrillRow,
    ReplyRow,
    CardRow,
    ReviewRow,
    MemberSettingRow,
    FeedbackNoticeRow,
    ChannelPostRow,
    HomeTabRow,
)


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    upgrade(engine, db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


def drill(s, channel_id: str, team: str, day: int, status: DrillStatus, **values) -> int:
    """A drill posted at 09:00 on day `day` (NOW is day 0, 12:00), revealed at 10:00."""
    post_at = datetime(2026, 11, 25, 9, tzinfo=UTC) + timedelta(days=day)
    drills.create_drill(s, channel_id, f"{post_at.date()}@UTC", post_at, post_at + timedelta(hours=1), "UTC", NOW, team_id=team)
    drill_id = s.scalar(select(DrillRow.id).where(DrillRow.channel_id == channel_id, DrillRow.post_at == to_db(post_at)))
    if status is not DrillStatus.PENDING:
        values.setdefault("message_ts", f"{day + 100}.{drill_id}")
    s.execute(update(DrillRow).where(DrillRow.id == drill_id).values(status=status, **values))
    return drill_id


def populate(sessions, team: str, channel_id: str) -> dict[str, int]:
    """A workspace with a running schedule (with a reminder and a digest), one drill in every
    state that still has work to do, a member's reply, grade, card, setting and App Home."""
    with sessions.begin() as s:
        schedule = Schedule(channel_id=channel_id, role="cto", post_time=time(9), timezone="UTC", digest=Digest(day=4, at=time(18)))
        schedules.save_schedule(s, schedule, f"UADMIN{team[-1]}", NOW - timedelta(days=10), keep_deck=False, team_id=team)
        schedule_changes.record_change(s, channel_id, f"UADMIN{team[-1]}", NOW - timedelta(days=10), "set", None, schedule, team_id=team)
        ids = {
            "due": drill(s, channel_id, team, 1, DrillStatus.PENDING),  # tomorrow's, due then
            "revealable": drill(s, channel_id, team, 0, DrillStatus.POSTED, posted_at=to_db(NOW - timedelta(hours=3)), backfill_due=True),
            "markable": drill(s, channel_id, team, -1, DrillStatus.REVEALED, revealed_at=to_db(NOW - timedelta(days=1))),
            "done": drill(
                s,
                channel_id,
                team,
                -2,
                DrillStatus.REVEALED,
                revealed_at=to_db(NOW - timedelta(days=2)),
                marked_at=to_db(NOW),
                feedback_done_at=to_db(NOW),
            ),
        }
        answers.add_reply(s, ids["revealable"], "9.1", MEMBER, NOW - timedelta(hours=2, minutes=30), late=False, verdicts="cp")
        leases.claim(s, leases.FEEDBACK_NOTICE, (ids["markable"], MEMBER), "host-1", NOW - timedelta(days=1), NOW - timedelta(days=2))
        channel_posts.add_channel_post(
            s,
            channel_id,
            "reminder",
            str(ids["revealable"]),
            NOW - timedelta(hours=1),
            NOW - timedelta(hours=1),
            drill_id=ids["revealable"],
            team_id=team,
        )
        cards.lock_card(s, MEMBER, "cto", "q1", team_id=team)
        cards.put_review(s, MEMBER, "cto", "q1", date(2026, 11, 24), 3, NOW - timedelta(days=1), ids["markable"], team_id=team)
        verdicts.set_member_feedback(s, MEMBER, False, NOW, team_id=team)
        home_tabs.record_home_opened(s, MEMBER, NOW, NOW, team_id=team)
        # The group's own question (an unconfirmed import is deleted after a day by itself).
        draft = Draft("cto", "チームで決めた質問です。どう答えますか？", ("要点",), level=Level.JUNIOR, kind=QuestionKind.KNOWLEDGE)
        team_questions.propose(s, MEMBER, draft, NOW, team_id=team)
    return ids


def work_due(sessions, at: datetime) -> set[int]:
    """Every drill and channel post some step of the scheduler would take up at `at`."""
    lease = at - timedelta(minutes=5)
    with sessions() as s:
        found = set()
        for due in (leases.postable_ids, leases.revealable_ids, leases.markable_ids, drills.backfill_ids, leases.feedback_due_ids):
            found |= set(due(s, at, lease))
        posts = {-p for p in leases.channel_post_due_ids(s, at, lease)}  # negative: not drill ids
        return found | posts


def rows_of(sessions, team: str) -> dict[str, int]:
    with sessions() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m).where(m.team_id == team)) for m in TEAM_MODELS}


def paused(sessions, team: str) -> list[bool]:
    with sessions() as s:
        return [r.paused for r in schedules.team_schedules(s, team_id=team)]


def test_an_uninstall_stops_that_workspaces_drills_at_once_and_the_other_workspace_goes_on(sessions, caplog):
    a, b = populate(sessions, A, "CA"), populate(sessions, B, "CB")
    with sessions() as s:
        reminders = {team: -s.scalar(select(ChannelPostRow.id).where(ChannelPostRow.team_id == team)) for team in (A, B)}
    tomorrow = datetime(2026, 11, 26, 9, 1, tzinfo=UTC)  # when the pending drill falls due
    before = work_due(sessions, tomorrow)
    assert {b["due"], b["revealable"], b["markable"], reminders[B]} <= before

    workspaces = Workspaces(sessions, RETENTION, log=logging.getLogger("test.workspaces"))
    with caplog.at_level(logging.WARNING, logger="test.workspaces"):
        stopped = workspaces.uninstalled(NOW, team_id=B, enterprise_id=None)

    assert stopped == Stopped(schedules_paused=1, drills_cancelled=2, posts_skipped=1)
    # B's drills are never posted, revealed, marked, read back or followed by feedback; A's are.
    assert work_due(sessions, tomorrow) == before - {b["due"], b["revealable"], b["markable"], reminders[B]}
    assert {a["due"], a["revealable"], a["markable"], reminders[A]} <= work_due(sessions, tomorrow)
    assert (paused(sessions, A), paused(sessions, B)) == ([False], [True])
    with sessions() as s:
        assert {
            d.id: (d.status, d.last_error) for d in s.scalars(select(DrillRow).where(DrillRow.id.in_((b["due"], b["revealable"]))))
        } == {
            b["due"]: (DrillStatus.MISSED, "app_uninstalled"),
            b["revealable"]: (DrillStatus.MISSED, "app_uninstalled"),
        }
        assert [d.channel_id for d in schedules.digest_schedules(s)] == ["CA"]  # no digest is recorded for B
    # Nothing of B is deleted yet.
    assert rows_of(sessions, B)["replies"] == 1
    # The admin who set B's schedule cannot be told in Slack: the log says so.
    warning = next(r.getMessage() for r in caplog.records if "CB" in r.getMessage())
    assert "UADMINB" in warning and "paused" in warning
    assert not any("xox" in r.getMessage() for r in caplog.records)

    # Slack sends app_uninstalled and tokens_revoked, and retries: the second notice changes nothing.
    assert workspaces.uninstalled(NOW + timedelta(days=2), team_id=B, enterprise_id=None) == Stopped(0, 0, 0)
    with sessions() as s:
        row = installs.get_workspace(s, team_id=B)
        assert (row.uninstalled_at, row.purge_after, row.purged_at) == (to_db(NOW), to_db(NOW + RETENTION), None)


def test_a_reinstall_within_the_period_cancels_the_deletion_and_resumes_nothing(sessions):
    populate(sessions, B, "CB")
    workspaces = Workspaces(sessions, RETENTION)
    assert workspaces.installed(NOW - timedelta(days=30), team_id=B, enterprise_id=None) is False  # a first install cancels nothing
    workspaces.uninstalled(NOW, team_id=B, enterprise_id=None)
    kept = rows_of(sessions, B)

    assert workspaces.installed(NOW + timedelta(days=10), team_id=B, enterprise_id=None) is True
    assert workspaces.installed(NOW + timedelta(days=10, seconds=1), team_id=B, enterprise_id=None) is False  # Slack's retry
    assert workspaces.purge_due(NOW + RETENTION + timedelta(days=1)) == []
    assert rows_of(sessions, B) == kept
    assert paused(sessions, B) == [True]  # ready to resume, by an admin
    with sessions() as s:
        row = installs.get_workspace(s, team_id=B)
        assert (row.installed_at, row.uninstalled_at, row.purge_after) == (to_db(NOW + timedelta(days=10, seconds=1)), None, None)

    # Uninstalled again later, it is deleted a full period after that.
    workspaces.uninstalled(NOW + timedelta(days=20), team_id=B, enterprise_id=None)
    assert workspaces.purge_due(NOW + timedelta(days=20) + RETENTION - timedelta(seconds=1)) == []
    assert workspaces.purge_due(NOW + timedelta(days=20) + RETENTION) == [B]


def test_the_deletion_takes_only_that_workspaces_rows_once_and_not_a_second_early(sessions):
    populate(sessions, A, "CA")
    populate(sessions, B, "CB")
    a_rows = rows_of(sessions, A)
    assert all(a_rows.values()) and all(rows_of(sessions, B).values())
    workspaces = Workspaces(sessions, RETENTION)
    workspaces.uninstalled(NOW, team_id=B, enterprise_id=None)

    assert workspaces.purge_due(NOW + RETENTION - timedelta(seconds=1)) == []
    assert all(rows_of(sessions, B).values())
    assert workspaces.purge_due(NOW + RETENTION) == [B]
    assert set(rows_of(sessions, B).values()) == {0}
    assert rows_of(sessions, A) == a_rows
    assert workspaces.purge_due(NOW + RETENTION + timedelta(days=1)) == []
    with sessions() as s:
        assert installs.get_workspace(s, team_id=B).purged_at == to_db(NOW + RETENTION)
        assert installs.get_workspace(s, team_id=A) is None  # never uninstalled: nothing recorded, nothing due


def test_two_replicas_racing_to_delete_a_workspace_delete_it_once(engine, db_url):
    sessions = session_factory(engine)
    populate(sessions, A, "CA")
    populate(sessions, B, "CB")
    Workspaces(sessions, RETENTION).uninstalled(NOW, team_id=B, enterprise_id=None)
    a_rows = rows_of(sessions, A)

    other = make_engine(db_url)  # a second replica: its own engine and connections
    try:
        replicas = [Workspaces(sessions, RETENTION), Workspaces(session_factory(other), RETENTION)]
        barrier = threading.Barrier(len(replicas))
        results: list[list[str]] = [[] for _ in replicas]

        def run(i: int) -> None:
            barrier.wait()
            results[i] = replicas[i].purge_due(NOW + RETENTION)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(replicas))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        other.dispose()

    assert sorted(results) == [[], [B]]
    assert set(rows_of(sessions, B).values()) == {0}
    assert rows_of(sessions, A) == a_rows
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(WorkspaceRow).where(WorkspaceRow.purged_at.is_not(None))) == 1
