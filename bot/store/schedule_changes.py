"""The history of each channel's schedule: who changed what, when, and the settings before and after.

Settings are kept as JSON of the domain's `Schedule`. Rows from before typed history hold a
compact string instead, which is read back as a note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.schedule import DAY_NAMES, Digest, Remind, Reveal, Schedule
from bot.store.db import aware, to_db
from bot.store.models import ScheduleChangeRow


@dataclass(frozen=True)
class StoredChange:
    at: datetime
    user_id: str
    action: str
    source: str  # "command" or "modal"
    team_id: str
    before: Schedule | None
    after: Schedule | None
    note: str


def record_change(
    session: Session,
    channel_id: str,
    user_id: str,
    now: datetime,
    action: str,
    before: Schedule | None,
    after: Schedule | None,
    note: str = "",
    source: str = "command",
    *,
    team_id: str,
) -> None:
    session.add(
        ScheduleChangeRow(
            channel_id=channel_id,
            team_id=team_id,
            user_id=user_id,
            at=to_db(now),
            action=action,
            source=source,
            before=_schedule_json(before),
            after=_schedule_json(after, note),
        )
    )


def recent_changes(session: Session, channel_id: str, limit: int = 10, *, team_id: str) -> list[StoredChange]:
    """The workspace's recent changes to the channel's schedule, newest first: in a shared channel,
    another workspace's are its own."""
    query = (
        select(ScheduleChangeRow)
        .where(ScheduleChangeRow.channel_id == channel_id, ScheduleChangeRow.team_id == team_id)
        .order_by(ScheduleChangeRow.at.desc(), ScheduleChangeRow.id.desc())
        .limit(limit)
    )
    return [_to_change(row) for row in session.scalars(query).all()]


def digest_turned_on_since(session: Session, channel_id: str, since: datetime, *, team_id: str) -> bool:
    """Whether a change after `since` turned the channel's weekly digest on: from off, or with a
    new schedule."""
    rows = session.scalars(
        select(ScheduleChangeRow).where(
            ScheduleChangeRow.channel_id == channel_id, ScheduleChangeRow.team_id == team_id, ScheduleChangeRow.at > to_db(since)
        )
    ).all()
    for row in rows:
        before, after, _note = _settings(row)
        if after is not None and after.digest is not None and (before is None or before.digest is None):
            return True
    return False


def _to_change(row: ScheduleChangeRow) -> StoredChange:
    before, after, note = _settings(row)
    return StoredChange(aware(row.at), row.user_id, row.action, row.source, row.team_id, before, after, note)


def _settings(row: ScheduleChangeRow) -> tuple[Schedule | None, Schedule | None, str]:
    """(before, after, note) of a recorded change."""
    before, note_before = _schedule_from_json(row.channel_id, row.before or "")
    after, note_after = _schedule_from_json(row.channel_id, row.after or "")
    note = " → ".join(n for n in (note_before, note_after) if n)
    return before, after, note


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
        reveal=Reveal(at=time.fromisoformat(data["reveal_time"]))
        if data.get("reveal_time")
        else Reveal(offset=timedelta(minutes=offset or 0)),
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
