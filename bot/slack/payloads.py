"""Ids and timestamps in a Slack request, checked for shape before anything reads them.

Slack's ids are capital letters and digits (U…, C…, T…, E…) and its message timestamps are seconds
with a fraction ("1700000000.000100"). A value of any other shape (a NUL byte, a newline, a dict
where an id belongs) comes from no Slack payload: the request is refused with one clean answer
before its workspace is looked up, and nothing is written."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import BoltResponse

log = logging.getLogger(__name__)

SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,31}")
MESSAGE_TS = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,9})?")

# What a member sees when their slash command carried a malformed id.
MALFORMED = "⚠️ リクエストの内容を読み取れなかったため、何も実行していません。もう一度お試しください。"

# The ids Bolt takes from the request (authorization looks the workspace up by them) …
_CONTEXT_IDS = ("team_id", "enterprise_id", "user_id", "channel_id", "actor_team_id", "actor_enterprise_id", "actor_user_id")
# … and the fields the listeners read besides.
_BODY_IDS = (("user_id",), ("channel_id",), ("user", "id"), ("channel", "id"), ("container", "channel_id"))
_EVENT_IDS = (("channel",), ("user",), ("message", "user"), ("previous_message", "user"))
_EVENT_TIMESTAMPS = (
    ("ts",),
    ("thread_ts",),
    ("event_ts",),
    ("deleted_ts",),
    ("message", "ts"),
    ("message", "thread_ts"),
    ("previous_message", "ts"),
    ("previous_message", "thread_ts"),
)
_EVENTS_READ = ("message", "app_home_opened")  # the events whose fields the listeners read


def malformed_field(body: Mapping[str, Any], context: Mapping[str, Any]) -> str | None:
    """The name of the first id or timestamp that does not have Slack's shape, or None."""
    for name in _CONTEXT_IDS:
        if not _fits(context.get(name), SLACK_ID):
            return name
    if not _fits(context.get("thread_ts"), MESSAGE_TS):
        return "thread_ts"
    for path in _BODY_IDS:
        if not _fits(_at(body, path), SLACK_ID):
            return ".".join(path)
    event = body.get("event")
    if isinstance(event, Mapping) and event.get("type") in _EVENTS_READ:
        for path in _EVENT_IDS:
            if not _fits(_at(event, path), SLACK_ID):
                return "event." + ".".join(path)
        for path in _EVENT_TIMESTAMPS:
            if not _fits(_at(event, path), MESSAGE_TS):
                return "event." + ".".join(path)
    return None


def refuse_malformed_ids(body: dict, context: Mapping[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:  # noqa: A002 - Bolt's name
    """Bolt's before_authorize middleware: a slash command gets one sentence, anything else a 400."""
    field = malformed_field(body or {}, context)
    if field is None:
        return next()
    kind = "slash command" if "command" in (body or {}) else "request"
    log.warning("refused a %s: its %s is not shaped like Slack's", kind, field)
    if kind == "slash command":
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": MALFORMED})
    return BoltResponse(status=400, body="")


def _at(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    found: Any = data
    for key in path:
        if not isinstance(found, Mapping):
            return None
        found = found.get(key)
    return found


def _fits(value: Any, shape: re.Pattern[str]) -> bool:
    """An absent or empty value fits (the listeners answer that themselves); any other must be a
    string of the shape, whole."""
    if value is None or value == "":
        return True
    return isinstance(value, str) and shape.fullmatch(value) is not None
