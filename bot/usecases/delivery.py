"""Posting a drill's question, revealing its answer points, and marking the question revealed.

Each is a plan handed to the outbox (see `outbox`): what to call, the metadata key an earlier
attempt's message is looked for by, and what to record when it is sent, retried or given up on.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.adaptive import Asked, choose_adaptive
from bot.domain.catalog import RoleCatalog
from bot.domain.drill import DrillPost, DrillReveal, DrillStatus, is_member_reply
from bot.domain.drill_pool import ALL_ROLES, asks_common, pool
from bot.domain.role import Question, Role
from bot.domain.rotation import Card, draw
from bot.ports import CHANNEL_GONE, ChatError, ChatPort
from bot.store import answers, cards, drills, leases, schedules, verdicts
from bot.store.db import to_db
from bot.store.drills import Drill
from bot.usecases.outbox import Outbox, Outcome, Result, Send, Skip

log = logging.getLogger(__name__)

ADAPTIVE = "adaptive"
# The members whose memories steer the group's next question: those who graded in this window.
ACTIVE_WINDOW = timedelta(days=30)


def question_of(role: Role | None, question_id: str | None, number: int | None) -> Question | None:
    """A drill's question by its stable id; rows from before ids existed fall back to the number."""
    if role is None:
        return None
    if question_id:
        return role.question_by_id(question_id)
    return role.question(number or 0)


def message_key(drill: Drill, kind: str) -> str:
    return f"{kind}:{drill.channel_id}:{drill.occurrence}"


@dataclass(frozen=True)
class AdminTexts:
    """What the admin who set a schedule is told by DM; written by the views, given by composition."""

    post_failed: Callable[[str, str, str | None], str]  # (channel, the error, the scope it named) → text
    channel_gone: Callable[[str, str], str]  # (channel, is_archived | channel_not_found) → text


def missed(reason: str) -> dict[str, Any]:
    """A drill given up on: recorded as missed, with why."""
    return {"status": DrillStatus.MISSED, "last_error": reason[:200]}


def skip_drill(drill_id: int, reason: str) -> Skip:
    """Nothing to post or reveal: the drill is recorded as missed, and the log says why."""
    return Skip(reason, missed(reason), f"drill {drill_id}", logging.ERROR)


class DrillDelivery:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalog: RoleCatalog,
        outbox: Outbox,
        record_reply: Callable[[str, str, str, str, datetime], bool],
        texts: AdminTexts,
        rng: random.Random | None = None,
    ):
        self.sessions = sessions
        self.catalog = catalog
        self.outbox = outbox
        self.chats = outbox.chats  # each workspace's chat port, by team id
        self.texts = texts
        self.rng = rng or random.Random()
        self._record_reply = record_reply

    @property
    def lease(self) -> timedelta:
        return self.outbox.lease

    # ------------------------------------------------------------------ posting

    def post(self, drill_id: int, now: datetime) -> bool:
        return self.outbox.send(leases.POSTING, drill_id, now, lambda session: self._plan_post(session, drill_id, now)).delivered

    def _plan_post(self, session: Session, drill_id: int, now: datetime) -> Send | Skip:
        drill = drills.get_drill(session, drill_id)
        assert drill is not None
        if drill.question_id is None and drill.question_number is None:
            chosen = self._choose_question(session, drill, now)
            if chosen is None:
                return skip_drill(drill_id, "no role or questions to ask")
            drill = chosen
        post = self.post_view(drill)
        if post is None:
            return skip_drill(drill_id, "the role of this drill is no longer in the content")
        channel_id, team_id, key = drill.channel_id, drill.team_id, message_key(drill, "question")

        def after(result: Result) -> None:
            if result.outcome is Outcome.ADOPTED:
                self.backfill(drill_id, now)
            elif result.outcome is Outcome.GAVE_UP and result.error is not None:
                if result.error.code in CHANNEL_GONE:
                    self._pause_gone_channel(channel_id, team_id, result.error.code, now)
                else:
                    self._tell_admin(channel_id, team_id, result.error)

        return Send(
            subject=f"drill {drill_id}",
            step="posting",
            team_id=team_id,
            channel_id=channel_id,
            call=lambda chat: chat.post_question(channel_id, post, key),
            sent=lambda ts: {
                "status": DrillStatus.POSTED,
                "message_ts": ts,
                "posted_at": to_db(now),
                "last_error": None,
                "next_attempt_at": None,
            },
            give_up=missed,
            key=key,
            look_first=drill.attempts > 1,
            since=drill.post_at,
            deadline=drill.reveal_at,
            late="not posting before its reveal time",
            adopted={"backfill_due": True},
            after=after,
        )

    def _choose_question(self, session: Session, drill: Drill, now: datetime) -> Drill | None:
        """The drill with the question chosen for it (recorded, and the channel's rotation moved
        on), or None when its channel has no schedule or no question to ask."""
        stored = schedules.get_schedule(session, drill.channel_id, for_update=True)
        if stored is None or stored.team_id != drill.team_id:
            return None  # none, or another workspace's set since in a shared channel: not this drill's
        schedule = stored.schedule
        # The questions of the workspace that set the schedule, its own among them.
        catalog = self.catalog.for_team(team_id=drill.team_id)
        roles = catalog.roles if schedule.role == ALL_ROLES else tuple(r for r in (catalog.by_slug(schedule.role),) if r)
        common = catalog.common if schedule.common_every else None
        # The schedule's roles and, when it asks them, the common questions share one deck; the
        # Nth, 2Nth, … scheduled drill since the schedule was set draws from the common ones.
        documents = (*roles, common) if common is not None else roles
        available = [Card(role.slug, q.id) for role, q in pool(documents, schedule)]
        wants_common = common is not None and asks_common(schedule, drills.scheduled_ordinal(session, drill, schedule.effective_from))
        wanted = [c for c in available if (c.slug == common.slug) == wants_common] if common is not None else available
        if not wanted:
            wanted = available  # no askable common question (or only common ones): ask what there is
        if not available:
            return None
        if schedule.order == ADAPTIVE:
            card = self._adaptive_pick(session, drill.channel_id, wanted, now, drill.team_id)
        else:
            chosen = {str(c) for c in wanted}
            card, deck = draw(stored.deck, available, self.rng, wanted=lambda c: str(c) in chosen)
            schedules.store_deck(session, drill.channel_id, deck, team_id=drill.team_id)
        role = catalog.by_slug(card.slug)
        question = role.question_by_id(card.question_id) if role else None
        assert role is not None and question is not None
        drills.set_question(session, drill.id, card.slug, card.question_id, question.number, len(role.questions))
        return replace(
            drill, role_slug=card.slug, question_id=card.question_id, question_number=question.number, question_total=len(role.questions)
        )

    def _adaptive_pick(self, session: Session, channel_id: str, available: list[Card], now: datetime, team_id: str) -> Card:
        """What the channel's active members are least likely to recall, mixed with questions the
        channel has not had yet (see bot.domain.adaptive)."""
        keys = [str(c) for c in available]
        history = [Asked(f"{slug}#{qid}", at) for slug, qid, at in cards.channel_questions(session, channel_id, team_id=team_id)]
        members = cards.active_members(session, channel_id, now - ACTIVE_WINDOW, team_id=team_id)
        forgetting: dict[str, list[float]] = {}
        for card in cards.cards_of_members(session, members, team_id=team_id):
            memory = card.memory
            forgetting.setdefault(f"{card.role_slug}#{card.question_id}", []).append(1.0 - memory.retrievability(now))
        means = {key: sum(values) / len(values) for key, values in forgetting.items() if values}
        pick = choose_adaptive(keys, means, history, now, seed=channel_id)
        log.info("channel %s: adaptive pick %s (%s)", channel_id, pick.key, pick.reason)
        return Card.parse(pick.key)  # type: ignore[return-value]

    def post_view(self, drill: Drill, revealed: bool = False) -> DrillPost | None:
        role = self.catalog.for_team(team_id=drill.team_id).by_slug(drill.role_slug or "")
        question = question_of(role, drill.question_id, drill.question_number)
        if role is None or question is None:
            return None
        return DrillPost(
            role_slug=role.slug,
            role_title=role.short_title or role.title,
            number=question.number,
            total=len(role.questions),
            question=question.text,
            reveal_at=drill.reveal_at,
            timezone=drill.timezone,
            revealed=revealed,
            team=question.team,
        )

    def backfill(self, drill_id: int, now: datetime) -> bool:
        """Replies made while we did not know our post had landed: Slack delivered those events
        before the thread was ours, and will not deliver them again, so read them from the thread.
        Until that read succeeds the drill stays marked, and a later tick tries again."""
        with self.sessions() as session:
            drill = drills.get_drill(session, drill_id)
            if drill is None or not drill.backfill_due or drill.message_ts is None:
                return False
            channel_id, thread_ts, team_id = drill.channel_id, drill.message_ts, drill.team_id
        try:
            messages = self.chats(team_id).thread_messages(channel_id, thread_ts)
        except ChatError as err:
            log.warning("drill %s: could not read its thread to count earlier replies (%s); retrying later", drill_id, err.code)
            return False
        counted = 0
        for message in messages:
            if message.ts == thread_ts or message.user_id is None or not is_member_reply(message.user_id, message.subtype, message.bot):
                continue
            counted += bool(self._record_reply(channel_id, thread_ts, message.ts, message.user_id, ts_time(message.ts)))
        with self.sessions.begin() as session:
            drills.set_backfill_due(session, drill_id, False)
        if counted:
            log.info("drill %s: counted %d reply(ies) made before its post was confirmed", drill_id, counted)
        return True

    # ------------------------------------------------------------------ revealing

    def reveal(self, drill_id: int, now: datetime) -> bool:
        return self.outbox.send(leases.REVEALING, drill_id, now, lambda session: self._plan_reveal(session, drill_id, now)).delivered

    def _plan_reveal(self, session: Session, drill_id: int, now: datetime) -> Send | Skip:
        drill = drills.get_drill(session, drill_id)
        assert drill is not None
        post = self.post_view(drill, revealed=True)
        if post is None or drill.message_ts is None:
            return skip_drill(drill_id, "the question of this drill is no longer in the content")
        role = self.catalog.for_team(team_id=drill.team_id).by_slug(post.role_slug)
        question = question_of(role, drill.question_id, drill.question_number)
        reveal = DrillReveal(
            post=post,
            answer_points=question.answer_points if question else (),
            participants=tuple(answers.participants(session, drill.id)),
            follow_up=question.follow_up if question else "",
            drill_id=drill.id,
            feedback=bool(question and question.points) and verdicts.drill_feedback_enabled(session, drill),
            model_answer=bool(question and (question.model_answer or question.weak_answer)),
        )
        channel_id, team_id, thread_ts, key = drill.channel_id, drill.team_id, drill.message_ts, message_key(drill, "reveal")

        def closed(err: ChatError) -> dict[str, Any]:
            # The bot was removed or the channel archived after the post: nothing more can be said
            # there. The drill is closed (not retried every tick) with the reason kept.
            return {"status": DrillStatus.REVEALED, "revealed_at": to_db(now), "marked_at": to_db(now), "last_error": err.code[:200]}

        def after(result: Result) -> None:
            if result.outcome is Outcome.GAVE_UP and result.error is not None and result.error.code in CHANNEL_GONE:
                self._pause_gone_channel(channel_id, team_id, result.error.code, now)

        return Send(
            subject=f"drill {drill_id}",
            step="revealing",
            team_id=team_id,
            channel_id=channel_id,
            call=lambda chat: chat.post_reveal(channel_id, thread_ts, reveal, key),
            sent=lambda ts: {
                "status": DrillStatus.REVEALED,
                "revealed_at": to_db(now),
                "reveal_ts": ts,
                "last_error": None,
                "next_attempt_at": None,
            },
            give_up=missed,
            key=key,
            look_first=drill.reveal_attempts > 1,
            since=drill.post_at,
            thread_ts=thread_ts,
            refused=closed,
            after=after,
        )

    # ------------------------------------------------------------------ marking the question

    def mark(self, drill_id: int, now: datetime) -> bool:
        """Edit the original question to say its points are out. True once that is done, or can never
        be (the role is gone, the chat service refused for good); a failure worth retrying is tried on
        a later tick, after its Retry-After."""
        result = self.outbox.send(leases.MARKING, drill_id, now, lambda session: self._plan_mark(session, drill_id, now))
        return result.outcome in (Outcome.SENT, Outcome.GAVE_UP)

    def _plan_mark(self, session: Session, drill_id: int, now: datetime) -> Send | Skip:
        drill = drills.get_drill(session, drill_id)
        assert drill is not None
        post = self.post_view(drill, revealed=True)
        marked = {"marked_at": to_db(now)}
        channel_id, ts = drill.channel_id, drill.message_ts
        if post is None or ts is None:
            return Skip("its question is no longer in the content", marked, f"drill {drill_id}")

        def edit(chat: ChatPort) -> None:
            chat.mark_revealed(channel_id, ts, post)

        # Editing twice shows the same: the claim only keeps replicas from doing it at once.
        return Send(
            subject=f"drill {drill_id}",
            step="marking its question revealed",
            team_id=drill.team_id,
            channel_id=channel_id,
            call=edit,
            sent=lambda _ts: marked,
            give_up=lambda _reason: marked,
            repeatable=True,
        )

    # ------------------------------------------------------------------ telling the admin

    def _tell_admin(self, channel_id: str, team_id: str, err: ChatError) -> None:
        """Something an admin can fix (invite the bot, grant a scope): told at each failure, since
        the schedule keeps running. The admin is the drill's workspace's (`team_id`): never one of
        another workspace that has set a schedule in the shared channel since."""
        with self.sessions() as session:
            stored = schedules.get_schedule(session, channel_id)
            admin = stored.updated_by if stored and stored.team_id == team_id else None
        if not admin:
            return
        self._notify(team_id, admin, channel_id, self.texts.post_failed(channel_id, err.code, err.needed))

    def _pause_gone_channel(self, channel_id: str, team_id: str, code: str, now: datetime) -> None:
        """The channel was archived or deleted: nothing can be posted there any more, and no admin
        action in Slack brings a deleted one back. The schedule is paused (its records stay) and the
        admin told once, in plain words, what happened and what they can do."""
        with self.sessions.begin() as session:
            admin = schedules.pause_gone_channel(session, channel_id, code, now, team_id=team_id)
        if admin is None:
            return
        log.warning("channel %s is gone (%s): its schedule is paused", channel_id, code)
        if not self._notify(team_id, admin, channel_id, self.texts.channel_gone(channel_id, code)):
            with self.sessions.begin() as session:
                schedules.unclaim_pause_notice(session, channel_id, team_id=team_id)

    def _notify(self, team_id: str, admin: str, channel_id: str, text: str) -> bool:
        try:
            self.chats(team_id).notify(admin, text)
        except ChatError as err:
            log.warning("could not tell %s that the drill failed in %s (%s)", admin, channel_id, err.code)
            return False
        return True


def ts_time(ts: str) -> datetime:
    """When a Slack message was posted: its ts is seconds since the epoch."""
    return datetime.fromtimestamp(float(ts), timezone.utc)
