"""Use-cases for admins: set, show, pause, resume, skip and remove a channel's drill schedule;
post or reveal a drill now. Every change is checked, recorded (who, when, before → after) and takes
effect on the scheduler's next tick — no restart."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.catalog import NotFound, RoleCatalog
from bot.domain.drill import EXTRA_PREFIX, DrillStatus
from bot.domain.drill_pool import ALL_ROLES, MIN_FILTERED_QUESTIONS, count_askable
from bot.domain.role import Level
from bot.domain.schedule import (
    Occurrence,
    Schedule,
    ScheduleError,
    format_local,
    next_occurrence,
    occurrence_on,
)
from bot.domain.schedule_input import KEEP, Keep, ScheduleRequest, parse_skip_date, remind_problem
from bot.ports import AdminCheckFailed
from bot.store import drills, schedule_changes, schedules

log = logging.getLogger(__name__)


class Visible(Protocol):
    """`visible(user_id, channel_ids, team_id=…)`: which of these channels the member of that
    workspace can see (public ones, and private ones they belong to). A channel the chat service
    could not tell about is left out."""

    def __call__(self, user_id: str, channel_ids: Sequence[str], *, team_id: str) -> set[str]: ...


class NotAllowed(Exception):
    """The user may not change schedules."""


class StaleSchedule(Exception):
    """The schedule changed after the form that would change it was opened."""


__all__ = ["AdminCheckFailed", "NotAllowed", "OTHER_WORKSPACE", "StaleSchedule", "ScheduleAdmin", "ScheduleView", "Change", "Visible"]


@dataclass(frozen=True)
class ScheduleView:
    schedule: Schedule
    next: Occurrence | None
    role_label: str


@dataclass(frozen=True)
class Change:
    at: datetime
    user_id: str
    action: str
    before: Schedule | None
    after: Schedule | None
    note: str = ""
    source: str = "command"  # or "modal": the schedule editor


class ScheduleAdmin:
    def __init__(
        self, sessions: sessionmaker[Session], catalog: RoleCatalog, is_admin: Callable[[str, str], bool], wake: Callable[[], None]
    ):
        self.sessions = sessions
        self.catalog = catalog
        self.is_admin = is_admin  # (user id, team id) -> bool
        self.wake = wake

    # ------------------------------------------------------------------ reading

    def show(self, channel_id: str, now: datetime, *, team_id: str) -> ScheduleView | None:
        """The channel's schedule, None when it has none. Another workspace's schedule of a shared
        channel is not shown: ScheduleError saying whose it is."""
        with self.sessions() as session:
            stored = schedules.get_schedule(session, channel_id)
            if stored is not None and stored.team_id != team_id:
                raise ScheduleError(OTHER_WORKSPACE)
            return self._views(session, [stored.schedule], now)[0] if stored else None

    def for_form(self, channel_id: str, *, team_id: str) -> tuple[Schedule | None, datetime | None]:
        """The workspace's schedule of the channel and its version (when it last changed), which a
        form opened on it hands back to `set` as `expected_version`; (None, None) when there is
        none, or it is another workspace's (whose settings a form must not show)."""
        with self.sessions() as session:
            stored = schedules.get_schedule(session, channel_id)
            return (stored.schedule, stored.updated_at) if stored and stored.team_id == team_id else (None, None)

    def list_all(self, now: datetime) -> list[ScheduleView]:
        """Every workspace's schedules (the console's one database)."""
        with self.sessions() as session:
            return self._views(session, schedules.all_schedules(session), now)

    def list_seen_by(
        self, user_id: str, now: datetime, visible: Visible, paused_by_bot: bool = False, *, team_id: str
    ) -> list[ScheduleView]:
        """The workspace's schedules in the channels this member can see: `visible(user, channels,
        team_id=team)` leaves out private channels they are not in (and any it could not vouch for).
        `paused_by_bot` (for an admin) keeps the schedules the bot paused because their channel was
        archived or deleted, which Slack may no longer vouch for."""
        with self.sessions() as session:
            views = self._views(session, schedules.team_schedules(session, team_id=team_id), now)
        seen = visible(user_id, [v.schedule.channel_id for v in views], team_id=team_id) if views else set()
        return [v for v in views if v.schedule.channel_id in seen or (paused_by_bot and v.schedule.paused_reason)]

    def owned_by(self, channel_id: str, *, team_id: str) -> bool:
        """False when the channel's schedule (and with it its drills) belongs to another workspace."""
        with self.sessions() as session:
            owner = schedules.schedule_team(session, channel_id)
        return owner is None or owner == team_id

    def history(self, channel_id: str, limit: int = 10, *, team_id: str) -> list[Change]:
        """The workspace's recent changes to the channel's schedule (a shared channel's other
        workspace keeps its own)."""
        with self.sessions() as session:
            changes = schedule_changes.recent_changes(session, channel_id, limit, team_id=team_id)
        return [Change(c.at, c.user_id, c.action, c.before, c.after, c.note, source=c.source or "command") for c in changes]

    def _views(self, session: Session, settings: list[Schedule], now: datetime) -> list[ScheduleView]:
        """With the next post that will really happen: a day already served (today's drill posted
        before a change of time or zone) gets no second drill."""
        served = drills.served_days(session, settings, now)
        return [ScheduleView(s, next_occurrence(s, now, served[s.channel_id]), self.role_label(s.role)) for s in settings]

    def role_label(self, role: str) -> str:
        if role == "all":
            return "全職種（ローテーション）"
        found = self.catalog.by_slug(role)
        return found.short_title if found else role

    # ------------------------------------------------------------------ changing

    def set(
        self,
        channel_id: str,
        user_id: str,
        request: ScheduleRequest,
        now: datetime,
        source: str = "command",
        expected_version: datetime | None | Keep = KEEP,
        *,
        team_id: str,
        enterprise_id: str | None = None,
    ) -> ScheduleView:
        """`expected_version` (the schedule's `updated_at` when a form was opened, None for a new
        one) refuses a change made from a stale form: StaleSchedule, and nothing changes. A stale
        form that asks for exactly the schedule as it now stands (the same form submitted twice)
        changes nothing either, and is answered as saved.
        A channel has one schedule whichever workspace set it (a Slack Connect channel is shared,
        and two schedules would post twice): another workspace's schedule is refused."""
        self.authorize(user_id, team_id=team_id)
        role = self._resolve_role(request.role)
        with self.sessions.begin() as session:
            stored = schedules.get_schedule(session, channel_id, for_update=True)
            if stored is not None and stored.team_id != team_id:
                raise ScheduleError(OTHER_WORKSPACE)
            stale = not isinstance(expected_version, Keep) and (stored.updated_at if stored else None) != expected_version
            before = stored.schedule if stored else None
            schedule = Schedule(
                channel_id=channel_id,
                role=role,
                post_time=request.post_time,
                timezone=request.timezone,
                days=request.days,
                reveal=request.reveal,
                skip_dates=before.skip_dates if before else frozenset(),
                paused=False,
                all_questions=request.all_questions,
                order=request.order or (before.order if before else "adaptive"),
                feedback=request.feedback if request.feedback is not None else (before.feedback if before else True),
                remind=(before.remind if before else None) if isinstance(request.remind, Keep) else request.remind,
                digest=(before.digest if before else None) if isinstance(request.digest, Keep) else request.digest,
                levels=(before.levels if before else frozenset()) if isinstance(request.levels, Keep) else request.levels,
                common_every=(before.common_every if before else 0) if isinstance(request.common_every, Keep) else request.common_every,
                effective_from=now,
            )
            if stale:
                if before is not None and replace(schedule, effective_from=before.effective_from) == before:
                    return self._views(session, [before], now)[0]
                raise StaleSchedule(channel_id)
            problem = (
                remind_problem(schedule.post_time, schedule.reveal, schedule.remind) if schedule.remind else None
            ) or self._level_problem(schedule)
            if problem:  # a reminder given now, or kept from before and left behind by a new reveal
                raise ScheduleError(problem)
            schedules.save_schedule(
                session,
                schedule,
                user_id,
                now,
                keep_deck=bool(before and before.role == role),
                team_id=team_id,
                enterprise_id=enterprise_id,
            )
            self._record(session, channel_id, user_id, now, "set", before, schedule, source, team_id=team_id)
            view = self._views(session, [schedule], now)[0]
        self.wake()
        return view

    def _level_problem(self, schedule: Schedule) -> str | None:
        """One sentence when the schedule's level filter leaves a role (or, with common=, the common
        questions) fewer than MIN_FILTERED_QUESTIONS questions to drill; None otherwise."""
        if not schedule.levels:
            return None
        documents = list(self.catalog.roles) if schedule.role == ALL_ROLES else [r for r in (self.catalog.by_slug(schedule.role),) if r]
        if schedule.common_every and self.catalog.common is not None:
            documents.append(self.catalog.common)
        named = "・".join(level.value for level in Level if level in schedule.levels)
        for role in documents:
            count = count_askable(role, schedule)
            if count < MIN_FILTERED_QUESTIONS:
                return (
                    f"{role.short_title or role.title}には{named}の出題できる質問が{count}問しかないため、このレベルでは設定できません。"
                    f"{MIN_FILTERED_QUESTIONS}問以上になるようにレベルを増やしてください（level=all ですべて）。"
                )
        return None

    def pause(self, channel_id: str, user_id: str, now: datetime, *, team_id: str) -> ScheduleView:
        return self._update(channel_id, user_id, now, "pause", lambda s: replace(s, paused=True), team_id)

    def resume(self, channel_id: str, user_id: str, now: datetime, *, team_id: str) -> ScheduleView:
        # Days spent paused are not recorded as missed: the schedule starts afresh from now.
        return self._update(
            channel_id, user_id, now, "resume", lambda s: replace(s, paused=False, paused_reason=None, effective_from=now), team_id
        )

    def skip(self, channel_id: str, user_id: str, day_text: str, now: datetime, *, team_id: str) -> tuple[ScheduleView, str]:
        self.authorize(user_id, team_id=team_id)
        view = self.show(channel_id, now, team_id=team_id)
        if view is None:
            raise ScheduleError(_NO_SCHEDULE)
        day = parse_skip_date(day_text, now.astimezone(view.schedule.zone).date())
        updated = self._update(channel_id, user_id, now, "skip", lambda s: replace(s, skip_dates=s.skip_dates | {day}), team_id)
        return updated, day.isoformat()

    def remove(self, channel_id: str, user_id: str, now: datetime, *, team_id: str) -> None:
        self.authorize(user_id, team_id=team_id)
        with self.sessions.begin() as session:
            before = self._existing(session, channel_id, team_id)
            schedules.delete_schedule(session, channel_id)
            self._record(session, channel_id, user_id, now, "off", before, None, team_id=team_id)

    def _update(
        self, channel_id: str, user_id: str, now: datetime, action: str, change: Callable[[Schedule], Schedule], team_id: str
    ) -> ScheduleView:
        self.authorize(user_id, team_id=team_id)
        with self.sessions.begin() as session:
            before = self._existing(session, channel_id, team_id)
            after = change(before)
            schedules.save_schedule(session, after, user_id, now, keep_deck=True, team_id=team_id)
            self._record(session, channel_id, user_id, now, action, before, after, team_id=team_id)
            view = self._views(session, [after], now)[0]
        self.wake()
        return view

    @staticmethod
    def _existing(session: Session, channel_id: str, team_id: str) -> Schedule:
        """This channel's schedule, locked for the change, or one sentence saying there is none
        (or that another workspace's admins own it)."""
        stored = schedules.get_schedule(session, channel_id, for_update=True)
        if stored is None:
            raise ScheduleError(_NO_SCHEDULE)
        if stored.team_id != team_id:
            raise ScheduleError(OTHER_WORKSPACE)
        return stored.schedule

    def _record(
        self,
        session: Session,
        channel_id: str,
        user_id: str,
        now: datetime,
        action: str,
        before: Schedule | None,
        after: Schedule | None,
        source: str = "command",
        *,
        team_id: str,
    ) -> None:
        schedule_changes.record_change(session, channel_id, user_id, now, action, before, after, source=source, team_id=team_id)
        log.info("schedule %s in %s by %s (%s)", action, channel_id, user_id, source)

    @property
    def has_roles(self) -> bool:
        return len(self.catalog) > 0

    def authorize(self, user_id: str, *, team_id: str) -> None:
        """Raises NotAllowed, or AdminCheckFailed when the chat service could not say. Whether
        someone is an admin is a question for their own workspace."""
        if not self.is_admin(user_id, team_id):
            raise NotAllowed(user_id)

    def _resolve_role(self, query: str) -> str:
        if query.lower() in ("all", "全部", "すべて", "全職種"):
            return "all"
        found = self.catalog.resolve(query)
        if isinstance(found, NotFound):
            hint = "、".join(f"`{r.short_name}`" for r in found.suggestions)
            raise ScheduleError(
                f"職種「{query}」は見つかりません。"
                + (f"もしかして {hint} ですか？" if hint else "`/career list` で職種を確認するか、`all` を指定してください。")
            )
        return found.role.slug

    # ------------------------------------------------------------------ drills on demand

    def drill_now(self, channel_id: str, user_id: str, now: datetime, *, team_id: str) -> tuple[datetime, str]:
        """Queue an extra drill in this channel now; the scheduler posts it within moments."""
        self.authorize(user_id, team_id=team_id)
        with self.sessions.begin() as session:
            stored = schedules.get_schedule(session, channel_id)
            if stored is None:
                raise ScheduleError(_NO_SCHEDULE)
            if stored.team_id != team_id:
                raise ScheduleError(OTHER_WORKSPACE)
            schedule = stored.schedule
            if schedule.reveal.offset is not None:
                reveal_at = now + schedule.reveal.offset
            else:
                today = occurrence_on(schedule, now.astimezone(schedule.zone).date())
                reveal_at = today.reveal_at if today.reveal_at > now + timedelta(minutes=5) else now + timedelta(hours=1)
            # Keyed by the instant in the schedule's own zone, never the server's.
            occurrence = f"{EXTRA_PREFIX}{now.astimezone(schedule.zone).strftime('%Y-%m-%dT%H:%M:%S%z')}"
            created = drills.create_drill(
                session, channel_id, occurrence, now, reveal_at, schedule.timezone, now, feedback=schedule.feedback, team_id=team_id
            )
            if created:
                schedule_changes.record_change(
                    session,
                    channel_id,
                    user_id,
                    now,
                    "drill now",
                    None,
                    None,
                    note=f"回答ポイントの公開 {format_local(reveal_at, schedule.timezone)}",
                    team_id=team_id,
                )
        if not created:
            raise ScheduleError("ドリルはすでに投稿の準備中です。少し待ってからお試しください。")
        self.wake()
        return reveal_at, schedule.timezone

    def reveal_now(self, channel_id: str, user_id: str, now: datetime, *, team_id: str) -> None:
        self.authorize(user_id, team_id=team_id)
        with self.sessions.begin() as session:
            drill = drills.latest_open_drill(session, channel_id, team_id=team_id)
            if drill is None or drill.status == DrillStatus.PENDING:
                if schedules.schedule_team(session, channel_id) not in (None, team_id):
                    raise ScheduleError(OTHER_WORKSPACE)
                raise ScheduleError("このチャンネルには回答受付中のドリルがありません。")
            # "posting" too: the question is on its way, and its reveal follows as soon as it lands.
            drills.set_reveal_at(session, drill.id, now)
            schedule_changes.record_change(
                session,
                channel_id,
                user_id,
                now,
                "drill reveal",
                None,
                None,
                note=f"{format_local(drill.post_at, drill.timezone)} の出題",
                team_id=team_id,
            )
        self.wake()


OTHER_WORKSPACE = "このチャンネルのドリルは別のワークスペースで設定されています。変更できるのは、そのワークスペースの管理者です。"
_NO_SCHEDULE = "このチャンネルにはドリルのスケジュールがありません。`/career schedule set <職種|all> <HH:MM>` で設定してください。"
