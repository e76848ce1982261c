"""Thread replies to drill posts: who replied and when (never the text).

Slack retries an event up to three times and Bolt does not deduplicate, so every write here is
idempotent: a reply is keyed by (drill, message ts), and a delete leaves a tombstone."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from slack_bolt import App

log = logging.getLogger(__name__)

REPLY_SUBTYPES = {None, "thread_broadcast", "file_share"}


def on_message(event: dict, services, bot_user_id: str | None) -> None:
    drills = services.drills
    if drills is None:
        return
    channel_id = event.get("channel") or ""
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        previous = event.get("previous_message") or {}
        thread_ts, ts = previous.get("thread_ts"), event.get("deleted_ts") or previous.get("ts")
        if channel_id and thread_ts and ts and thread_ts != ts:
            drills.remove_reply(channel_id, thread_ts, ts)
        return
    if subtype not in REPLY_SUBTYPES:
        return  # edits (message_changed) add nothing; joins, topics and bot messages are not replies
    user_id = event.get("user")
    if not user_id or event.get("bot_id") or user_id == bot_user_id:
        return
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    if not channel_id or not thread_ts or not ts or thread_ts == ts:
        return
    try:
        at = datetime.fromtimestamp(float(ts), timezone.utc)
    except (TypeError, ValueError):
        log.info("ignored a message event with an unreadable ts")
        return
    drills.record_reply(channel_id, thread_ts, ts, user_id, at)


def register(app: App, services) -> None:
    def listener(event: dict, context) -> None:
        on_message(event, services, context.get("bot_user_id"))

    app.event("message")(listener)
