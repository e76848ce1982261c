"""Leases: how a process takes a row to work on (post it, reveal it, send it), and lets go of it.

A claim is one conditional UPDATE, atomic in SQLite and PostgreSQL: of several processes racing for
the same row exactly one sees rowcount 1. It records who holds the row (`claimed_by`: the process)
and since when (`claimed_at`: the claim's stamp). Once the lease has run out, another process may
take the row over.

The one fencing rule, for every table with a claim: only the holder of that very claim, the same
owner **and** the same stamp, may finish or release it. A process that slept past its lease can
neither write its outcome over the new holder's nor hand the row back while the new holder works.
Finishing or releasing ends the claim (`claimed_by` and `claimed_at` are cleared).

Slack's Retry-After is kept here too: a released row is not claimed again before its `next_attempt_at`
(its drill's, for a member's feedback notice), and a later wait already kept is never brought
forward.

The leases: a drill's post, its reveal and the edit that marks its question revealed (one claim on
the drill row, one step at a time); a reminder or digest (`channel_posts`); one member's private
answer feedback (`feedback_notices`, whose row is made by its first claim). The tick's due lists,
what each step works through, are here as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Executable, and_, case, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.announcements import ChannelPostStatus
from bot.domain.drill import DrillStatus
from bot.store.db import insert_ignore, to_db, utc
from bot.store.drills import team_of
from bot.store.models import ChannelPostRow, DrillRow, FeedbackNoticeRow, MockSendRow, MockSessionRow

Key = tuple[Any, ...]


@dataclass(frozen=True, eq=False)
class Lease:
    """How rows of one table are claimed for one kind of work. Each lease is one object (compared by
    identity): the ones below."""

    name: str
    table: Any  # the mapped class; it has claimed_by and claimed_at
    key: tuple[Any, ...]  # the columns that name one row
    ready: ColumnElement[bool]  # waiting for this work, held by nobody
    working: ColumnElement[bool]  # held for this work (by whoever `claimed_by` says)
    take: Mapping[str, Any] = field(default_factory=dict)  # set with the claim: the working status, a count of attempts
    back: Mapping[str, Any] = field(default_factory=dict)  # set with a release: the waiting status
    error: str | None = None  # the column a release records the chat service's error in
    # Where Retry-After is kept: the row's own next_attempt_at, or (True) that of the drill named by
    # the first key column, for a row that hangs off a drill.
    waits_on_drill: bool = False
    new: Callable[[Key], dict[str, Any]] | None = None  # a row that does not exist until its first claim: its values


@dataclass(frozen=True)
class Claim:
    """A row held by `owner` since `stamp`: what finish and release are fenced by."""

    lease: Lease
    key: Key
    owner: str
    stamp: datetime  # aware; stored as to_db(stamp)


def as_key(key: Any) -> Key:
    return key if isinstance(key, tuple) else (key,)


# ----------------------------------------------------------------------------- the leases

_UNMARKED = and_(DrillRow.status == DrillStatus.REVEALED, DrillRow.marked_at.is_(None))

POSTING = Lease(
    "posting",
    ready=DrillRow.status == DrillStatus.PENDING,
    working=DrillRow.status == DrillStatus.POSTING,
    take={"status": DrillStatus.POSTING, "attempts": DrillRow.attempts + 1},
    back={"status": DrillStatus.PENDING},
    table=DrillRow,
    key=(DrillRow.id,),
    error="last_error",
)
REVEALING = Lease(
    "revealing",
    ready=DrillRow.status == DrillStatus.POSTED,
    working=DrillRow.status == DrillStatus.REVEALING,
    take={"status": DrillStatus.REVEALING, "reveal_attempts": DrillRow.reveal_attempts + 1},
    back={"status": DrillStatus.POSTED},
    table=DrillRow,
    key=(DrillRow.id,),
    error="last_error",
)
# The edit of the original question after its reveal: no status of its own, a revealed drill is held
# for it while its claim is set. A failure is not recorded as the drill's error.
MARKING = Lease(
    "marking",
    table=DrillRow,
    key=(DrillRow.id,),
    ready=and_(_UNMARKED, DrillRow.claimed_at.is_(None)),
    working=and_(_UNMARKED, DrillRow.claimed_at.is_not(None)),
)
CHANNEL_POST = Lease(
    "channel post",
    table=ChannelPostRow,
    key=(ChannelPostRow.id,),
    ready=ChannelPostRow.status == ChannelPostStatus.PENDING,
    working=ChannelPostRow.status == ChannelPostStatus.SENDING,
    take={"status": ChannelPostStatus.SENDING, "attempts": ChannelPostRow.attempts + 1},
    back={"status": ChannelPostStatus.PENDING},
    error="last_error",
)
_UNSENT = and_(FeedbackNoticeRow.sent_at.is_(None), FeedbackNoticeRow.error.is_(None))
# Key: (drill id, member). Never one that was sent or given up on.
FEEDBACK_NOTICE = Lease(
    "feedback notice",
    table=FeedbackNoticeRow,
    key=(FeedbackNoticeRow.drill_id, FeedbackNoticeRow.user_id),
    ready=and_(_UNSENT, FeedbackNoticeRow.claimed_at.is_(None)),
    working=and_(_UNSENT, FeedbackNoticeRow.claimed_at.is_not(None)),
    waits_on_drill=True,
    new=lambda key: {"drill_id": key[0], "team_id": team_of(key[0]), "user_id": key[1]},
)
_MOCK_UNSENT = and_(MockSendRow.sent_at.is_(None), MockSendRow.error.is_(None))
_EARLIER = MockSendRow.__table__.alias("earlier")
# A session's messages go out in order: a step waits while an earlier one of its session is unsent.
_FIRST_IN_LINE = ~(
    select(_EARLIER.c.id)
    .where(
        _EARLIER.c.session_id == MockSendRow.session_id,
        _EARLIER.c.seq < MockSendRow.seq,
        _EARLIER.c.sent_at.is_(None),
        _EARLIER.c.error.is_(None),
    )
    .exists()
)
# Key: (mock session id, step). A mock interview's message to its member: never one sent or given up on.
MOCK_SEND = Lease(
    "mock send",
    table=MockSendRow,
    key=(MockSendRow.session_id, MockSendRow.step),
    ready=and_(_MOCK_UNSENT, MockSendRow.claimed_at.is_(None), _FIRST_IN_LINE),
    working=and_(_MOCK_UNSENT, MockSendRow.claimed_at.is_not(None)),
    take={"attempts": MockSendRow.attempts + 1},
)
LEASES = (POSTING, REVEALING, MARKING, CHANNEL_POST, FEEDBACK_NOTICE, MOCK_SEND)


# ----------------------------------------------------------------------------- claim, finish, release


def _row(lease: Lease, key: Key) -> ColumnElement[bool]:
    return and_(*(column == value for column, value in zip(lease.key, key, strict=True)))


def _wait_row(lease: Lease, key: Key) -> tuple[Any, ColumnElement[bool]]:
    """The table and row that keep this row's Retry-After: the row itself, or its drill."""
    if lease.waits_on_drill:
        return DrillRow, DrillRow.id == key[0]
    return lease.table, _row(lease, key)


def not_waiting(lease: Lease, now: datetime) -> ColumnElement[bool]:
    """No Retry-After keeps the row from being claimed at `now`."""
    if lease.waits_on_drill:
        held_back = select(DrillRow.id).where(DrillRow.id == lease.key[0], DrillRow.next_attempt_at > to_db(now)).exists()
        return ~held_back
    return or_(lease.table.next_attempt_at.is_(None), lease.table.next_attempt_at <= to_db(now))


def claimable(lease: Lease, now: datetime, lease_cutoff: datetime) -> ColumnElement[bool]:
    """Waiting for the work, or held by a claim older than `lease_cutoff`; and not held back by a
    Retry-After."""
    return and_(or_(lease.ready, and_(lease.working, lease.table.claimed_at < to_db(lease_cutoff))), not_waiting(lease, now))


def claim(session: Session, lease: Lease, key: Any, owner: str, now: datetime, lease_cutoff: datetime) -> Claim | None:
    """Take the row for `owner`, stamped `now`: one waiting, or one whose holder's lease ran out
    before `lease_cutoff`. None when another process holds it, it is done, or it must wait."""
    key = as_key(key)
    held = {"claimed_by": owner, "claimed_at": to_db(now)}
    if (
        lease.new is not None
        and not _held_back(session, lease, key, now)
        and insert_ignore(session, lease.table, {**lease.new(key), **held})
    ):
        return Claim(lease, key, owner, now)
    taken = _changed(session, update(lease.table).where(_row(lease, key), claimable(lease, now, lease_cutoff)).values(**held, **lease.take))
    return Claim(lease, key, owner, now) if taken == 1 else None


def _changed(session: Session, statement: Executable) -> int:
    """How many rows an UPDATE changed: of processes racing for one row, exactly one sees 1."""
    return cast("CursorResult[Any]", session.execute(statement)).rowcount


def _held_back(session: Session, lease: Lease, key: Key, now: datetime) -> bool:
    table, row = _wait_row(lease, key)
    until = utc(session.scalar(select(table.next_attempt_at).where(row)))
    return until is not None and until > now


def _held(claim: Claim) -> ColumnElement[bool]:
    """The fencing rule: the row is still held for this work by this very claim."""
    lease = claim.lease
    return and_(
        _row(lease, claim.key),
        lease.working,
        lease.table.claimed_by == claim.owner,
        lease.table.claimed_at == to_db(claim.stamp),
    )


def finish(session: Session, claim: Claim, **values: Any) -> bool:
    """Record the work's outcome (`values`) and end the claim. False, and nothing written, when the
    claim is no longer this one: its lease ran out and another process took the row over."""
    return _changed(session, update(claim.lease.table).where(_held(claim)).values(claimed_by=None, claimed_at=None, **values)) == 1


def release(session: Session, claim: Claim, not_before: datetime | None = None, error: str | None = None) -> bool:
    """Hand the row back for a later tick, not before `not_before` (Slack's Retry-After), recording
    `error` where the table keeps one. Fenced like `finish`; the Retry-After is kept either way."""
    lease = claim.lease
    values: dict[str, Any] = {**lease.back, "claimed_by": None, "claimed_at": None}
    if error is not None and lease.error is not None:
        values[lease.error] = error[:200]
    released = _changed(session, update(lease.table).where(_held(claim)).values(**values)) == 1
    if not_before is not None:
        defer(session, lease, claim.key, not_before)
    return released


def defer(session: Session, lease: Lease, key: Any, until: datetime) -> None:
    """No claim of the row (for a feedback notice: of any notice of its drill, nor of the drill's
    own steps) before `until`. Never brought forward: a later wait already kept stands."""
    table, row = _wait_row(lease, as_key(key))
    later = to_db(until)
    kept = case((or_(table.next_attempt_at.is_(None), table.next_attempt_at < later), later), else_=table.next_attempt_at)
    session.execute(update(table).where(row).values(next_attempt_at=kept))


def is_open(session: Session, lease: Lease, key: Any) -> bool:
    """Whether the row still has this work to do: waiting, held by someone, or (a row made by its
    first claim) not made yet."""
    row = _row(lease, as_key(key))
    if session.scalar(select(lease.key[0]).where(row)) is None:
        return lease.new is not None
    return session.scalar(select(lease.key[0]).where(row, or_(lease.ready, lease.working))) is not None


# ----------------------------------------------------------------------------- the tick's due lists


def _due(
    session: Session, lease: Lease, now: datetime, lease_cutoff: datetime, limit: int, where: tuple[Any, ...], order_by: tuple[Any, ...]
) -> list[int]:
    query = select(lease.key[0]).where(claimable(lease, now, lease_cutoff), *where).order_by(*order_by).limit(limit)
    return list(session.scalars(query))


def postable_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    """Drills due to be posted. Past its reveal time only one already attempted is taken up: it first
    looks for what reached the chat service, and gives up if nothing did."""
    where = (DrillRow.post_at <= to_db(now), or_(DrillRow.reveal_at > to_db(now), DrillRow.attempts > 0))
    return _due(session, POSTING, now, lease_cutoff, limit, where, (DrillRow.post_at, DrillRow.id))


def revealable_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    return _due(session, REVEALING, now, lease_cutoff, limit, (DrillRow.reveal_at <= to_db(now),), (DrillRow.reveal_at, DrillRow.id))


def markable_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    """Revealed drills whose original question still says the points are coming."""
    return _due(session, MARKING, now, lease_cutoff, limit, (), (DrillRow.revealed_at, DrillRow.id))


def channel_post_due_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    """Reminders and digests due to be sent."""
    where = (ChannelPostRow.due_at <= to_db(now),)
    return _due(session, CHANNEL_POST, now, lease_cutoff, limit, where, (ChannelPostRow.due_at, ChannelPostRow.id))


def feedback_due_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    """Revealed drills whose participants have not all been told their answer feedback (each
    member's notice is claimed on its own; the drill waits out a Retry-After as a whole)."""
    query = (
        select(DrillRow.id)
        .where(
            DrillRow.status == DrillStatus.REVEALED,
            DrillRow.feedback_done_at.is_(None),
            DrillRow.message_ts.is_not(None),
            or_(DrillRow.next_attempt_at.is_(None), DrillRow.next_attempt_at <= to_db(now)),
        )
        .order_by(DrillRow.revealed_at, DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def mock_send_due_keys(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[tuple[str, int, str]]:
    """(team, session id, step) of mock interview messages that can be sent now, each the next in
    line of its session: the tick's, across every workspace."""
    query = (
        select(MockSendRow.team_id, MockSendRow.session_id, MockSendRow.step)
        .where(claimable(MOCK_SEND, now, lease_cutoff))
        .order_by(MockSendRow.created_at, MockSendRow.session_id, MockSendRow.seq)
        .limit(limit)
    )
    return [(r[0], r[1], r[2]) for r in session.execute(query)]


def next_instants(session: Session, lease: timedelta) -> list[datetime]:
    """When work already recorded can next be taken up: a drill's post or reveal time, a kept
    Retry-After, a claim whose lease runs out, a reminder's or digest's due time. Past instants are
    included; the caller keeps what it needs."""
    found: list[datetime] = []
    waiting = (DrillStatus.PENDING, DrillStatus.POSTING, DrillStatus.POSTED, DrillStatus.REVEALING)
    unfinished = and_(DrillRow.status == DrillStatus.REVEALED, or_(DrillRow.marked_at.is_(None), DrillRow.feedback_done_at.is_(None)))
    drills = select(DrillRow.status, DrillRow.post_at, DrillRow.reveal_at, DrillRow.next_attempt_at, DrillRow.claimed_at)
    for status, post_at, reveal_at, not_before, claimed_at in session.execute(drills.where(or_(DrillRow.status.in_(waiting), unfinished))):
        if status in (DrillStatus.PENDING, DrillStatus.POSTING):
            found.append(post_at)
        elif status in (DrillStatus.POSTED, DrillStatus.REVEALING):
            found.append(reveal_at)
        found += [not_before] if not_before is not None else []
        found += [claimed_at + lease] if claimed_at is not None else []
    posts = select(ChannelPostRow.due_at, ChannelPostRow.next_attempt_at, ChannelPostRow.claimed_at)
    open_posts = ChannelPostRow.status.in_((ChannelPostStatus.PENDING, ChannelPostStatus.SENDING))
    for due_at, not_before, claimed_at in session.execute(posts.where(open_posts)):
        found += [due_at] + ([not_before] if not_before is not None else []) + ([claimed_at + lease] if claimed_at is not None else [])
    # A mock interview's next move by time alone (an answer gone quiet, an idle end), and its messages not sent yet.
    found += list(session.scalars(select(MockSessionRow.due_at).where(MockSessionRow.due_at.is_not(None))))
    for created_at, not_before, claimed_at in session.execute(
        select(MockSendRow.created_at, MockSendRow.next_attempt_at, MockSendRow.claimed_at).where(_MOCK_UNSENT)
    ):
        found += [not_before or created_at] + ([claimed_at + lease] if claimed_at is not None else [])
    return [at for at in (utc(instant) for instant in found) if at is not None]
