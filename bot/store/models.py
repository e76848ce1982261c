"""Tables. Times are stored as naive UTC; `bot.store.db.utc` turns them back into aware datetimes."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, Float, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.domain.announcements import ChannelPostStatus
from bot.domain.drill import DrillStatus
from bot.domain.team_questions import Status as TeamQuestionStatus
from bot.domain.workspace import SINGLE_WORKSPACE


def _team_id() -> Mapped[str]:
    """The Slack workspace a row belongs to. Rows from before the bot knew about workspaces carry
    the marker `SINGLE_WORKSPACE` (the server default), rewritten to the real team at start-up."""
    return mapped_column(String(32), default=SINGLE_WORKSPACE, server_default=SINGLE_WORKSPACE)


class Base(DeclarativeBase):
    pass


def _status(states: type[enum.Enum]) -> Enum:
    """A status column: its enum's values stored as VARCHAR(16), read back as the enum."""
    return Enum(states, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e], validate_strings=True)


class ScheduleRow(Base):
    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Unique whichever workspace set it: a Slack Connect channel is shared between workspaces, and
    # two schedules on one channel would post every drill twice.
    channel_id: Mapped[str] = mapped_column(String(32), unique=True)
    team_id: Mapped[str] = mapped_column(String(32), default=SINGLE_WORKSPACE, server_default=SINGLE_WORKSPACE, index=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    role: Mapped[str] = mapped_column(String(64))
    post_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))
    days: Mapped[list[int]] = mapped_column(JSON)  # weekday numbers, Monday = 0
    reveal_time: Mapped[time | None] = mapped_column(Time, nullable=True)  # reveal at a clock time …
    reveal_offset_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)  # … or this long after the post
    skip_dates: Mapped[list[str]] = mapped_column(JSON)  # ISO dates
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why the bot paused it by itself (e.g. "channel_not_found", "is_archived"); None when a person
    # paused it or it runs. `paused_notified_at`: when the admin was told, so they are told once.
    paused_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    paused_notified_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    all_questions: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # "adaptive" (what the group struggles with comes back) or "rotation" (a shuffled deck).
    question_order: Mapped[str] = mapped_column(String(16), default="adaptive", server_default="rotation")
    # Members are told privately which answer points their reply covered (`feedback=off` stops it).
    feedback: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # `level=`: the levels a drill may ask ("初級", "中級", "上級"); an empty list asks every level.
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    # `common=N`: every Nth scheduled drill since the schedule was set asks a common question; 0 never.
    common_every: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # `remind=`: minutes before the reveal, or a clock time (the last before the reveal); neither is off.
    remind_before_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    remind_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    # `digest=`: a weekday (Monday = 0) and a clock time in the schedule's zone; NULL is off.
    digest_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    digest_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    effective_from: Mapped[datetime] = mapped_column(DateTime)
    deck: Mapped[list[str]] = mapped_column(JSON)  # "slug#question_id" cards in the order they are drawn
    deck_position: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ScheduleChangeRow(Base):
    __tablename__ = "schedule_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    team_id: Mapped[str] = _team_id()
    user_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(16))
    # Where the change was made: "command" (/career schedule …) or "modal" (the schedule editor).
    source: Mapped[str] = mapped_column(String(16), default="command", server_default="command")
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")


class DrillRow(Base):
    """One occurrence of a channel's drill. The unique (channel, occurrence) row is the claim that
    makes posting exactly-once across processes and restarts."""

    __tablename__ = "drills"
    __table_args__ = (
        UniqueConstraint("channel_id", "occurrence", name="uq_drills_channel_occurrence"),
        Index("ix_drills_status_due", "status", "post_at"),
        Index("ix_drills_thread", "channel_id", "message_ts"),
        Index("ix_drills_team", "team_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    # The workspace whose token posts and reveals it: its schedule's team when it was created.
    team_id: Mapped[str] = _team_id()
    # A scheduled day "2026-11-25@Asia/Tokyo" (rows from before 0003: "2026-11-25"), or "now:<instant>".
    occurrence: Mapped[str] = mapped_column(String(64))
    status: Mapped[DrillStatus] = mapped_column(_status(DrillStatus))
    role_slug: Mapped[str | None] = mapped_column(String(64), nullable=True)
    question_number: Mapped[int | None] = mapped_column(Integer, nullable=True)  # as shown when posted
    # The question's stable identity (bot.domain.role.question_id); NULL only on rows whose
    # question could not be matched to the content when this column was added.
    question_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    question_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    post_at: Mapped[datetime] = mapped_column(DateTime)
    reveal_at: Mapped[datetime] = mapped_column(DateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The claim (see bot.store.leases): who holds the drill and since when, while it is posted,
    # revealed, or its question marked revealed. Cleared when that step is finished or released.
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revealed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reveal_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reveal_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Not before this instant: a 429's Retry-After, kept so that no process tries again too soon.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The original question is edited to say the points are out; a separate step, retried until done,
    # claimed like the others with `claimed_by`/`claimed_at`.
    marked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # No longer read or written: the edit was claimed with this stamp alone (no owner) before it
    # took the drill's own claim. Kept until a migration drops it.
    mark_claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The post was adopted after an uncertain outcome: replies made meanwhile are read from the
    # thread, a step retried until it succeeds.
    backfill_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Every participant's private answer feedback has been sent (or given up on) after the reveal.
    feedback_done_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The channel's answer-feedback switch when the drill was created: a drill outlives a schedule
    # that is removed while it is open. NULL on drills from before the switch existed (then the
    # channel's schedule decides).
    feedback: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReplyRow(Base):
    """Who replied to a drill and when — never the text. A deleted reply stays as a tombstone so a
    late, retried or out-of-order delivery of the original message cannot bring it back."""

    __tablename__ = "replies"
    __table_args__ = (UniqueConstraint("drill_id", "message_ts", name="uq_replies_drill_message"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[str] = _team_id()  # the drill's
    message_ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Which answer points this reply covered, one letter per point (c covered, p partly, m missing),
    # derived in memory from the text when it arrived; the text itself is never kept.
    verdicts: Mapped[str | None] = mapped_column(String(32), nullable=True)


class CardRow(Base):
    """A member's memory of one question: FSRS state rebuilt from their reviews after each rating.
    Kept as a table so that due queues and the group's next question are one query, not a replay."""

    __tablename__ = "cards"
    __table_args__ = (
        # Slack user ids are unique within a workspace only: a member is (team, user). The leading
        # team_id also serves the deletion of an uninstalled workspace's rows.
        UniqueConstraint("team_id", "user_id", "role_slug", "question_id", name="uq_cards_member_question"),
        Index("ix_cards_user_due", "user_id", "due"),
        Index("ix_cards_question", "role_slug", "question_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = _team_id()
    user_id: Mapped[str] = mapped_column(String(32))
    role_slug: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(40))
    stability: Mapped[float | None] = mapped_column(Float, nullable=True)  # days
    difficulty: Mapped[float | None] = mapped_column(Float, nullable=True)
    due: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_review: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)


class ReviewRow(Base):
    """One self-grade: who, which question, which rating, when — never an answer's text. A member
    has at most one per question per local day; grading again that day replaces it."""

    __tablename__ = "reviews"
    __table_args__ = (
        # Per workspace, like cards (its leading team_id also serves deleting a workspace's rows).
        UniqueConstraint("team_id", "user_id", "role_slug", "question_id", "local_day", name="uq_reviews_member_question_day"),
        Index("ix_reviews_user_at", "user_id", "at"),
        Index("ix_reviews_drill", "drill_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = _team_id()
    user_id: Mapped[str] = mapped_column(String(32))
    role_slug: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(40))
    local_day: Mapped[date] = mapped_column(Date)  # in the member's time zone
    rating: Mapped[int] = mapped_column(Integer)  # 1 again, 2 hard, 3 good, 4 easy (FSRS)
    at: Mapped[datetime] = mapped_column(DateTime)
    # The drill whose reveal it was graded on (NULL from the private review queue).
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id", ondelete="SET NULL"), nullable=True)


class MemberSettingRow(Base):
    """A member's own choices: whether they want private answer feedback."""

    __tablename__ = "member_settings"

    # Slack user ids are unique within a workspace only.
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True, default=SINGLE_WORKSPACE, server_default=SINGLE_WORKSPACE)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    feedback: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class FeedbackNoticeRow(Base):
    """One participant's private feedback after a drill's reveal: claimed before it is sent, so
    that it is sent at most once across processes."""

    __tablename__ = "feedback_notices"
    __table_args__ = (UniqueConstraint("drill_id", "user_id", name="uq_feedback_notices_drill_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[str] = _team_id()  # the drill's
    user_id: Mapped[str] = mapped_column(String(32))
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(String(100), nullable=True)


class ChannelPostRow(Base):
    """A message the bot posts in a channel besides the drill itself: a drill's pre-reveal reminder
    (key: the drill id) or a weekly digest (key: the ISO week). The unique (channel, kind, key) row
    and its claim make each one posted once across processes and restarts."""

    __tablename__ = "channel_posts"
    __table_args__ = (
        UniqueConstraint("channel_id", "kind", "key", name="uq_channel_posts_channel_kind_key"),
        Index("ix_channel_posts_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[str] = _team_id()  # the drill's, or the channel schedule's
    kind: Mapped[str] = mapped_column(String(16))  # "reminder" | "digest"
    key: Mapped[str] = mapped_column(String(64))
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), nullable=True)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[ChannelPostStatus] = mapped_column(_status(ChannelPostStatus))
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class HomeTabRow(Base):
    """A member who has opened the bot's App Home: only they get it republished when what it shows
    changes."""

    __tablename__ = "home_tabs"

    # Slack user ids are unique within a workspace only.
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True, default=SINGLE_WORKSPACE, server_default=SINGLE_WORKSPACE)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class SeenRequestRow(Base):
    """A signed slash command or interactive payload already served. Slack signs each request once,
    so the same signature again within the signature window is a replay. Pruned after 10 minutes."""

    __tablename__ = "seen_requests"
    __table_args__ = (UniqueConstraint("signature", name="uq_seen_requests_signature"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signature: Mapped[str] = mapped_column(String(80))
    request_ts: Mapped[int] = mapped_column(Integer)  # X-Slack-Request-Timestamp
    seen_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class MockSessionRow(Base):
    """A one-to-one mock interview (模擬面接): whose, where it talks, which questions, where it stands,
    and per question the verdict letters, the self-grade and the times — never what the member
    wrote. `active_user` is the member's id while it runs and NULL after, so a member has at most
    one running session; `version` makes each move a compare-and-set, so two replicas never both
    move it."""

    __tablename__ = "mock_sessions"
    __table_args__ = (
        UniqueConstraint("team_id", "active_user", name="uq_mock_sessions_active_user"),
        Index("ix_mock_sessions_member", "team_id", "user_id"),
        Index("ix_mock_sessions_due_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    active_user: Mapped[str | None] = mapped_column(String(32), nullable=True)
    channel_id: Mapped[str] = mapped_column(String(32))  # the member's DM with the bot
    thread_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)  # an AI-app thread; NULL in the DM itself
    role_slug: Mapped[str] = mapped_column(String(64))
    levels: Mapped[str] = mapped_column(String(8), default="")  # level_code(): "" is every level
    phase: Mapped[str] = mapped_column(String(24))
    position: Mapped[int] = mapped_column(Integer, default=0)  # the current question, 0-based
    # Per question: its id, whether it has a follow-up, the verdict letters (one per point), whether
    # only the start of a long answer was judged, skipped, the grade and the times.
    turns: Mapped[list[dict]] = mapped_column(JSON)
    # The ts of the member's messages this session already took (the last few): a retried event is
    # taken once.
    seen_ts: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    touched_at: Mapped[datetime] = mapped_column(DateTime)
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # when time alone moves it (feedback, idle end)
    version: Mapped[int] = mapped_column(Integer, default=0)


class MockSendRow(Base):
    """One message a mock interview owes its member, keyed by (session, step) ("1.question",
    "2.feedback", "summary"): recorded in the transaction that moves the session, then claimed and
    sent once through the outbox, in `seq` order within its session."""

    __tablename__ = "mock_sends"
    __table_args__ = (
        UniqueConstraint("session_id", "step", name="uq_mock_sends_session_step"),
        Index("ix_mock_sends_unsent", "sent_at", "error"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mock_sessions.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32))  # the session's
    step: Mapped[str] = mapped_column(String(24))
    seq: Mapped[int] = mapped_column(Integer)  # the order it is sent in, within its session
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class TeamQuestionRow(Base):
    """A workspace's own question (チームの質問), from proposal to approval (when it gets its `t-` id)
    and on to retirement. This is text the group wrote to share, so it is stored, unlike replies.
    `version` grows with every change, so an admin's press drawn from an older one changes nothing."""

    __tablename__ = "team_questions"
    __table_args__ = (
        UniqueConstraint("team_id", "question_id", name="uq_team_questions_question"),
        Index("ix_team_questions_team_status", "team_id", "status"),
        Index("ix_team_questions_proposer", "team_id", "proposed_by", "proposed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[str | None] = mapped_column(String(16), nullable=True)  # t-<8 hex>, from approval on
    status: Mapped[TeamQuestionStatus] = mapped_column(_status(TeamQuestionStatus))
    target: Mapped[str] = mapped_column(String(64))  # a role's slug, or "common"
    text: Mapped[str] = mapped_column(Text)
    points: Mapped[list[str]] = mapped_column(JSON)
    follow_up: Mapped[str] = mapped_column(Text, default="")
    model_answer: Mapped[str] = mapped_column(Text, default="")
    weak_answer: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(8))
    proposed_by: Mapped[str] = mapped_column(String(32))
    proposed_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)


class QuestionImportRow(Base):
    """An import an admin has not confirmed yet: the Markdown they gave (a file's can be longer than
    a modal's private_metadata holds), kept until they confirm or for a day."""

    __tablename__ = "question_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class WorkspaceRow(Base):
    """A workspace the app was installed in, and the deletion of its data after an uninstall: due
    at `purge_after`, done once (`purged_at`), cancelled by a reinstall before then."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    installed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    uninstalled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    purge_after: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


# Slack's OAuth installations and states, as slack_sdk's SQLAlchemy stores read and write them. The
# tables are built by the SDK's own builders, so the schema Alembic creates (migration 0007) is the
# one the stores expect, and the schema test compares them like every other table.
def _slack_store_tables() -> None:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    SQLAlchemyInstallationStore.build_bots_table(Base.metadata, SQLAlchemyInstallationStore.default_bots_table_name)
    SQLAlchemyInstallationStore.build_installations_table(Base.metadata, SQLAlchemyInstallationStore.default_installations_table_name)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, SQLAlchemyOAuthStateStore.default_table_name)


_slack_store_tables()
