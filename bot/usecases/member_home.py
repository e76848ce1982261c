"""What a member's App Home shows: their drill record and learning progress, the drill channels they
can see, the roles, and for an admin the questions members proposed (承認待ちの質問); and who has
opened it (only they get it republished)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.catalog import RoleCatalog
from bot.domain.progress import streak
from bot.domain.role import Role
from bot.domain.schedule import ScheduleError
from bot.domain.team_questions import TeamQuestion
from bot.ports import AdminCheckFailed
from bot.store import answers, home_tabs
from bot.store.db import limit_wait
from bot.usecases.learning import Learning, LearningStats
from bot.usecases.schedule_admin import NotAllowed, ScheduleAdmin, ScheduleView, Visible
from bot.usecases.team_questions import TeamQuestions

log = logging.getLogger(__name__)

# Slack retries an event it did not see acknowledged, and a member may flick between tabs: a Home
# published this recently is current (anything that changes it republishes it), so it is not sent again.
REOPEN_SECONDS = 10
# The oldest proposals an admin's Home lists (two blocks each, so the Home stays within Slack's 100
# blocks with twenty channels and every role); the Home says how many more wait.
PENDING_ON_HOME = 10


def everyone_sees_all(user_id: str, channel_ids: Sequence[str], *, team_id: str) -> set[str]:
    """For the console and tests without a chat service: every channel is public."""
    return set(channel_ids)


@dataclass(frozen=True)
class HomeChannel:
    view: ScheduleView
    mine: bool  # the member has answered a drill here
    streak: int  # their current streak here


@dataclass(frozen=True)
class HomeData:
    user_id: str
    now: datetime
    answered: int  # drills answered on time, in every channel
    best_streak: int  # the longest current streak over their channels
    learning: LearningStats
    channels: tuple[HomeChannel, ...]  # the member's own channels first, then by next post
    roles: tuple[Role, ...]
    admin: bool  # may change schedules (False too when the check could not be made)
    notice: str = ""  # one sentence for the top of the Home, e.g. why a press changed nothing
    # An admin's 承認待ちの質問: the oldest proposals with their role's label, and how many wait in all.
    pending: tuple[tuple[TeamQuestion, str], ...] = ()
    pending_total: int = 0


class Home:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        learning: Learning,
        schedules: ScheduleAdmin,
        catalog: RoleCatalog,
        visible: Visible = everyone_sees_all,
        team_questions: TeamQuestions | None = None,
    ):
        self.sessions = sessions
        self.learning = learning
        self.schedules = schedules
        self.catalog = catalog
        self.visible = visible
        self.team_questions = team_questions

    # ------------------------------------------------------------------ who opened it

    def opened(self, user_id: str, now: datetime, *, team_id: str) -> bool:
        """Record that the member opened their Home; True if this opening should publish it."""
        with self.sessions.begin() as session:
            limit_wait(session, 1.5)
            return home_tabs.record_home_opened(session, user_id, now, now - timedelta(seconds=REOPEN_SECONDS), team_id=team_id)

    def openers(self, user_ids: Sequence[str], *, team_id: str) -> set[str]:
        with self.sessions() as session:
            return home_tabs.home_openers(session, user_ids, team_id=team_id)

    # ------------------------------------------------------------------ the admin's toggle

    def toggle(self, channel_id: str, user_id: str, now: datetime, want: str | None = None, *, team_id: str) -> str:
        """Pause or resume the schedule, as the Home's button asks: `want` is "pause" or "resume"
        (what the pressed button said; None flips the current state). The admin check is made again
        here. Returns what happened: "paused", "resumed", "already_paused" / "already_running" (it
        already was what the button asked for: a double click, or a Home older than another
        admin's change), "refused" (not an admin), "unchecked" (the check could not be made) or
        "missing" (no such schedule)."""
        try:
            self.schedules.authorize(user_id, team_id=team_id)
            view = self.schedules.show(channel_id, now, team_id=team_id) if channel_id else None
            if view is None:
                return "missing"
            if want == "pause" and view.schedule.paused:
                return "already_paused"
            if want == "resume" and not view.schedule.paused:
                return "already_running"
            if view.schedule.paused:
                self.schedules.resume(channel_id, user_id, now, team_id=team_id)
                return "resumed"
            self.schedules.pause(channel_id, user_id, now, team_id=team_id)
            return "paused"
        except NotAllowed:
            return "refused"
        except AdminCheckFailed:
            return "unchecked"
        except ScheduleError:  # removed between the Home's publish and the press
            return "missing"

    # ------------------------------------------------------------------ what it shows

    def data(self, user_id: str, now: datetime, notice: str = "", *, team_id: str) -> HomeData:
        with self.sessions() as session:
            answered = answers.answered_on_time(session, user_id, team_id=team_id)
            mine = set(answered.values())
            streaks = {
                channel: streak(answers.shown_history(session, channel, team_id=team_id), {d for d, c in answered.items() if c == channel})
                for channel in mine
            }
        admin = self._admin(user_id, team_id)
        # An admin also sees a channel archived or deleted under its schedule, which Slack may no
        # longer vouch for, and why the bot paused it.
        views = self.schedules.list_seen_by(user_id, now, self.visible, paused_by_bot=admin, team_id=team_id)
        channels = [HomeChannel(v, v.schedule.channel_id in mine, streaks.get(v.schedule.channel_id, 0)) for v in views]
        far = now + timedelta(days=3660)
        channels.sort(
            key=lambda c: (not c.mine, c.view.schedule.paused, c.view.next.post_at if c.view.next else far, c.view.schedule.channel_id)
        )
        # Who may decide on a proposal is who may change schedules: the same admin check, made once.
        pending = self.team_questions.pending(team_id=team_id) if admin and self.team_questions is not None else []
        return HomeData(
            user_id=user_id,
            now=now,
            answered=len(answered),
            best_streak=max(streaks.values(), default=0),
            learning=self.learning.stats(user_id, now, team_id=team_id),
            channels=tuple(channels),
            roles=tuple(self.catalog.roles),
            admin=admin,
            notice=notice,
            pending=tuple((q, self._label(q)) for q in pending[:PENDING_ON_HOME]),
            pending_total=len(pending),
        )

    def _label(self, question: TeamQuestion) -> str:
        return self.team_questions.target_label(question.draft.target) if self.team_questions is not None else question.draft.target

    def _admin(self, user_id: str, team_id: str) -> bool:
        try:
            return bool(self.schedules.is_admin(user_id, team_id))
        except AdminCheckFailed:
            log.info("the admin check for %s could not be made; their Home shows the member view", user_id)
            return False
