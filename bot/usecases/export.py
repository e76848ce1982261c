"""`/career export`: a CSV of one channel's drill records, sent privately to the admin who asked.

One row per (drill, member) for every member who replied to or self-graded a drill posted in the
last N days: when, whether on time, and the grade. Never what anyone wrote (it is not stored)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.catalog import RoleCatalog
from bot.domain.standings import ExportDrill, MemberRecord, csv_bytes, export_rows
from bot.ports import ChatPorts
from bot.store import channel_records, schedules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int  # data rows, the header not counted


class Export:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalog: RoleCatalog,
        chats: ChatPorts,
        name_of: Callable[[str, str], str],
        default_timezone: str,
    ):
        self.sessions = sessions
        self.catalog = catalog
        self.chats = chats
        self.name_of = name_of  # (user id, team id) -> display name
        self.default_timezone = default_timezone

    def belongs_elsewhere(self, channel_id: str, *, team_id: str) -> bool:
        """Whether the channel's records are another workspace's: its schedule was set there, or it
        has no schedule (turned off, records kept) and its drills are all another's. A Slack
        Connect channel is shared, its records (self-grades among them) are not."""
        with self.sessions() as session:
            owner = schedules.schedule_team(session, channel_id)
            teams = channel_records.channel_drill_teams(session, channel_id)
        if owner is not None:
            return owner != team_id
        return bool(teams) and team_id not in teams

    def build(self, channel_id: str, days: int, now: datetime, *, team_id: str) -> ExportFile:
        """The workspace `team_id`'s records of the channel: never another workspace's drills, nor
        replies and grades kept with them."""
        since = now - timedelta(days=days)
        with self.sessions() as session:
            zone = schedules.channel_zone(session, channel_id, team_id=team_id) or self.default_timezone
            drills = [
                ExportDrill(row[0], row[1], row[2], row[3] or "", self._role_title(row[3]), row[4])
                for row in channel_records.export_drills(session, channel_id, since, team_id=team_id)
            ]
            ids = [d.id for d in drills]
            replies = channel_records.export_replies(session, ids, team_id=team_id)
            ratings = channel_records.export_ratings(session, ids, team_id=team_id)
        records = _records(replies, ratings)
        rows = export_rows(drills, records, lambda user_id: self.name_of(user_id, team_id))
        day = now.astimezone(ZoneInfo(zone)).date().isoformat()
        return ExportFile(f"career-drill-{channel_id}-{day}.csv", csv_bytes(rows), len(rows))

    def send(self, channel_id: str, user_id: str, days: int, now: datetime, *, team_id: str) -> ExportFile:
        """Build the CSV and upload it to the admin's DM; nothing is uploaded when it has no rows.
        Raises ChatError when Slack refused the DM or the upload."""
        export = self.build(channel_id, days, now, team_id=team_id)
        if export.rows:
            self.chats(team_id).upload_file(
                user_id,
                export.filename,
                export.content,
                title=f"面接ドリルの記録（直近{days}日間）",
                comment=f"<#{channel_id}> の面接ドリルの記録です（直近{days}日間、{export.rows}行）。回答の本文は含みません。",
            )
            log.info("exported %d rows of %s to %s", export.rows, channel_id, user_id)
        return export

    def _role_title(self, slug: str | None) -> str:
        role = self.catalog.by_slug(slug) if slug else None
        return (role.short_title or role.title) if role else (slug or "")


def _records(replies: list[tuple[int, str, bool, datetime]], ratings: dict[tuple[int, str], int]) -> list[MemberRecord]:
    """Each member's first on-time reply (else their first late one) and grade, per drill."""
    first: dict[tuple[int, str], tuple[bool, datetime]] = {}
    for drill_id, user_id, late, at in replies:
        key = (drill_id, user_id)
        known = first.get(key)
        # An on-time reply wins over a late one; among equals, the earlier.
        if known is None or (known[0] and not late) or (known[0] == late and at < known[1]):
            first[key] = (late, at)
    keys = set(first) | set(ratings)
    return [
        MemberRecord(
            drill_id,
            user_id,
            first[(drill_id, user_id)][1] if (drill_id, user_id) in first else None,
            (drill_id, user_id) in first and not first[(drill_id, user_id)][0],
            ratings.get((drill_id, user_id)),
        )
        for drill_id, user_id in keys
    ]
