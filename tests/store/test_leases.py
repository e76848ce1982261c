"""The one fencing rule of every claim, on SQLite and PostgreSQL: a process whose lease ran out and was
taken over can neither finish nor release the claim that took it over, whichever table it is (a
drill's post, reveal and question edit, a reminder or digest, a member's feedback notice). And a
released row waits out Slack's Retry-After, never brought forward."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from bot.domain.announcements import ChannelPostStatus
from bot.domain.drill import DrillStatus
from bot.store import channel_posts, drills, leases
from bot.store.db import make_engine, session_factory, to_db
from bot.store.leases import Claim, Lease
from bot.store.models import DrillRow

UTC = timezone.utc
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
MEMBER = "UAKI00001"

# What finishing each lease records: the work is done.
DONE = {
    leases.POSTING.name: {"status": DrillStatus.POSTED, "message_ts": "1.1"},
    leases.REVEALING.name: {"status": DrillStatus.REVEALED, "reveal_ts": "1.2"},
    leases.MARKING.name: {"marked_at": to_db(NOW)},
    leases.CHANNEL_POST.name: {"status": ChannelPostStatus.SENT, "message_ts": "1.3"},
    leases.FEEDBACK_NOTICE.name: {"sent_at": to_db(NOW)},
    leases.MOCK_SEND.name: {"sent_at": to_db(NOW), "message_ts": "1.4"},
}


@pytest.fixture
def sessions(db_url):
    from bot.store.db import upgrade

    engine = make_engine(db_url)
    upgrade(engine, db_url)
    yield session_factory(engine)
    engine.dispose()


def waiting_row(sessions, lease: Lease) -> tuple:
    """A row waiting for the lease's work; its key."""
    if lease is leases.MOCK_SEND:
        return mock_send_row(sessions)
    with sessions.begin() as s:
        assert drills.create_drill(s, "C1", "2026-11-25@UTC", NOW, NOW + timedelta(hours=1), "UTC", NOW, team_id="T1")
        drill_id = s.scalar(select(DrillRow.id))
        status = {
            leases.REVEALING: DrillStatus.POSTED,
            leases.MARKING: DrillStatus.REVEALED,
            leases.FEEDBACK_NOTICE: DrillStatus.REVEALED,
        }.get(lease)
        if status is not None:
            s.execute(update(DrillRow).where(DrillRow.id == drill_id).values(status=status, message_ts="1.0"))
        if lease is leases.CHANNEL_POST:
            assert channel_posts.add_channel_post(s, "C1", "reminder", str(drill_id), NOW, NOW, drill_id=drill_id, team_id="T1")
            return (s.scalar(select(lease.table.id)),)
    return (drill_id, MEMBER) if lease is leases.FEEDBACK_NOTICE else (drill_id,)


def mock_send_row(sessions) -> tuple:
    """A mock interview's first question, owed to its member: key (session id, step)."""
    from bot.domain import mock_interview
    from bot.domain.role import Question
    from bot.store import mock_sessions

    moved = mock_interview.start("cto", (Question(1, "質問", ("結論",), id="q000000001"),), NOW)
    with sessions.begin() as s:
        session_id = mock_sessions.start_session(s, MEMBER, "D1", None, moved.session, team_id="T1")
        mock_sessions.record_sends(s, session_id, moved.sends, NOW, team_id="T1")
    return (session_id, moved.sends[0].key)


def claim(sessions, lease: Lease, key: tuple, owner: str, at: datetime) -> Claim | None:
    with sessions.begin() as s:
        return leases.claim(s, lease, key, owner, at, at - LEASE)


def holder(sessions, lease: Lease, key: tuple) -> tuple[str | None, bool]:
    """Who holds the row, and whether its work is done (neither waiting for it nor held for it)."""
    with sessions() as s:
        where = [column == value for column, value in zip(lease.key, key, strict=True)]
        owner = s.scalar(select(lease.table.claimed_by).where(*where))
        done = s.scalar(select(lease.key[0]).where(*where, lease.ready | lease.working)) is None
    return owner, done


@pytest.mark.parametrize("lease", leases.LEASES, ids=lambda lease: lease.name)
def test_a_process_whose_lease_ran_out_cannot_finish_or_release_the_claim_that_took_it_over(sessions, lease):
    key = waiting_row(sessions, lease)
    stale = claim(sessions, lease, key, "host-a:101", NOW)
    assert stale is not None
    assert claim(sessions, lease, key, "host-b:202", NOW + LEASE - timedelta(seconds=1)) is None  # the lease holds
    taken_over = claim(sessions, lease, key, "host-b:202", NOW + LEASE + timedelta(seconds=1))
    assert taken_over is not None

    with sessions.begin() as s:
        assert not leases.finish(s, stale, **DONE[lease.name])
    with sessions.begin() as s:
        assert not leases.release(s, stale)
    assert holder(sessions, lease, key) == ("host-b:202", False)  # still the new holder's, still to do
    assert claim(sessions, lease, key, "host-c:303", NOW + LEASE + timedelta(seconds=2)) is None

    with sessions.begin() as s:
        assert leases.finish(s, taken_over, **DONE[lease.name])
    assert holder(sessions, lease, key) == (None, True)
    assert claim(sessions, lease, key, "host-c:303", NOW + 3 * LEASE) is None  # done: nobody takes it again


@pytest.mark.parametrize("lease", leases.LEASES, ids=lambda lease: lease.name)
def test_the_same_process_taking_its_own_row_over_fences_out_its_older_claim(sessions, lease):
    """Owner and stamp: the same process (one host and pid) stalled past its lease and claimed the
    row again on a later tick; the older claim can no longer finish or release it."""
    key = waiting_row(sessions, lease)
    older = claim(sessions, lease, key, "host-a:101", NOW)
    newer = claim(sessions, lease, key, "host-a:101", NOW + LEASE + timedelta(seconds=1))
    assert older is not None and newer is not None

    with sessions.begin() as s:
        assert not leases.release(s, older)
        assert not leases.finish(s, older, **DONE[lease.name])
    assert holder(sessions, lease, key) == ("host-a:101", False)
    with sessions.begin() as s:
        assert leases.release(s, newer)
    assert holder(sessions, lease, key) == (None, False)  # handed back: waiting again


@pytest.mark.parametrize("lease", leases.LEASES, ids=lambda lease: lease.name)
def test_a_row_released_with_retry_after_is_claimed_by_nobody_before_it(sessions, lease):
    key = waiting_row(sessions, lease)
    held = claim(sessions, lease, key, "host-a:101", NOW)
    assert held is not None
    with sessions.begin() as s:
        assert leases.release(s, held, not_before=NOW + timedelta(seconds=300), error="ratelimited")
    assert holder(sessions, lease, key) == (None, False)

    assert claim(sessions, lease, key, "host-b:202", NOW + timedelta(seconds=299)) is None
    again = claim(sessions, lease, key, "host-b:202", NOW + timedelta(seconds=300))
    assert again is not None
    # A shorter wait given later does not bring the longer one forward.
    with sessions.begin() as s:
        leases.defer(s, lease, key, NOW + timedelta(seconds=900))
        assert leases.release(s, again, not_before=NOW + timedelta(seconds=400))
    assert claim(sessions, lease, key, "host-c:303", NOW + timedelta(seconds=899)) is None
    assert claim(sessions, lease, key, "host-c:303", NOW + timedelta(seconds=900)) is not None
