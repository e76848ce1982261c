"""Posting a drill's question, revealing its answer points, and marking the question revealed.

Each is the same step: claim the drill with a conditional UPDATE (a lease that another process may
take over once it runs out), look for an earlier message on a retry (an attempt whose outcome was
unknown may have reached the chat service), call the chat service, then finish or release the
claim. `_deliver` is that step, written once; posting and revealing say only what differs.
"""

from __future__ import annotations

import logging
import os
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.catalog import RoleCatalog
from bot.domain.drill import DrillPost, DrillReveal, DrillStatus, is_member_reply
from bot.domain.adaptive import Asked, choose_adaptive
from bot.domain.role import Question, Role
from bot.domain.drill_pool import ALL_ROLES, asks_common, pool
from bot.domain.rotation import Card, draw
from bot.ports import CHANNEL_GONE, ChatError, ChatPort, ChatPorts
from bot.store import answers, cards, claims, drills, schedules, verdicts
from bot.store.db import to_db
from bot.store.drills import Drill
from bot.views.mrkdwn import escape_mrkdwn

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
class Step:
    name: str
    ready: DrillStatus  # where a drill waits for this step
    working: DrillStatus  # the claim
    done: DrillStatus
    counter: str  # the attempts column: more than one attempt means "look before sending"


POSTING = Step("posting", DrillStatus.PENDING, DrillStatus.POSTING, DrillStatus.POSTED, "attempts")
REVEALING = Step("revealing", DrillStatus.POSTED, DrillStatus.REVEALING, DrillStatus.REVEALED, "reveal_attempts")


@dataclass
class Attempt:
    """What one step does for one claimed drill; built inside the claim's transaction."""

    channel_id: str
    team_id: str  # whose workspace: its bot token sends the message
    key: str
    since: datetime
    retry: bool
    send: Callable[[ChatPort], str]
    thread_ts: str | None = None
    deadline: datetime | None = None  # past this, nothing is sent: the step gives up
    finish: Callable[[str, datetime], dict] = lambda ts, now: {}
    adopted: Callable[[str], dict] = lambda ts: {}  # more to record when an earlier message is found


class DrillDelivery:
    def __init__(self, sessions: sessionmaker[Session], catalog: RoleCatalog, chats: ChatPorts, lease: timedelta, record_reply: Callable[[str, str, str, str, datetime], bool], rng: random.Random | None = None, host: str = "bot"):
        self.sessions = sessions
        self.catalog = catalog
        self.chats = chats  # each workspace's chat port, by team id
        self.lease = lease
        self.rng = rng or random.Random()
        self._host = host
        self._record_reply = record_reply

    @property
    def owner(self) -> str:
        # Per process: gunicorn forks workers from one preloaded object.
        return f"{self._host}:{os.getpid()}"

    # ------------------------------------------------------------------ the one step

    def _deliver(self, drill_id: int, now: datetime, step: Step, prepare: Callable[[Session, Drill], "Attempt | str"]) -> bool:
        with self.sessions.begin() as session:
            if not claims.claim(session, drill_id, step.ready, step.working, self.owner, now, now - self.lease, counter=step.counter):
                return False
            drill = drills.get_drill(session, drill_id)
            assert drill is not None
            attempt = prepare(session, drill)
        if isinstance(attempt, str):
            return self._give_up(drill_id, step, attempt)
        try:
            chat = self.chats(attempt.team_id)
            ts = chat.find_posted(attempt.channel_id, attempt.key, since=attempt.since, thread_ts=attempt.thread_ts) if attempt.retry else None
            adopted = ts is not None
            if adopted:
                log.info("drill %s: found its earlier message %s in %s; not %s again", drill_id, ts, attempt.channel_id, step.name)
            elif attempt.deadline is not None and now >= attempt.deadline:
                return self._give_up(drill_id, step, f"not {step.name} before its reveal time")
            else:
                ts = attempt.send(chat)
        except ChatError as err:
            return self._failed(drill_id, step, attempt.channel_id, attempt.team_id, err, now)
        with self.sessions.begin() as session:
            values = {**attempt.finish(ts, now), **(attempt.adopted(ts) if adopted else {})}  # type: ignore[arg-type]
            if not claims.finish(session, drill_id, self.owner, step.working, status=step.done, last_error=None, next_attempt_at=None, **values):
                log.error("drill %s: %s done (ts %s) but its claim had been taken over", drill_id, step.name, ts)
        if adopted and step is POSTING:
            self.backfill(drill_id, now)
        return True

    def _failed(self, drill_id: int, step: Step, channel_id: str, team_id: str, err: ChatError, now: datetime) -> bool:
        if step is REVEALING and not err.retryable:
            # The bot was removed or the channel archived after the post: nothing more can be said
            # there. The drill is closed (not retried every tick) with the reason kept.
            log.error("drill %s: its reveal cannot be posted in %s (%s); closing it", drill_id, channel_id, err.code)
            with self.sessions.begin() as session:
                claims.finish(session, drill_id, self.owner, step.working, status=DrillStatus.REVEALED, revealed_at=to_db(now), marked_at=to_db(now), last_error=err.code[:200])
            if err.code in CHANNEL_GONE:
                self._pause_gone_channel(channel_id, team_id, err.code, now)
            return False
        if err.retryable:
            # Release the claim; a Retry-After longer than we were willing to wait is kept, so that
            # no process (this one included) tries before the chat service allows it.
            later = to_db(now + timedelta(seconds=err.retry_after)) if err.retry_after else None
            log.warning("drill %s: %s in %s failed (%s); it will be retried%s", drill_id, step.name, channel_id, err.code, f" after {err.retry_after:g}s" if err.retry_after else " on the next tick")
            with self.sessions.begin() as session:
                claims.finish(session, drill_id, self.owner, step.working, status=step.ready, claimed_by=None, claimed_at=None, last_error=err.code[:200], next_attempt_at=later)
            return False
        self._give_up(drill_id, step, err.code)
        if err.code in CHANNEL_GONE:
            self._pause_gone_channel(channel_id, team_id, err.code, now)
        else:
            self._tell_admin(channel_id, err)
        return False

    def _give_up(self, drill_id: int, step: Step, reason: str) -> bool:
        log.error("drill %s recorded as missed: %s", drill_id, reason)
        with self.sessions.begin() as session:
            claims.finish(session, drill_id, self.owner, step.working, status=DrillStatus.MISSED, last_error=reason[:200])
        return False

    # ------------------------------------------------------------------ posting

    def post(self, drill_id: int, now: datetime) -> bool:
        return self._deliver(drill_id, now, POSTING, lambda session, drill: self._plan_post(session, drill, now))

    def _plan_post(self, session: Session, drill: Drill, now: datetime) -> Attempt | str:
        if drill.question_id is None and drill.question_number is None:
            chosen = self._choose_question(session, drill, now)
            if chosen is None:
                return "no role or questions to ask"
            drill = chosen
        post = self.post_view(drill)
        if post is None:
            return "the role of this drill is no longer in the content"
        channel_id, key = drill.channel_id, message_key(drill, "question")
        return Attempt(
            channel_id=channel_id,
            team_id=drill.team_id,
            key=key,
            since=drill.post_at,
            retry=drill.attempts > 1,
            deadline=drill.reveal_at,
            send=lambda chat: chat.post_question(channel_id, post, key),
            finish=lambda ts, now: {"message_ts": ts, "posted_at": to_db(now)},
            adopted=lambda ts: {"backfill_due": True},
        )

    def _choose_question(self, session: Session, drill: Drill, now: datetime) -> Drill | None:
        """The drill with the question chosen for it (recorded, and the channel's rotation moved
        on), or None when its channel has no schedule or no question to ask."""
        stored = schedules.get_schedule(session, drill.channel_id, for_update=True)
        if stored is None:
            return None
        schedule = stored.schedule
        roles = self.catalog.roles if schedule.role == ALL_ROLES else tuple(r for r in (self.catalog.by_slug(schedule.role),) if r)
        common = self.catalog.common if schedule.common_every else None
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
            schedules.store_deck(session, drill.channel_id, deck)
        role = self.catalog.by_slug(card.slug)
        question = role.question_by_id(card.question_id) if role else None
        assert role is not None and question is not None
        drills.set_question(session, drill.id, card.slug, card.question_id, question.number, len(role.questions))
        return replace(drill, role_slug=card.slug, question_id=card.question_id, question_number=question.number, question_total=len(role.questions))

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
        role = self.catalog.by_slug(drill.role_slug or "")
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
            if message.ts == thread_ts or not is_member_reply(message.user_id, message.subtype, message.bot):
                continue
            counted += bool(self._record_reply(channel_id, thread_ts, message.ts, message.user_id, ts_time(message.ts)))
        with self.sessions.begin() as session:
            drills.set_backfill_due(session, drill_id, False)
        if counted:
            log.info("drill %s: counted %d reply(ies) made before its post was confirmed", drill_id, counted)
        return True

    # ------------------------------------------------------------------ revealing

    def reveal(self, drill_id: int, now: datetime) -> bool:
        return self._deliver(drill_id, now, REVEALING, self._plan_reveal)

    def _plan_reveal(self, session: Session, drill: Drill) -> Attempt | str:
        post = self.post_view(drill, revealed=True)
        if post is None or drill.message_ts is None:
            return "the question of this drill is no longer in the content"
        role = self.catalog.by_slug(post.role_slug)
        question = question_of(role, drill.question_id, drill.question_number)
        reveal = DrillReveal(
            post=post, answer_points=question.answer_points if question else (), participants=tuple(answers.participants(session, drill.id)),
            follow_up=question.follow_up if question else "", drill_id=drill.id,
            feedback=bool(question and question.points) and verdicts.drill_feedback_enabled(session, drill),
            model_answer=bool(question and (question.model_answer or question.weak_answer)),
        )
        channel_id, thread_ts, key = drill.channel_id, drill.message_ts, message_key(drill, "reveal")
        return Attempt(
            channel_id=channel_id,
            team_id=drill.team_id,
            key=key,
            since=drill.post_at,
            retry=drill.reveal_attempts > 1,
            thread_ts=thread_ts,
            send=lambda chat: chat.post_reveal(channel_id, thread_ts, reveal, key),
            finish=lambda ts, now: {"revealed_at": to_db(now), "reveal_ts": ts},
        )

    # ------------------------------------------------------------------ marking the question

    def mark(self, drill_id: int, now: datetime) -> bool:
        """Edit the original question to say its points are out. Editing twice shows the same, so
        a claim only keeps replicas from doing it at once; a failure is retried on a later tick."""
        with self.sessions.begin() as session:
            if not claims.claim_mark(session, drill_id, now, now - self.lease):
                return False
            drill = drills.get_drill(session, drill_id)
            assert drill is not None
            post = self.post_view(drill, revealed=True)
            channel_id, ts, team_id = drill.channel_id, drill.message_ts, drill.team_id
        done, later = True, None
        if post is not None and ts is not None:
            try:
                self.chats(team_id).mark_revealed(channel_id, ts, post)
            except ChatError as err:
                done = not err.retryable
                # A Retry-After is kept like a post's: no tick (of any process) edits before it.
                later = now + timedelta(seconds=err.retry_after) if err.retry_after and not done else None
                log.warning(
                    "drill %s: could not mark its question as revealed in %s (%s)%s", drill_id, channel_id, err.code,
                    "" if done else f"; retrying after {err.retry_after:g}s" if later else "; retrying later",
                )
        with self.sessions.begin() as session:
            claims.finish_mark(session, drill_id, now, done)
            if later is not None:
                claims.defer_drill(session, drill_id, later)
        return done

    # ------------------------------------------------------------------ telling the admin

    def _tell_admin(self, channel_id: str, err: ChatError) -> None:
        """Something an admin can fix (invite the bot, grant a scope): told at each failure, since
        the schedule keeps running."""
        with self.sessions() as session:
            stored = schedules.get_schedule(session, channel_id)
            admin = stored.updated_by if stored else None
            team_id = stored.team_id if stored else ""
        if not admin:
            return
        failed = f"<#{channel_id}> にドリルを投稿できませんでした。"
        if err.code == "not_in_channel":
            text = f"{failed}ボットがチャンネルに参加していません。チャンネルで `/invite @career-drill` を実行してボットを招待してください。"
        elif err.code == "missing_scope":
            scope = f"`{escape_mrkdwn(err.needed)}` の権限" if err.needed else "必要な権限"
            text = f"{failed}ボットに {scope}がありません。アプリの設定でこの権限を追加して、ワークスペースに再インストールしてください。"
        else:
            text = f"{failed}（Slack の応答: `{escape_mrkdwn(err.code)}`）"
        self._notify(team_id, admin, channel_id, text)

    def _pause_gone_channel(self, channel_id: str, team_id: str, code: str, now: datetime) -> None:
        """The channel was archived or deleted: nothing can be posted there any more, and no admin
        action in Slack brings a deleted one back. The schedule is paused (its records stay) and the
        admin told once, in plain words, what happened and what they can do."""
        with self.sessions.begin() as session:
            admin = schedules.pause_gone_channel(session, channel_id, team_id, code, now)
        if admin is None:
            return
        log.warning("channel %s is gone (%s): its schedule is paused", channel_id, code)
        if code == "is_archived":
            text = (
                f"<#{channel_id}> はアーカイブされているため、ドリルを投稿できませんでした。このチャンネルのドリルを一時停止しました（これまでの記録は残っています）。"
                "アーカイブを解除したら、チャンネルで `/career schedule resume` を実行すると再開します。"
            )
        else:
            text = (
                f"<#{channel_id}> にドリルを投稿できませんでした。Slack でこのチャンネルが見つからないため（削除されたか、ボットがプライベートチャンネルから外された可能性があります）、"
                "このチャンネルのドリルを一時停止しました（これまでの記録は残っています）。別のチャンネルで続けるには、そのチャンネルで `/career schedule set` を実行してください。"
            )
        if not self._notify(team_id, admin, channel_id, text):
            with self.sessions.begin() as session:
                schedules.unclaim_pause_notice(session, channel_id)

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
