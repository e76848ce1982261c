"""A workspace's install, uninstall and the deletion of its data after a retention period.

An uninstall (Slack's `app_uninstalled`, or `tokens_revoked` for the bot) stops the workspace at
once: its schedules are paused, and its drills, reminders and digests are never posted or revealed
after that. Its data is kept for the retention period, so that a reinstall finds its schedules
again (paused, ready to resume: nothing resumes by itself), and is then deleted by the scheduler,
exactly once across replicas.

Slack sends both events for one uninstall, and retries each: every step here is idempotent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.store import installs, schedules, team_questions
from bot.usecases.question_exchange import IMPORT_KEPT


@dataclass(frozen=True)
class Stopped:
    """What an uninstall stopped: 0 and 0 when Slack delivers it again."""

    schedules_paused: int
    drills_cancelled: int
    posts_skipped: int = 0


class Workspaces:
    def __init__(self, sessions: sessionmaker[Session], retention: timedelta, log: logging.Logger | None = None):
        self.sessions = sessions
        self.retention = retention
        self.log = log or logging.getLogger(__name__)

    def adopt_single_workspace(self, marker: str, *, team_id: str, enterprise_id: str | None) -> int:
        """A single-workspace deployment's start: rows stored before workspaces were recorded (they
        carry the single workspace's `marker`, which that adapter supplies) become its team's.
        Idempotent; returns how many rows changed."""
        with self.sessions.begin() as session:
            return installs.resolve_single_workspace(session, marker, team_id=team_id, enterprise_id=enterprise_id)

    def unclaimed_schedules(self, marker: str) -> list[str]:
        """Channels whose schedule still carries the single workspace's `marker`: in OAuth mode no
        workspace sees them (and each keeps its channel from the others) until a single-workspace
        start has claimed them."""
        with self.sessions() as session:
            return [schedule.channel_id for schedule in schedules.team_schedules(session, team_id=marker)]

    def installed(self, now: datetime, *, team_id: str, enterprise_id: str | None) -> bool:
        """Record an install (or a reinstall). True if it cancelled the pending deletion of the
        workspace's data; its schedules stay paused until an admin resumes them."""
        with self.sessions.begin() as session:
            workspace = installs.lock_workspace(session, team_id=team_id, enterprise_id=enterprise_id)
            cancelled = workspace.uninstalled_at is not None and workspace.purged_at is None
            installs.set_installed(session, now, team_id=team_id, enterprise_id=enterprise_id)
        if cancelled:
            self.log.info("workspace %s reinstalled: its data is no longer to be deleted; its schedules stay paused until resumed", team_id)
        return cancelled

    def uninstalled(self, now: datetime, sent_at: datetime | None = None, *, team_id: str, enterprise_id: str | None) -> Stopped | None:
        """Stop everything of the workspace and set its data to be deleted after the retention
        period (counted from the first notice of the uninstall, not from Slack's retries).

        `sent_at` is when Slack sent the notice: one sent before the workspace's latest install (a
        retry that arrives after an uninstall and a quick reinstall) changes nothing and returns
        None, so that the caller keeps the new installation too. Slack's event_time has whole
        seconds, so the two are compared by the second: a notice from the install's own second
        follows it (a reinstall is a round trip through Slack's consent page after the uninstall,
        never within the same second), and only one from an earlier second is older."""
        with self.sessions.begin() as session:
            workspace = installs.lock_workspace(session, team_id=team_id, enterprise_id=enterprise_id)
            installed_at = workspace.installed_at
            if sent_at is not None and installed_at is not None and sent_at < installed_at.replace(microsecond=0):
                self.log.info("workspace %s: an uninstall sent at %s predates its install at %s; ignored", team_id, sent_at, installed_at)
                return None
            purge_after = workspace.purge_after
            if workspace.uninstalled_at is None:
                purge_after = now + self.retention
                installs.set_uninstalled(session, now, purge_after, team_id=team_id)
            paused = installs.pause_team_schedules(session, team_id=team_id)
            drills = installs.stop_team_drills(session, now, team_id=team_id)
            posts = installs.skip_team_channel_posts(session, team_id=team_id)
        for schedule in paused:
            # The admin cannot be told in Slack any more: the app is gone from their workspace.
            self.log.warning(
                "workspace %s uninstalled the app: the schedule of channel %s (last set by %s) is paused and cannot be announced there",
                team_id,
                schedule.schedule.channel_id,
                schedule.updated_by,
            )
        if paused or drills or posts:
            self.log.warning(
                "workspace %s uninstalled the app: %d schedules paused, %d drills and %d reminders/digests stopped; its data will be deleted after %s",
                team_id,
                len(paused),
                drills,
                posts,
                purge_after,
            )
        return Stopped(schedules_paused=len(paused), drills_cancelled=drills, posts_skipped=posts)

    def purge_due(self, now: datetime) -> list[str]:
        """Delete the data of every workspace whose retention period has run out at `now`; returns
        the workspaces this call deleted. Any number of replicas may call it at once: each
        workspace's claim and deletion are one transaction, and one replica wins the claim. Every
        workspace's question imports older than IMPORT_KEPT go too, confirmed or not."""
        with self.sessions.begin() as session:
            imports = team_questions.delete_imports_before(session, now - IMPORT_KEPT)
        if imports:
            self.log.info("deleted %d question import(s) older than %s", imports, IMPORT_KEPT)
        with self.sessions() as session:
            due = installs.purge_candidates(session, now)
        purged = []
        for team_id in due:
            with self.sessions.begin() as session:
                if not installs.claim_purge(session, now, team_id=team_id):
                    continue  # another replica took it (or a reinstall cancelled it) since
                deleted = installs.delete_team_rows(session, team_id=team_id)
            purged.append(team_id)
            self.log.warning(
                "workspace %s: deleted its data after the retention period (%s)",
                team_id,
                ", ".join(f"{count} {table}" for table, count in deleted.items() if count) or "nothing left",
            )
        return purged
