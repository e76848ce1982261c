"""Thread replies to drill posts: who replied and when, and which answer points they covered
(never the text).

The short database write happens before the 200: if it fails, Slack retries the event, which makes
ingestion at-least-once; the writes are idempotent, which makes it count once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from slack_bolt import App

from bot.domain.drill import is_member_reply
from bot.slack.teams import TeamOf
from bot.usecases.replies import Replies

log = logging.getLogger(__name__)


def on_message(event: dict, replies: Replies, bot_user_id: str | None, recorded: Callable[[str], None] = lambda user_id: None) -> None:
    """`recorded(user_id)` is told of a reply that was counted (it changes the member's App Home).
    A reply belongs to its drill's workspace, which the drill's row says."""
    channel_id = event.get("channel") or ""
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        previous = event.get("previous_message") or {}
        thread_ts, ts = previous.get("thread_ts"), event.get("deleted_ts") or previous.get("ts")
        if channel_id and thread_ts and ts and thread_ts != ts:
            replies.remove(channel_id, thread_ts, ts)
        return
    if subtype == "message_changed":
        # An edit before the reveal is judged again for answer feedback; after it, nothing changes.
        message = event.get("message") or {}
        thread_ts, ts = message.get("thread_ts"), message.get("ts")
        user = message.get("user")
        if (
            channel_id
            and thread_ts
            and ts
            and thread_ts != ts
            and is_member_reply(user, message.get("subtype"), bool(message.get("bot_id")), bot_user_id)
        ):
            at, edited = _time(ts), _time(event.get("event_ts") or event.get("ts"))
            if at is not None and edited is not None and user is not None:
                replies.revise(channel_id, thread_ts, ts, user, message.get("text") or "", at, edited)
        return
    if not is_member_reply(event.get("user"), subtype, bool(event.get("bot_id")), bot_user_id):
        return  # joins, topics and bot messages (ours too) are not replies
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    if not channel_id or not thread_ts or not ts or thread_ts == ts:
        return
    at = _time(ts)
    if at is None:
        log.info("ignored a message event with an unreadable ts")
        return
    # The text is handed on for answer feedback, judged in memory, and never kept or logged.
    if replies.record(channel_id, thread_ts, ts, event["user"], at, text=event.get("text") or ""):
        recorded(event["user"])


def _time(ts) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(ts), timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return None


def register(app: App, replies: Replies, team_of: TeamOf, refresh_home: Callable[[str, str], None] = lambda user_id, team_id: None) -> None:
    def listener(event: dict, context) -> None:
        team_id = team_of(context)
        on_message(event, replies, context.get("bot_user_id"), lambda user_id: refresh_home(user_id, team_id))

    app.event("message")(listener)
