"""Members who have opened the bot's App Home: only they get it republished when what it shows
changes, and a publish is claimed so that Slack's retries and replicas send it once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.store.db import changed, insert_for, to_db
from bot.store.models import HomeTabRow


def record_home_opened(session: Session, user_id: str, now: datetime, fresh_since: datetime, *, team_id: str) -> bool:
    """Remember that the member opened their App Home (idempotent: Slack retries events), and claim
    its publish: True unless it was published, or claimed by another delivery of the same event, at
    or after `fresh_since`. The claim is one conditional UPDATE, so replicas agree on it."""
    insert = insert_for(session)
    session.execute(
        insert(HomeTabRow)
        .values(team_id=team_id, user_id=user_id, opened_at=to_db(now), published_at=None)
        .on_conflict_do_update(index_elements=[HomeTabRow.team_id, HomeTabRow.user_id], set_={"opened_at": to_db(now)})
    )
    result = session.execute(
        update(HomeTabRow)
        .where(
            HomeTabRow.team_id == team_id,
            HomeTabRow.user_id == user_id,
            or_(HomeTabRow.published_at.is_(None), HomeTabRow.published_at < to_db(fresh_since)),
        )
        .values(published_at=to_db(now))
    )
    return changed(result) == 1


def home_openers(session: Session, user_ids: Sequence[str], *, team_id: str) -> set[str]:
    """Those of these members who have opened their App Home."""
    if not user_ids:
        return set()
    return set(
        session.scalars(select(HomeTabRow.user_id).where(HomeTabRow.team_id == team_id, HomeTabRow.user_id.in_(set(user_ids)))).all()
    )
