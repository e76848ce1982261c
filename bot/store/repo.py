"""Repository functions: each takes a Session and speaks in domain types where it can."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any, Sequence

from sqlalchemy import and_, case, delete, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain.drill import EXTRA_PREFIX, OPEN, SHOWN, DrillStatus
from bot.domain.memory import Grade, Memory, Review
from bot.domain.progress import ShownDrill, channel_streaks
from bot.domain.rotation import Deck
from bot.domain.schedule import DAY_NAMES, Digest, Remind, Reveal, Schedule, days_served
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.store.db import to_db, utc
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
    SeenRequestRow,
    WorkspaceRow,
)

# Slack user ids are unique within a workspace only, so a member is (team_id, user_id): every
# function below that reads or writes a member's cards, reviews, settings or App Home takes the
# team (keyword-only, defaulting to the single workspace of a one-token deployment).


def limit_wait(session: Session, seconds: float) -> None:
    """Fail this transaction rather than wait longer on a lock or a statement (PostgreSQL): an event
    whose write fails fast gets a non-200, and Slack delivers it again."""
    if session.get_bind().dialect.name == "postgresql":
        # One round trip for both settings: this runs before every recorded reply.
        millis = str(int(seconds * 1000))
        session.execute(
            text("SELECT set_config('lock_timeout', :ms, true), set_config('statement_timeout', :ms, true)"),
            {"ms": millis},
        )


def insert_ignore(session: Session, model, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True if this call inserted the row."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING rather than rowcount: psycopg reports -1 for INSERT … ON CONFLICT here.
    result = session.execute(insert(model).values(**values).on_conflict_do_nothing().returning(model.id))
    return result.first() is not None


# ----------------------------------------------------------------------------- schedules


def to_schedule(row: ScheduleRow) -> Schedule:
    offset = row.reveal_offset_minutes
    return Schedule(
        channel_id=row.channel_id,
        role=row.role,
        post_time=row.post_time,
        timezone=row.timezone,
        days=frozenset(row.days),
        reveal=Reveal(at=row.reveal_time) if row.reveal_time is not None else Reveal(offset=timedelta(minutes=offset or 0)),
        skip_dates=frozenset(date.fromisoformat(d) for d in row.skip_dates),
        paused=row.paused,
        paused_reason=row.paused_reason if row.paused else None,
        all_questions=bool(row.all_questions),
        order=row.question_order or "rotation",
        feedback=bool(row.feedback),
        remind=_remind(row.remind_before_minutes, row.remind_time),
        digest=Digest(day=row.digest_day, at=row.digest_time) if row.digest_day is not None and row.digest_time is not None else None,
        effective_from=utc(row.effective_from),  # type: ignore[arg-type]
    )


def _remind(before_minutes: int | None, at: time | None) -> Remind | None:
    if at is not None:
        return Remind(at=at)
    if before_minutes:
        return Remind(before=timedelta(minutes=before_minutes))
    return None


def get_schedule_row(session: Session, channel_id: str, for_update: bool = False) -> ScheduleRow | None:
    query = select(ScheduleRow).where(ScheduleRow.channel_id == channel_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def all_schedule_rows(session: Session, for_update: bool = False, *, team_id: str | None = None) -> Sequence[ScheduleRow]:
    """Every schedule, or one workspace's (`team_id`)."""
    query = select(ScheduleRow).order_by(ScheduleRow.channel_id)
    if team_id is not None:
        query = query.where(ScheduleRow.team_id == team_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).all()


def save_schedule(session: Session, schedule: Schedule, user_id: str, now: datetime, keep_deck: bool, *, team_id: str = SINGLE_WORKSPACE, enterprise_id: str | None = None) -> ScheduleRow:
    """Create or update the channel's schedule. A new one belongs to `team_id`; an update never
    moves a schedule to another workspace (a shared channel has one schedule, its creator's)."""
    row = get_schedule_row(session, schedule.channel_id, for_update=True)
    if row is None:
        row = ScheduleRow(channel_id=schedule.channel_id, team_id=team_id, enterprise_id=enterprise_id, deck=[], deck_position=0)
        session.add(row)
    row.role = schedule.role
    row.post_time = schedule.post_time
    row.timezone = schedule.timezone
    row.days = sorted(schedule.days)
    row.reveal_time = schedule.reveal.at
    row.reveal_offset_minutes = int(schedule.reveal.offset.total_seconds() // 60) if schedule.reveal.offset is not None else None
    row.skip_dates = sorted(d.isoformat() for d in schedule.skip_dates)
    row.paused = schedule.paused
    row.paused_reason = schedule.paused_reason if schedule.paused else None
    if row.paused_reason is None:
        row.paused_notified_at = None  # running again (or paused by a person): a new pause is told anew
    row.all_questions = schedule.all_questions
    row.question_order = schedule.order
    row.feedback = schedule.feedback
    remind = schedule.remind
    row.remind_time = remind.at if remind else None
    row.remind_before_minutes = int(remind.before.total_seconds() // 60) if remind and remind.before is not None else None
    row.digest_day = schedule.digest.day if schedule.digest else None
    row.digest_time = schedule.digest.at if schedule.digest else None
    row.effective_from = to_db(schedule.effective_from)
    row.updated_by = user_id
    row.updated_at = to_db(now)
    if not keep_deck:
        row.deck, row.deck_position = [], 0
    session.flush()
    return row


def pause_gone_channel(session: Session, channel_id: str, team_id: str, reason: str, now: datetime) -> str | None:
    """Pause the channel's schedule (the workspace's own) because Slack says the channel is gone.
    Returns the admin to tell, once per such pause (the first caller claims it), or None."""
    row = get_schedule_row(session, channel_id, for_update=True)
    if row is None or row.team_id != team_id:
        return None
    row.paused = True
    row.paused_reason = row.paused_reason or reason[:64]
    if row.paused_notified_at is not None:
        return None
    row.paused_notified_at = to_db(now)
    session.flush()
    return row.updated_by


def unclaim_pause_notice(session: Session, channel_id: str) -> None:
    """The admin could not be told: a later failure in the channel may try again."""
    session.execute(update(ScheduleRow).where(ScheduleRow.channel_id == channel_id).values(paused_notified_at=None))


def schedule_team(session: Session, channel_id: str) -> str | None:
    """The workspace of the channel's schedule, if it has one."""
    return session.scalar(select(ScheduleRow.team_id).where(ScheduleRow.channel_id == channel_id))


def _schedule_team_or_single(channel_id: Any):
    """SQL for the team of a channel's schedule, or the single workspace: what a drill or channel
    post records when its caller does not say, in the INSERT itself."""
    return func.coalesce(select(ScheduleRow.team_id).where(ScheduleRow.channel_id == channel_id).scalar_subquery(), SINGLE_WORKSPACE)


def _drill_team(drill_id: Any):
    return select(DrillRow.team_id).where(DrillRow.id == drill_id).scalar_subquery()


def _schedule_json(schedule: Schedule | None, note: str = "") -> str:
    if schedule is None:
        return json.dumps({"note": note}, ensure_ascii=False) if note else ""
    return json.dumps(
        {
            "role": schedule.role,
            "post_time": schedule.post_time.strftime("%H:%M"),
            "timezone": schedule.timezone,
            "days": sorted(schedule.days),
            "reveal_time": schedule.reveal.at.strftime("%H:%M") if schedule.reveal.at else None,
            "reveal_offset_minutes": int(schedule.reveal.offset.total_seconds() // 60) if schedule.reveal.offset is not None else None,
            "skip_dates": sorted(d.isoformat() for d in schedule.skip_dates),
            "paused": schedule.paused,
            "all_questions": schedule.all_questions,
            "order": schedule.order,
            "feedback": schedule.feedback,
            "remind": str(schedule.remind) if schedule.remind else None,
            "digest": str(schedule.digest) if schedule.digest else None,
        },
        ensure_ascii=False,
    )


def _schedule_from_json(channel_id: str, text: str) -> tuple[Schedule | None, str]:
    """A recorded setting. Rows from before typed history hold a compact string: kept as a note."""
    if not text:
        return None, ""
    try:
        data = json.loads(text)
    except ValueError:
        return None, text
    if "role" not in data:
        return None, str(data.get("note", ""))
    offset = data.get("reveal_offset_minutes")
    return Schedule(
        channel_id=channel_id,
        role=data["role"],
        post_time=time.fromisoformat(data["post_time"]),
        timezone=data["timezone"],
        days=frozenset(data["days"]),
        reveal=Reveal(at=time.fromisoformat(data["reveal_time"])) if data.get("reveal_time") else Reveal(offset=timedelta(minutes=offset or 0)),
        skip_dates=frozenset(date.fromisoformat(d) for d in data.get("skip_dates", [])),
        paused=bool(data.get("paused")),
        all_questions=bool(data.get("all_questions")),
        order=data.get("order", "rotation"),
        feedback=bool(data.get("feedback", True)),
        remind=_remind_from_text(data.get("remind")),
        digest=_digest_from_text(data.get("digest")),
    ), ""


def _remind_from_text(text: str | None) -> Remind | None:
    """A recorded `remind` as `str(Remind)` wrote it: "-90m", "-1h" or "20:00"."""
    if not text:
        return None
    if text.startswith("-"):
        amount, unit = int(text[1:-1]), text[-1]
        return Remind(before=timedelta(hours=amount) if unit == "h" else timedelta(minutes=amount))
    return Remind(at=time.fromisoformat(text))


def _digest_from_text(text: str | None) -> Digest | None:
    """A recorded `digest` as `str(Digest)` wrote it: "fri-18:00"."""
    if not text:
        return None
    day, _, clock = text.partition("-")
    return Digest(day=DAY_NAMES.index(day), at=time.fromisoformat(clock))


def record_change(session: Session, channel_id: str, user_id: str, now: datetime, action: str, before: Schedule | None, after: Schedule | None, note: str = "", source: str = "command", *, team_id: str = SINGLE_WORKSPACE) -> None:
    session.add(ScheduleChangeRow(
        channel_id=channel_id, team_id=team_id, user_id=user_id, at=to_db(now), action=action, source=source,
        before=_schedule_json(before), after=_schedule_json(after, note),
    ))


def change_settings(row: ScheduleChangeRow) -> tuple[Schedule | None, Schedule | None, str]:
    """(before, after, note) of a recorded change."""
    before, note_before = _schedule_from_json(row.channel_id, row.before or "")
    after, note_after = _schedule_from_json(row.channel_id, row.after or "")
    note = " → ".join(n for n in (note_before, note_after) if n)
    return before, after, note


def recent_changes(session: Session, channel_id: str, limit: int = 10, *, team_id: str = SINGLE_WORKSPACE) -> Sequence[ScheduleChangeRow]:
    """The workspace's recent changes to the channel's schedule: in a shared channel, another
    workspace's are its own."""
    query = (
        select(ScheduleChangeRow)
        .where(ScheduleChangeRow.channel_id == channel_id, ScheduleChangeRow.team_id == team_id)
        .order_by(ScheduleChangeRow.at.desc(), ScheduleChangeRow.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def deck_of(row: ScheduleRow) -> Deck:
    return Deck(tuple(row.deck), row.deck_position)


def store_deck(row: ScheduleRow, deck: Deck) -> None:
    row.deck = list(deck.cards)
    row.deck_position = deck.position


def delete_schedule(session: Session, channel_id: str) -> None:
    session.execute(delete(ScheduleRow).where(ScheduleRow.channel_id == channel_id))


# ----------------------------------------------------------------------------- drills


def existing_occurrences(session: Session, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    if not keys:
        return set()
    channels = {c for c, _ in keys}
    occurrences = {o for _, o in keys}
    rows = session.execute(
        select(DrillRow.channel_id, DrillRow.occurrence).where(DrillRow.channel_id.in_(channels), DrillRow.occurrence.in_(occurrences))
    ).all()
    return {(r[0], r[1]) for r in rows}


def served_days(session: Session, schedules: Sequence[Schedule], now: datetime) -> dict[str, frozenset[date]]:
    """For each schedule, the recent local days (in its zone as it now stands) that a scheduled drill
    already served, whatever the schedule's time or zone was then: one query for all of them."""
    times = scheduled_post_times(session, [s.channel_id for s in schedules], now - timedelta(days=3))
    return {s.channel_id: days_served(times.get(s.channel_id, ()), s.timezone) for s in schedules}


def scheduled_post_times(session: Session, channel_ids: Sequence[str], since: datetime) -> dict[str, list[datetime]]:
    """When each channel's scheduled (not `drill now`) drills were due, since `since`: the days
    they served, whatever the schedule's zone was then."""
    if not channel_ids:
        return {}
    rows = session.execute(
        select(DrillRow.channel_id, DrillRow.post_at).where(
            DrillRow.channel_id.in_(set(channel_ids)),
            DrillRow.post_at >= to_db(since),
            DrillRow.occurrence.not_like(f"{EXTRA_PREFIX}%"),
        )
    ).all()
    found: dict[str, list[datetime]] = {}
    for channel_id, post_at in rows:
        found.setdefault(channel_id, []).append(utc(post_at))  # type: ignore[arg-type]
    return found


def create_drill(session: Session, channel_id: str, occurrence: str, post_at: datetime, reveal_at: datetime, timezone: str, now: datetime, status: DrillStatus = DrillStatus.PENDING, note: str | None = None, feedback: bool | None = None, *, team_id: str | None = None) -> bool:
    """Record a drill once per (channel, occurrence). Its workspace is `team_id`, or when not given
    the team of the channel's schedule (the single workspace if the channel has none)."""
    return insert_ignore(
        session,
        DrillRow,
        {
            "channel_id": channel_id,
            "team_id": team_id if team_id is not None else _schedule_team_or_single(channel_id),
            "occurrence": occurrence,
            "status": status.value,
            "post_at": to_db(post_at),
            "reveal_at": to_db(reveal_at),
            "timezone": timezone,
            "attempts": 0,
            "last_error": note,
            "created_at": to_db(now),
            "feedback": feedback,
        },
    )


def mark_overdue_missed(session: Session, now: datetime) -> int:
    """A drill never attempted before its reveal time is recorded as missed, never silently
    dropped. One that was attempted goes through `post`, which first looks for what reached Slack."""
    result = session.execute(
        update(DrillRow)
        .where(DrillRow.reveal_at <= to_db(now), DrillRow.status == DrillStatus.PENDING, DrillRow.attempts == 0)
        .values(status=DrillStatus.MISSED, last_error=func.coalesce(DrillRow.last_error, "not posted before its reveal time"))
    )
    return result.rowcount


def _ready(now: datetime):
    return or_(DrillRow.next_attempt_at.is_(None), DrillRow.next_attempt_at <= to_db(now))


def postable_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    query = (
        select(DrillRow.id)
        .where(
            DrillRow.post_at <= to_db(now),
            or_(DrillRow.reveal_at > to_db(now), DrillRow.attempts > 0),
            or_(DrillRow.status == DrillStatus.PENDING, and_(DrillRow.status == DrillStatus.POSTING, DrillRow.claimed_at < to_db(lease_cutoff))),
            _ready(now),
        )
        .order_by(DrillRow.post_at, DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def revealable_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    query = (
        select(DrillRow.id)
        .where(
            DrillRow.reveal_at <= to_db(now),
            or_(DrillRow.status == DrillStatus.POSTED, and_(DrillRow.status == DrillStatus.REVEALING, DrillRow.claimed_at < to_db(lease_cutoff))),
            _ready(now),
        )
        .order_by(DrillRow.reveal_at, DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def markable_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    """Revealed drills whose original question still says the points are coming."""
    query = (
        select(DrillRow.id)
        .where(
            DrillRow.status == DrillStatus.REVEALED,
            DrillRow.marked_at.is_(None),
            or_(DrillRow.mark_claimed_at.is_(None), DrillRow.mark_claimed_at < to_db(lease_cutoff)),
            _ready(now),
        )
        .order_by(DrillRow.revealed_at, DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim(session: Session, drill_id: int, from_status: DrillStatus, to_status: DrillStatus, owner: str, now: datetime, lease_cutoff: datetime, counter: str = "attempts") -> bool:
    """Move a drill into a working state if nobody holds it (or their lease has run out).

    The conditional UPDATE is atomic in both SQLite and PostgreSQL: of several processes racing for
    the same drill exactly one sees rowcount 1."""
    result = session.execute(
        update(DrillRow)
        .where(
            DrillRow.id == drill_id,
            or_(DrillRow.status == from_status, and_(DrillRow.status == to_status, DrillRow.claimed_at < to_db(lease_cutoff))),
            _ready(now),
        )
        .values({"status": to_status, "claimed_by": owner, "claimed_at": to_db(now), counter: getattr(DrillRow, counter) + 1})
    )
    return result.rowcount == 1


def finish(session: Session, drill_id: int, owner: str, from_status: DrillStatus, **values: Any) -> bool:
    result = session.execute(
        update(DrillRow).where(DrillRow.id == drill_id, DrillRow.status == from_status, DrillRow.claimed_by == owner).values(**values)
    )
    return result.rowcount == 1


def backfill_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    """Adopted posts whose thread has not been read yet for the replies made meanwhile."""
    query = (
        select(DrillRow.id)
        .where(DrillRow.backfill_due.is_(True), DrillRow.status.in_(OPEN), DrillRow.message_ts.is_not(None))
        .order_by(DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def set_backfill_due(session: Session, drill_id: int, due: bool) -> None:
    session.execute(update(DrillRow).where(DrillRow.id == drill_id).values(backfill_due=due))


def claim_mark(session: Session, drill_id: int, now: datetime, lease_cutoff: datetime) -> bool:
    result = session.execute(
        update(DrillRow)
        .where(
            DrillRow.id == drill_id, DrillRow.marked_at.is_(None),
            or_(DrillRow.mark_claimed_at.is_(None), DrillRow.mark_claimed_at < to_db(lease_cutoff)),
            _ready(now),
        )
        .values(mark_claimed_at=to_db(now))
    )
    return result.rowcount == 1


def finish_mark(session: Session, drill_id: int, now: datetime, done: bool) -> None:
    values: dict[str, Any] = {"marked_at": to_db(now)} if done else {"mark_claimed_at": None}
    session.execute(update(DrillRow).where(DrillRow.id == drill_id).values(**values))


def defer_drill(session: Session, drill_id: int, until: datetime) -> None:
    """No call for this drill before `until` (a 429's Retry-After, after its reveal: the edit of the
    question, the answer feedback). Never brought forward: a later wait already kept stands."""
    session.execute(
        update(DrillRow)
        .where(DrillRow.id == drill_id, or_(DrillRow.next_attempt_at.is_(None), DrillRow.next_attempt_at < to_db(until)))
        .values(next_attempt_at=to_db(until))
    )


def drill_by_thread(session: Session, channel_id: str, thread_ts: str, for_share: bool = False) -> DrillRow | None:
    """`for_share` holds the drill (PostgreSQL) until the transaction ends, so that the reveal's
    claim waits for a reply being recorded: whether that reply was on time, and whether the reveal
    counts it, are then decided in one order."""
    query = select(DrillRow).where(DrillRow.channel_id == channel_id, DrillRow.message_ts == thread_ts, DrillRow.status.in_(SHOWN))
    if for_share:
        query = query.with_for_update(read=True)
    return session.scalars(query).first()


def latest_open_drill(session: Session, channel_id: str) -> DrillRow | None:
    return session.scalars(
        select(DrillRow)
        .where(DrillRow.channel_id == channel_id, DrillRow.status.in_((DrillStatus.PENDING, DrillStatus.POSTING, *OPEN)))
        .order_by(DrillRow.post_at.desc(), DrillRow.id.desc())
    ).first()


# ----------------------------------------------------------------------------- replies


def add_reply(session: Session, drill_id: int, message_ts: str, user_id: str, at: datetime, late: bool, verdicts: str | None = None) -> bool:
    return insert_ignore(
        session,
        ReplyRow,
        {"drill_id": drill_id, "team_id": _drill_team(drill_id), "message_ts": message_ts, "user_id": user_id, "replied_at": to_db(at), "late": late, "deleted": False, "verdicts": verdicts},
    )


def delete_reply(session: Session, drill_id: int, message_ts: str) -> None:
    if not insert_ignore(session, ReplyRow, {"drill_id": drill_id, "team_id": _drill_team(drill_id), "message_ts": message_ts, "user_id": None, "replied_at": None, "late": False, "deleted": True}):
        # A deleted reply keeps no verdict either: it no longer speaks for its author.
        session.execute(update(ReplyRow).where(ReplyRow.drill_id == drill_id, ReplyRow.message_ts == message_ts).values(deleted=True, verdicts=None))


def participants(session: Session, drill_id: int) -> list[str]:
    rows = session.execute(
        select(ReplyRow.user_id, func.min(ReplyRow.replied_at))
        .where(ReplyRow.drill_id == drill_id, ReplyRow.deleted.is_(False), ReplyRow.late.is_(False), ReplyRow.user_id.is_not(None))
        .group_by(ReplyRow.user_id)
        .order_by(func.min(ReplyRow.replied_at))
    ).all()
    return [r[0] for r in rows]


def answered_on_time(session: Session, user_id: str, *, team_id: str = SINGLE_WORKSPACE) -> dict[int, str]:
    """The drills this member answered before the reveal, with their channels: what the reveal
    counted, and so what stats count."""
    rows = session.execute(
        select(ReplyRow.drill_id, DrillRow.channel_id)
        .join(DrillRow, DrillRow.id == ReplyRow.drill_id)
        .where(ReplyRow.team_id == team_id, ReplyRow.user_id == user_id, ReplyRow.deleted.is_(False), ReplyRow.late.is_(False))
        .distinct()
    ).all()
    return {r[0]: r[1] for r in rows}


def channel_answers(session: Session, channel_id: str, since: datetime | None = None, *, team_id: str = SINGLE_WORKSPACE) -> dict[str, set[int]]:
    """Who answered which of the workspace's drills in this channel on time (posted at or after
    `since`, if given)."""
    query = (
        select(ReplyRow.user_id, ReplyRow.drill_id)
        .join(DrillRow, DrillRow.id == ReplyRow.drill_id)
        .where(DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, ReplyRow.user_id.is_not(None), ReplyRow.deleted.is_(False), ReplyRow.late.is_(False))
        .distinct()
    )
    if since is not None:
        query = query.where(DrillRow.post_at >= to_db(since))
    answers: dict[str, set[int]] = {}
    for user_id, drill_id in session.execute(query).all():
        answers.setdefault(user_id, set()).add(drill_id)
    return answers


def current_streaks(session: Session, channel_id: str, *, team_id: str = SINGLE_WORKSPACE) -> dict[str, int]:
    """Every member's current streak in the workspace's drills of this channel (members at 0 left
    out): what the leaderboard and the weekly digest show."""
    return channel_streaks(shown_history(session, channel_id, team_id=team_id), channel_answers(session, channel_id, team_id=team_id))


def shown_history(session: Session, channel_id: str, limit: int = 400, *, team_id: str = SINGLE_WORKSPACE) -> list[ShownDrill]:
    """The workspace's drills in this channel that reached it, newest first."""
    rows = session.execute(
        select(DrillRow.id, DrillRow.status, DrillRow.occurrence)
        .where(DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, DrillRow.status.in_(SHOWN))
        .order_by(DrillRow.post_at.desc(), DrillRow.id.desc())
        .limit(limit)
    ).all()
    return [ShownDrill(r[0], DrillStatus(r[1]), r[2].startswith(EXTRA_PREFIX)) for r in rows]


# ----------------------------------------------------------------------------- learning


def lock_card(session: Session, user_id: str, role_slug: str, question_id: str, *, team_id: str = SINGLE_WORKSPACE) -> CardRow:
    """The member's card for a question, created if new and locked for this transaction, so that
    two grades of one card (a double click, or two replicas) are applied one after the other."""
    insert_ignore(session, CardRow, {"team_id": team_id, "user_id": user_id, "role_slug": role_slug, "question_id": question_id, "reviews": 0})
    card = session.scalars(
        select(CardRow)
        .where(CardRow.team_id == team_id, CardRow.user_id == user_id, CardRow.role_slug == role_slug, CardRow.question_id == question_id)
        .with_for_update()
    ).one()
    session.refresh(card)  # another transaction may have written it since this session first saw it
    return card


def put_review(session: Session, user_id: str, role_slug: str, question_id: str, day: date, grade: int, at: datetime, drill_id: int | None, *, team_id: str = SINGLE_WORKSPACE) -> int | None:
    """Record the member's grade for the day, replacing an earlier one that day. Returns the grade
    it replaced, or None if this is the day's first."""
    values = {"team_id": team_id, "user_id": user_id, "role_slug": role_slug, "question_id": question_id, "local_day": day, "rating": grade, "at": to_db(at), "drill_id": drill_id}
    if insert_ignore(session, ReviewRow, values):
        return None
    key = (ReviewRow.team_id == team_id, ReviewRow.user_id == user_id, ReviewRow.role_slug == role_slug, ReviewRow.question_id == question_id, ReviewRow.local_day == day)
    previous = session.scalars(select(ReviewRow.rating).where(*key)).one()
    session.execute(update(ReviewRow).where(*key).values(rating=grade, at=to_db(at), drill_id=func.coalesce(drill_id, ReviewRow.drill_id)))
    return previous


def reviews_of(session: Session, user_id: str, role_slug: str, question_id: str, *, team_id: str = SINGLE_WORKSPACE) -> list[Review]:
    rows = session.execute(
        select(ReviewRow.rating, ReviewRow.at)
        .where(ReviewRow.team_id == team_id, ReviewRow.user_id == user_id, ReviewRow.role_slug == role_slug, ReviewRow.question_id == question_id)
        .order_by(ReviewRow.at, ReviewRow.id)
    ).all()
    return [Review(Grade(r[0]), utc(r[1])) for r in rows]  # type: ignore[arg-type]


def store_memory(card: CardRow, memory: Memory) -> None:
    card.stability, card.difficulty = memory.stability, memory.difficulty
    card.due = to_db(memory.due) if memory.due else None
    card.last_review = to_db(memory.last_review) if memory.last_review else None
    card.reviews = memory.reviews


def to_memory(card: CardRow) -> Memory:
    return Memory(card.stability, card.difficulty, utc(card.due), utc(card.last_review), card.reviews)


def member_cards(session: Session, user_id: str, *, team_id: str = SINGLE_WORKSPACE) -> Sequence[CardRow]:
    """Every card of a member that has been reviewed, soonest due first."""
    return session.scalars(
        select(CardRow).where(CardRow.team_id == team_id, CardRow.user_id == user_id, CardRow.reviews > 0).order_by(CardRow.due, CardRow.id)
    ).all()


def reviewed_on(session: Session, user_id: str, day: date, *, team_id: str = SINGLE_WORKSPACE) -> int:
    return session.scalar(select(func.count()).select_from(ReviewRow).where(ReviewRow.team_id == team_id, ReviewRow.user_id == user_id, ReviewRow.local_day == day)) or 0


def recent_grades(session: Session, user_id: str, since: datetime, *, team_id: str = SINGLE_WORKSPACE) -> list[Grade]:
    rows = session.scalars(select(ReviewRow.rating).where(ReviewRow.team_id == team_id, ReviewRow.user_id == user_id, ReviewRow.at >= to_db(since))).all()
    return [Grade(r) for r in rows]


def member_roles(session: Session, user_id: str, *, team_id: str = SINGLE_WORKSPACE) -> set[str]:
    """The roles drilled in the channels where this member replied to or graded a drill ("all" for
    a channel that rotates through every role)."""
    replied = select(DrillRow.channel_id).join(ReplyRow, ReplyRow.drill_id == DrillRow.id).where(ReplyRow.team_id == team_id, ReplyRow.user_id == user_id)
    graded = select(DrillRow.channel_id).join(ReviewRow, ReviewRow.drill_id == DrillRow.id).where(ReviewRow.team_id == team_id, ReviewRow.user_id == user_id)
    channels = set(session.scalars(replied.union(graded)).all())
    if not channels:
        return set()
    roles = set(session.scalars(select(ScheduleRow.role).where(ScheduleRow.channel_id.in_(channels), ScheduleRow.team_id == team_id)).all())
    drilled = select(DrillRow.role_slug).where(DrillRow.channel_id.in_(channels), DrillRow.team_id == team_id, DrillRow.role_slug.is_not(None)).distinct()
    roles |= {s for s in session.scalars(drilled).all() if s}
    return roles


def channel_questions(session: Session, channel_id: str, *, team_id: str = SINGLE_WORKSPACE) -> list[tuple[str, str, datetime]]:
    """(role, question id, post time) of every question the workspace's drills have given this
    channel, or are giving it now."""
    rows = session.execute(
        select(DrillRow.role_slug, DrillRow.question_id, DrillRow.post_at).where(
            DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, DrillRow.question_id.is_not(None),
            DrillRow.status.in_((DrillStatus.POSTING, *SHOWN)),
        )
    ).all()
    return [(r[0], r[1], utc(r[2])) for r in rows]  # type: ignore[misc]


def active_members(session: Session, channel_id: str, since: datetime, *, team_id: str = SINGLE_WORKSPACE) -> list[str]:
    """Members who graded one of the workspace's drills in this channel since `since`."""
    return list(session.scalars(
        select(ReviewRow.user_id).join(DrillRow, DrillRow.id == ReviewRow.drill_id)
        .where(DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, ReviewRow.team_id == team_id, ReviewRow.at >= to_db(since)).distinct()
    ).all())


def cards_of_members(session: Session, user_ids: Sequence[str], *, team_id: str = SINGLE_WORKSPACE) -> Sequence[CardRow]:
    if not user_ids:
        return []
    return session.scalars(select(CardRow).where(CardRow.team_id == team_id, CardRow.user_id.in_(set(user_ids)), CardRow.reviews > 0)).all()


def get_drill(session: Session, drill_id: int) -> DrillRow | None:
    return session.get(DrillRow, drill_id)


# ----------------------------------------------------------------------------- answer feedback


def channel_feedback_enabled(session: Session, channel_id: str) -> bool:
    """On unless the channel's schedule says `feedback=off`."""
    value = session.scalar(select(ScheduleRow.feedback).where(ScheduleRow.channel_id == channel_id))
    return True if value is None else bool(value)


def drill_feedback_enabled(session: Session, drill: DrillRow) -> bool:
    """The switch as it stood when the drill was created (its schedule may be gone since)."""
    return bool(drill.feedback) if drill.feedback is not None else channel_feedback_enabled(session, drill.channel_id)


def feedback_allowed(session: Session, drill: DrillRow, user_id: str) -> bool:
    """Both switches in one round trip (this runs before every recorded reply): the drill's channel
    has not turned feedback off (as it stood when the drill was created), and the member has not."""
    return _all_on(session, drill, user_id)


def reply_to_judge(session: Session, drill: DrillRow, user_id: str, message_ts: str) -> bool:
    """feedback_allowed, and the message is not recorded yet, still in one round trip: a message
    recorded already is Slack delivering its event again, and it was judged the first time."""
    recorded = select(ReplyRow.id).where(ReplyRow.drill_id == drill.id, ReplyRow.message_ts == message_ts).exists()
    return _all_on(session, drill, user_id, ~recorded)


def _all_on(session: Session, drill: DrillRow, user_id: str, *conditions) -> bool:
    # "Off" in any workspace counts: in a Slack Connect channel a member from another workspace
    # turned it off in their own, and their reply must not be judged here either.
    member = select(func.min(case((MemberSettingRow.feedback.is_(False), 0), else_=1))).where(MemberSettingRow.user_id == user_id).scalar_subquery()
    columns = [member, *conditions]
    if drill.feedback is None:
        columns.append(select(ScheduleRow.feedback).where(ScheduleRow.channel_id == drill.channel_id).scalar_subquery())
    values = [*session.execute(select(*columns)).one(), drill.feedback]
    # No row is "on"; SQLite gives a scalar subquery's boolean back as 0 or 1.
    return all(value is None or bool(value) for value in values)


def member_feedback_enabled(session: Session, user_id: str, *, team_id: str = SINGLE_WORKSPACE) -> bool | None:
    """The member's own choice, or None if they never made one (on)."""
    value = session.scalar(select(MemberSettingRow.feedback).where(MemberSettingRow.team_id == team_id, MemberSettingRow.user_id == user_id))
    return None if value is None else bool(value)


def members_without_feedback(session: Session, user_ids: Sequence[str]) -> set[str]:
    if not user_ids:
        return set()
    # Off in any workspace, like feedback_allowed: a Slack Connect member's choice is in their own.
    return set(session.scalars(select(MemberSettingRow.user_id).where(MemberSettingRow.user_id.in_(set(user_ids)), MemberSettingRow.feedback.is_(False))).all())


def set_member_feedback(session: Session, user_id: str, enabled: bool, now: datetime, *, team_id: str = SINGLE_WORKSPACE) -> None:
    if not insert_ignore_key(session, MemberSettingRow, {"team_id": team_id, "user_id": user_id, "feedback": enabled, "updated_at": to_db(now)}):
        session.execute(update(MemberSettingRow).where(MemberSettingRow.team_id == team_id, MemberSettingRow.user_id == user_id).values(feedback=enabled, updated_at=to_db(now)))


def insert_ignore_key(session: Session, model, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING for a table whose key is not an `id` column."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = next(iter(model.__table__.primary_key.columns))
    return session.execute(insert(model).values(**values).on_conflict_do_nothing().returning(key)).first() is not None


def set_reply_verdicts(session: Session, drill_id: int, message_ts: str, verdicts: str | None) -> bool:
    """An edit made before the reveal: the reply is judged again. False if there is no such live,
    on-time reply."""
    result = session.execute(
        update(ReplyRow)
        .where(ReplyRow.drill_id == drill_id, ReplyRow.message_ts == message_ts, ReplyRow.deleted.is_(False), ReplyRow.late.is_(False))
        .values(verdicts=verdicts)
    )
    return result.rowcount == 1


def feedback_targets(session: Session, drill_id: int, user_id: str | None = None) -> dict[str, list[str]]:
    """Each participant's verdict letters (or one member's), one string per on-time reply that has them."""
    query = select(ReplyRow.user_id, ReplyRow.verdicts).where(
        ReplyRow.drill_id == drill_id, ReplyRow.deleted.is_(False), ReplyRow.late.is_(False),
        ReplyRow.user_id.is_not(None), ReplyRow.verdicts.is_not(None),
    )
    if user_id is not None:
        query = query.where(ReplyRow.user_id == user_id)
    rows = session.execute(query.order_by(ReplyRow.replied_at, ReplyRow.id)).all()
    found: dict[str, list[str]] = {}
    for user_id, verdicts in rows:
        found.setdefault(user_id, []).append(verdicts)
    return found


def feedback_due_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    query = (
        select(DrillRow.id)
        .where(DrillRow.status == DrillStatus.REVEALED, DrillRow.feedback_done_at.is_(None), DrillRow.message_ts.is_not(None), _ready(now))
        .order_by(DrillRow.revealed_at, DrillRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim_notice(session: Session, drill_id: int, user_id: str, owner: str, now: datetime, lease_cutoff: datetime) -> bool:
    """Take the right to send one member's feedback: a new claim, or one whose holder's lease ran
    out before it finished. Never one that was sent or given up on."""
    if insert_ignore(session, FeedbackNoticeRow, {"drill_id": drill_id, "team_id": _drill_team(drill_id), "user_id": user_id, "claimed_by": owner, "claimed_at": to_db(now)}):
        return True
    result = session.execute(
        update(FeedbackNoticeRow)
        .where(
            FeedbackNoticeRow.drill_id == drill_id, FeedbackNoticeRow.user_id == user_id,
            FeedbackNoticeRow.sent_at.is_(None), FeedbackNoticeRow.error.is_(None),
            or_(FeedbackNoticeRow.claimed_at.is_(None), FeedbackNoticeRow.claimed_at < to_db(lease_cutoff)),
        )
        .values(claimed_by=owner, claimed_at=to_db(now))
    )
    return result.rowcount == 1


def notice_unfinished(session: Session, drill_id: int, user_id: str) -> bool:
    row = session.scalars(select(FeedbackNoticeRow).where(FeedbackNoticeRow.drill_id == drill_id, FeedbackNoticeRow.user_id == user_id)).first()
    return row is not None and row.sent_at is None and row.error is None


def finish_notice(session: Session, drill_id: int, user_id: str, owner: str, stamp: datetime, **values: Any) -> bool:
    """Only the holder of this very claim may finish or release it: one whose lease ran out and was
    taken over must not clear the new holder's claim."""
    result = session.execute(
        update(FeedbackNoticeRow)
        .where(
            FeedbackNoticeRow.drill_id == drill_id, FeedbackNoticeRow.user_id == user_id,
            FeedbackNoticeRow.claimed_by == owner, FeedbackNoticeRow.claimed_at == stamp,
        )
        .values(**values)
    )
    return result.rowcount == 1


def set_feedback_done(session: Session, drill_id: int, now: datetime) -> None:
    session.execute(update(DrillRow).where(DrillRow.id == drill_id).values(feedback_done_at=to_db(now)))


# ---- reminders and digests


def reminder_candidates(session: Session, now: datetime, limit: int = 1000) -> list[tuple[int, str, datetime, datetime, str, Remind]]:
    """Open drills in channels whose schedule has a reminder, with no reminder recorded yet:
    (drill id, channel, when it was posted, its reveal, its zone, the channel's reminder)."""
    recorded = select(ChannelPostRow.id).where(ChannelPostRow.kind == "reminder", ChannelPostRow.drill_id == DrillRow.id).exists()
    rows = session.execute(
        select(
            DrillRow.id, DrillRow.channel_id, func.coalesce(DrillRow.posted_at, DrillRow.post_at), DrillRow.reveal_at, DrillRow.timezone,
            ScheduleRow.remind_before_minutes, ScheduleRow.remind_time,
        )
        # The drill's own workspace's schedule: a shared channel's other workspace may have set one since.
        .join(ScheduleRow, and_(ScheduleRow.channel_id == DrillRow.channel_id, ScheduleRow.team_id == DrillRow.team_id))
        .where(
            DrillRow.status == DrillStatus.POSTED, DrillRow.reveal_at > to_db(now), DrillRow.message_ts.is_not(None),
            or_(ScheduleRow.remind_before_minutes.is_not(None), ScheduleRow.remind_time.is_not(None)),
            ~recorded,
        )
        .order_by(DrillRow.reveal_at, DrillRow.id)
        .limit(limit)
    ).all()
    found = []
    for drill_id, channel_id, posted_at, reveal_at, zone, before, at in rows:
        remind = _remind(before, at)
        if remind is not None:
            found.append((drill_id, channel_id, utc(posted_at), utc(reveal_at), zone, remind))
    return found  # type: ignore[return-value]


def digest_schedules(session: Session) -> list[Schedule]:
    """Schedules with a weekly digest, but none of a workspace that uninstalled the app: a paused
    schedule still gets its digest, and there is nobody to post it."""
    gone = select(WorkspaceRow.team_id).where(WorkspaceRow.uninstalled_at.is_not(None))
    rows = session.scalars(
        select(ScheduleRow)
        .where(ScheduleRow.digest_day.is_not(None), ScheduleRow.digest_time.is_not(None), ScheduleRow.team_id.not_in(gone))
        .order_by(ScheduleRow.channel_id)
    ).all()
    return [to_schedule(row) for row in rows]


def add_channel_post(session: Session, channel_id: str, kind: str, key: str, due_at: datetime, now: datetime, drill_id: int | None = None, *, team_id: str | None = None) -> bool:
    """Record a reminder or digest as due; False if it was already recorded (by any process). Its
    workspace is `team_id`, or when not given its drill's, or else the channel schedule's."""
    if team_id is not None:
        team: Any = team_id
    elif drill_id is not None:
        team = func.coalesce(_drill_team(drill_id), _schedule_team_or_single(channel_id))
    else:
        team = _schedule_team_or_single(channel_id)
    return insert_ignore(session, ChannelPostRow, {
        "channel_id": channel_id, "team_id": team, "kind": kind, "key": key, "drill_id": drill_id, "due_at": to_db(due_at),
        "status": "pending", "attempts": 0, "created_at": to_db(now),
    })


def channel_post_due_ids(session: Session, now: datetime, lease_cutoff: datetime, limit: int = 500) -> list[int]:
    query = (
        select(ChannelPostRow.id)
        .where(
            ChannelPostRow.due_at <= to_db(now),
            or_(ChannelPostRow.status == "pending", and_(ChannelPostRow.status == "sending", ChannelPostRow.claimed_at < to_db(lease_cutoff))),
            or_(ChannelPostRow.next_attempt_at.is_(None), ChannelPostRow.next_attempt_at <= to_db(now)),
        )
        .order_by(ChannelPostRow.due_at, ChannelPostRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim_channel_post(session: Session, post_id: int, owner: str, now: datetime, lease_cutoff: datetime) -> bool:
    """Take a reminder or digest to send: one pending, or one whose holder's lease ran out. Atomic
    like the drill's claim: of several processes racing for it, exactly one sees rowcount 1."""
    result = session.execute(
        update(ChannelPostRow)
        .where(
            ChannelPostRow.id == post_id,
            or_(ChannelPostRow.status == "pending", and_(ChannelPostRow.status == "sending", ChannelPostRow.claimed_at < to_db(lease_cutoff))),
            or_(ChannelPostRow.next_attempt_at.is_(None), ChannelPostRow.next_attempt_at <= to_db(now)),
        )
        .values(status="sending", claimed_by=owner, claimed_at=to_db(now), attempts=ChannelPostRow.attempts + 1)
    )
    return result.rowcount == 1


def finish_channel_post(session: Session, post_id: int, owner: str, stamp: datetime, **values: Any) -> bool:
    """Only the holder of this very claim may finish or release it."""
    result = session.execute(
        update(ChannelPostRow)
        .where(ChannelPostRow.id == post_id, ChannelPostRow.status == "sending", ChannelPostRow.claimed_by == owner, ChannelPostRow.claimed_at == to_db(stamp))
        .values(**values)
    )
    return result.rowcount == 1


def get_channel_post(session: Session, post_id: int) -> ChannelPostRow | None:
    return session.get(ChannelPostRow, post_id)


def week_drills(session: Session, channel_id: str, start: datetime, end: datetime, *, team_id: str = SINGLE_WORKSPACE) -> Sequence[DrillRow]:
    """The workspace's drills in the channel whose question was shown, due in (start, end], oldest first."""
    return session.scalars(
        select(DrillRow)
        .where(DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, DrillRow.status.in_(SHOWN), DrillRow.post_at > to_db(start), DrillRow.post_at <= to_db(end))
        .order_by(DrillRow.post_at, DrillRow.id)
    ).all()


def has_channel_post(session: Session, channel_id: str, kind: str, key: str) -> bool:
    return session.scalar(select(ChannelPostRow.id).where(ChannelPostRow.channel_id == channel_id, ChannelPostRow.kind == kind, ChannelPostRow.key == key)) is not None


def previous_digest_at(session: Session, channel_id: str, before: datetime, nothing_listed: str, *, team_id: str) -> datetime | None:
    """The instant of the channel's last digest before `before` that closed its period: one sent,
    or one skipped with nothing to list (`nothing_listed`, its recorded reason). One skipped for
    being late, or refused by Slack, closes nothing."""
    closed = or_(ChannelPostRow.status == "sent", and_(ChannelPostRow.status == "skipped", ChannelPostRow.last_error == nothing_listed))
    return utc(session.scalar(
        select(func.max(ChannelPostRow.due_at))
        .where(ChannelPostRow.channel_id == channel_id, ChannelPostRow.team_id == team_id, ChannelPostRow.kind == "digest", ChannelPostRow.due_at < to_db(before), closed)
    ))


def digest_turned_on_since(session: Session, channel_id: str, since: datetime, *, team_id: str) -> bool:
    """Whether a change after `since` turned the channel's weekly digest on: from off, or with a
    new schedule."""
    rows = session.scalars(
        select(ScheduleChangeRow)
        .where(ScheduleChangeRow.channel_id == channel_id, ScheduleChangeRow.team_id == team_id, ScheduleChangeRow.at > to_db(since))
    ).all()
    for row in rows:
        before, after, _note = change_settings(row)
        if after is not None and after.digest is not None and (before is None or before.digest is None):
            return True
    return False


def digest_unsettled(session: Session, channel_id: str, start: datetime, end: datetime, *, team_id: str) -> bool:
    """Whether a digest of (start, end] must wait: a drill due in it is not posted yet (another
    process may be posting it), or an earlier digest of the channel is still being sent."""
    drill = select(DrillRow.id).where(
        DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, DrillRow.status.in_((DrillStatus.PENDING, DrillStatus.POSTING)),
        DrillRow.post_at > to_db(start), DrillRow.post_at <= to_db(end),
    )
    digest = select(ChannelPostRow.id).where(
        ChannelPostRow.channel_id == channel_id, ChannelPostRow.team_id == team_id, ChannelPostRow.kind == "digest",
        ChannelPostRow.status.in_(("pending", "sending")), ChannelPostRow.due_at < to_db(end),
    )
    return bool(session.scalar(select(or_(drill.exists(), digest.exists()))))


def participant_counts(session: Session, drill_ids: Sequence[int], *, team_id: str = SINGLE_WORKSPACE) -> dict[int, int]:
    """How many members answered each of the workspace's drills on time (what its reveal counted)."""
    if not drill_ids:
        return {}
    rows = session.execute(
        select(ReplyRow.drill_id, func.count(func.distinct(ReplyRow.user_id)))
        .where(ReplyRow.drill_id.in_(set(drill_ids)), ReplyRow.team_id == team_id, ReplyRow.deleted.is_(False), ReplyRow.late.is_(False), ReplyRow.user_id.is_not(None))
        .group_by(ReplyRow.drill_id)
    ).all()
    return {r[0]: int(r[1]) for r in rows}


def drill_ratings(session: Session, drill_ids: Sequence[int], *, team_id: str = SINGLE_WORKSPACE) -> dict[int, list[int]]:
    """The self-grades given on each of the workspace's drills' reveal (1 忘れた … 4 簡単)."""
    if not drill_ids:
        return {}
    found: dict[int, list[int]] = {}
    query = select(ReviewRow.drill_id, ReviewRow.rating).where(ReviewRow.drill_id.in_(set(drill_ids)), ReviewRow.team_id == team_id)
    for drill_id, rating in session.execute(query).all():
        found.setdefault(drill_id, []).append(int(rating))
    return found


# ---- App Home


def record_home_opened(session: Session, user_id: str, now: datetime, fresh_since: datetime, *, team_id: str = SINGLE_WORKSPACE) -> bool:
    """Remember that the member opened their App Home (idempotent: Slack retries events), and claim
    its publish: True unless it was published, or claimed by another delivery of the same event, at
    or after `fresh_since`. The claim is one conditional UPDATE, so replicas agree on it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(HomeTabRow)
        .values(team_id=team_id, user_id=user_id, opened_at=to_db(now), published_at=None)
        .on_conflict_do_update(index_elements=[HomeTabRow.team_id, HomeTabRow.user_id], set_={"opened_at": to_db(now)})
    )
    result = session.execute(
        update(HomeTabRow)
        .where(HomeTabRow.team_id == team_id, HomeTabRow.user_id == user_id, or_(HomeTabRow.published_at.is_(None), HomeTabRow.published_at < to_db(fresh_since)))
        .values(published_at=to_db(now))
    )
    return result.rowcount == 1


def home_openers(session: Session, user_ids: Sequence[str], *, team_id: str = SINGLE_WORKSPACE) -> set[str]:
    """Those of these members who have opened their App Home."""
    if not user_ids:
        return set()
    return set(session.scalars(select(HomeTabRow.user_id).where(HomeTabRow.team_id == team_id, HomeTabRow.user_id.in_(set(user_ids)))).all())


# ---- leaderboard and export


# In a Slack Connect channel each workspace's drills, and the replies and grades that hang off them,
# are its own: every read below keyed by a channel or a drill is also keyed by the workspace asking
# (drills.team_id), so that one workspace never reads another's records through a shared channel.


def channel_zone(session: Session, channel_id: str, *, team_id: str = SINGLE_WORKSPACE) -> str | None:
    """The time zone of the channel's schedule, if it has one set by this workspace."""
    return session.scalar(select(ScheduleRow.timezone).where(ScheduleRow.channel_id == channel_id, ScheduleRow.team_id == team_id))


def channel_drill_teams(session: Session, channel_id: str) -> set[str]:
    """The workspaces whose drills the channel holds (two for a shared channel that changed hands)."""
    return set(session.scalars(select(DrillRow.team_id).where(DrillRow.channel_id == channel_id).distinct()).all())


def shown_drill_times(session: Session, channel_id: str, since: datetime | None = None, *, team_id: str = SINGLE_WORKSPACE) -> dict[int, datetime]:
    """When each of the workspace's drills in this channel that reached it was due (posted at or
    after `since`)."""
    query = select(DrillRow.id, DrillRow.post_at).where(DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, DrillRow.status.in_(SHOWN))
    if since is not None:
        query = query.where(DrillRow.post_at >= to_db(since))
    return {r[0]: utc(r[1]) for r in session.execute(query).all()}  # type: ignore[misc]


def channel_answer_times(session: Session, channel_id: str, since: datetime | None = None, *, team_id: str = SINGLE_WORKSPACE) -> list[tuple[str, int, datetime]]:
    """(member, drill, first on-time reply) for the workspace's drills in this channel posted at or
    after `since`: what the reveal counted, with when."""
    query = (
        select(ReplyRow.user_id, ReplyRow.drill_id, func.min(ReplyRow.replied_at))
        .join(DrillRow, DrillRow.id == ReplyRow.drill_id)
        .where(DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, ReplyRow.user_id.is_not(None), ReplyRow.deleted.is_(False), ReplyRow.late.is_(False))
        .group_by(ReplyRow.user_id, ReplyRow.drill_id)
    )
    if since is not None:
        query = query.where(DrillRow.post_at >= to_db(since))
    return [(r[0], r[1], utc(r[2])) for r in session.execute(query).all()]  # type: ignore[misc]


def export_drills(session: Session, channel_id: str, since: datetime, *, team_id: str = SINGLE_WORKSPACE) -> Sequence[Any]:
    """(id, post_at, timezone, role_slug, question_number) of the workspace's drills in this channel
    that reached it and were posted at or after `since`, oldest first."""
    return session.execute(
        select(DrillRow.id, DrillRow.post_at, DrillRow.timezone, DrillRow.role_slug, DrillRow.question_number)
        .where(DrillRow.channel_id == channel_id, DrillRow.team_id == team_id, DrillRow.status.in_(SHOWN), DrillRow.post_at >= to_db(since))
        .order_by(DrillRow.post_at, DrillRow.id)
    ).all()


def export_replies(session: Session, drill_ids: Sequence[int], *, team_id: str = SINGLE_WORKSPACE) -> list[tuple[int, str, bool, datetime]]:
    """(drill, member, late, first reply) per drill, member and lateness: who replied and when,
    never what (deleted replies left out), on the workspace's drills."""
    if not drill_ids:
        return []
    rows = session.execute(
        select(ReplyRow.drill_id, ReplyRow.user_id, ReplyRow.late, func.min(ReplyRow.replied_at))
        .where(ReplyRow.drill_id.in_(set(drill_ids)), ReplyRow.team_id == team_id, ReplyRow.user_id.is_not(None), ReplyRow.deleted.is_(False))
        .group_by(ReplyRow.drill_id, ReplyRow.user_id, ReplyRow.late)
    ).all()
    return [(r[0], r[1], bool(r[2]), utc(r[3])) for r in rows]  # type: ignore[misc]


def export_ratings(session: Session, drill_ids: Sequence[int], *, team_id: str = SINGLE_WORKSPACE) -> dict[tuple[int, str], int]:
    """The latest self-grade each member gave on each of the workspace's drills' reveal."""
    if not drill_ids:
        return {}
    rows = session.execute(
        select(ReviewRow.drill_id, ReviewRow.user_id, ReviewRow.rating)
        .where(ReviewRow.drill_id.in_(set(drill_ids)), ReviewRow.team_id == team_id)
        .order_by(ReviewRow.at, ReviewRow.id)
    ).all()
    return {(r[0], r[1]): r[2] for r in rows}


# ----------------------------------------------------------------------------- workspaces

# Every table whose rows belong to one workspace, children before their parents: the order a
# workspace's rows are deleted in.
TEAM_TABLES = (ReplyRow, FeedbackNoticeRow, ChannelPostRow, ReviewRow, CardRow, MemberSettingRow, HomeTabRow, DrillRow, ScheduleChangeRow, ScheduleRow)

# The columns that make a member's row unique within a workspace: a marker row is given the real
# team only where that team has no such row already (see resolve_single_workspace).
_MEMBER_KEYS = {
    CardRow: ("user_id", "role_slug", "question_id"),
    ReviewRow: ("user_id", "role_slug", "question_id", "local_day"),
    MemberSettingRow: ("user_id",),
    HomeTabRow: ("user_id",),
}

# Why a workspace's open drills and reminders stopped: their last_error.
UNINSTALLED = "app_uninstalled"


def resolve_single_workspace(session: Session, team_id: str, enterprise_id: str | None) -> int:
    """Give every row still carrying the SINGLE_WORKSPACE marker its real workspace (and schedules
    their enterprise); returns how many rows changed, 0 when run again. A member row that the team
    already has under its real id (written by a newer process while an older one still wrote the
    marker) keeps the marker rather than break the team's uniqueness: nothing reads it any more."""
    changed = 0
    for model in TEAM_TABLES:
        query = update(model).where(model.team_id == SINGLE_WORKSPACE)
        keys = _MEMBER_KEYS.get(model)
        if keys is not None:
            # The table aliased under its own name would be ambiguous in an UPDATE's subquery.
            other = model.__table__.alias("taken")
            query = query.where(~select(other.c.team_id).where(other.c.team_id == team_id, *(other.c[k] == getattr(model, k) for k in keys)).exists())
        values: dict[str, Any] = {"team_id": team_id}
        if model is ScheduleRow:
            values["enterprise_id"] = enterprise_id
        changed += session.execute(query.values(**values)).rowcount
    return changed


def get_workspace(session: Session, team_id: str, for_update: bool = False) -> WorkspaceRow | None:
    query = select(WorkspaceRow).where(WorkspaceRow.team_id == team_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def lock_workspace(session: Session, team_id: str, enterprise_id: str | None) -> WorkspaceRow:
    """The workspace's row, created if new and locked for this transaction, so that an install and
    an uninstall (or Slack's retries of either, on any replica) apply one after the other."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(WorkspaceRow).values(team_id=team_id, enterprise_id=enterprise_id).on_conflict_do_nothing())
    row = get_workspace(session, team_id, for_update=True)
    assert row is not None
    session.refresh(row)  # another transaction may have written it since this session first saw it
    return row


def pause_team_schedules(session: Session, team_id: str) -> list[ScheduleRow]:
    """Pause every running schedule of the workspace; returns those this call paused."""
    rows = session.scalars(
        select(ScheduleRow).where(ScheduleRow.team_id == team_id, ScheduleRow.paused.is_(False)).order_by(ScheduleRow.channel_id).with_for_update()
    ).all()
    for row in rows:
        row.paused = True
    session.flush()
    return list(rows)


def stop_team_drills(session: Session, team_id: str, now: datetime) -> int:
    """Make sure none of the workspace's drills is posted, revealed, edited, read back or followed
    by feedback any more: every one not yet revealed becomes missed (one being posted or revealed
    right now included: its holder's finish then fails), and a revealed one is treated as marked
    and its feedback as done. Returns how many drills this call stopped before their reveal."""
    stopped = session.execute(
        update(DrillRow)
        .where(DrillRow.team_id == team_id, DrillRow.status.in_((DrillStatus.PENDING, DrillStatus.POSTING, *OPEN)))
        .values(status=DrillStatus.MISSED, last_error=UNINSTALLED, backfill_due=False, feedback_done_at=func.coalesce(DrillRow.feedback_done_at, to_db(now)))
    ).rowcount
    session.execute(
        update(DrillRow)
        .where(DrillRow.team_id == team_id, DrillRow.status == DrillStatus.REVEALED, or_(DrillRow.marked_at.is_(None), DrillRow.feedback_done_at.is_(None)))
        .values(marked_at=func.coalesce(DrillRow.marked_at, to_db(now)), feedback_done_at=func.coalesce(DrillRow.feedback_done_at, to_db(now)))
    )
    return stopped


def skip_team_channel_posts(session: Session, team_id: str) -> int:
    """Skip the workspace's reminders and digests that are not sent yet (one being sent included)."""
    return session.execute(
        update(ChannelPostRow)
        .where(ChannelPostRow.team_id == team_id, ChannelPostRow.status.in_(("pending", "sending")))
        .values(status="skipped", last_error=UNINSTALLED)
    ).rowcount


def purge_candidates(session: Session, now: datetime) -> list[str]:
    """Workspaces whose data is due for deletion at `now` and not deleted yet."""
    return list(session.scalars(
        select(WorkspaceRow.team_id)
        .where(WorkspaceRow.purged_at.is_(None), WorkspaceRow.purge_after.is_not(None), WorkspaceRow.purge_after <= to_db(now))
        .order_by(WorkspaceRow.purge_after, WorkspaceRow.team_id)
    ))


def claim_purge(session: Session, team_id: str, now: datetime) -> bool:
    """Take the deletion of a workspace's data. One conditional UPDATE, so that of several replicas
    exactly one sees rowcount 1; it must be the transaction's first statement on SQLite (a read
    first would make its write fail, not wait, when another replica wrote meanwhile)."""
    result = session.execute(
        update(WorkspaceRow)
        .where(WorkspaceRow.team_id == team_id, WorkspaceRow.purged_at.is_(None), WorkspaceRow.purge_after.is_not(None), WorkspaceRow.purge_after <= to_db(now))
        .values(purged_at=to_db(now))
    )
    return result.rowcount == 1


def delete_team_rows(session: Session, team_id: str) -> dict[str, int]:
    """Delete every row the bot keeps for the workspace; how many went, per table. Slack's own
    installation rows are not the bot's to delete (the Slack layer deletes them on uninstall)."""
    return {model.__tablename__: session.execute(delete(model).where(model.team_id == team_id)).rowcount for model in TEAM_TABLES}


# ----------------------------------------------------------------------------- signed requests served


def remember_request(session: Session, signature: str, request_ts: int, now: datetime) -> bool:
    """Record a signed request as served; False if it was already (the same signature: a replay)."""
    return insert_ignore(session, SeenRequestRow, {"signature": signature, "request_ts": request_ts, "seen_at": to_db(now)})


def forget_requests(session: Session, before: datetime) -> int:
    """Drop the record of requests served before `before`; how many went."""
    return session.execute(delete(SeenRequestRow).where(SeenRequestRow.seen_at < to_db(before))).rowcount
