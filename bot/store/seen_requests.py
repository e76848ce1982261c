"""Signed requests already served (by signature), so that a replayed request is not carried out again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.store.db import changed, insert_ignore, to_db
from bot.store.models import SeenRequestRow


def remember_request(session: Session, signature: str, request_ts: int, now: datetime) -> bool:
    """Record a signed request as served; False if it was already (the same signature: a replay)."""
    return insert_ignore(session, SeenRequestRow, {"signature": signature, "request_ts": request_ts, "seen_at": to_db(now)})


def forget_requests(session: Session, before: datetime) -> int:
    """Drop the record of requests served before `before`; how many went."""
    return changed(session.execute(delete(SeenRequestRow).where(SeenRequestRow.seen_at < to_db(before))))
