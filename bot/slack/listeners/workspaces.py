"""A workspace leaving: `app_uninstalled`, and `tokens_revoked` for the bot's token.

Either way the bot can no longer act there. The installation is deleted, the workspace's schedules
stop at once (its drills are neither posted nor revealed after this) and its data is deleted after
the retention period. Both writes are short and happen before the 200, so that Slack retries the
event if they fail; doing them twice changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from slack_bolt import App, BoltContext

log = logging.getLogger(__name__)

# `removed(team_id, enterprise_id, sent_at)`: sent_at is when Slack sent the event (a retry after a
# quick reinstall must not remove the new installation), None if the envelope does not say.
Removed = Callable[[str, "str | None", "datetime | None"], None]


def sent_at(body: dict) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(body["event_time"]), timezone.utc)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def on_uninstalled(body: dict, context: BoltContext, removed: Removed) -> None:
    team_id = context.team_id or ""
    if not team_id:
        log.warning("app_uninstalled without a team id; nothing to remove")
        return
    removed(team_id, context.enterprise_id, sent_at(body))


def on_tokens_revoked(body: dict, event: dict, context: BoltContext, removed: Removed) -> None:
    # Only the bot's token matters: the bot asks for no user scopes, so a revoked user token
    # leaves the installation able to post.
    bots = ((event.get("tokens") or {}).get("bot")) or []
    team_id = context.team_id or ""
    if not bots or not team_id:
        log.info("tokens_revoked for team %s without a bot token; nothing to remove", team_id or "?")
        return
    removed(team_id, context.enterprise_id, sent_at(body))


def register(app: App, removed: Removed) -> None:
    def uninstalled(body: dict, context: BoltContext) -> None:
        on_uninstalled(body, context, removed)

    def revoked(body: dict, event: dict, context: BoltContext) -> None:
        on_tokens_revoked(body, event, context, removed)

    app.event("app_uninstalled")(uninstalled)
    app.event("tokens_revoked")(revoked)
