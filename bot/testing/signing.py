"""Sign requests the way Slack does (v0 HMAC-SHA256 over `v0:timestamp:body`)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from bot.testing import CH

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token-not-real"


def signature(body: str | bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    """Over the body's bytes as sent (text is sent as UTF-8)."""
    base = f"v0:{timestamp}:".encode() + (body if isinstance(body, bytes) else body.encode())
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(body: str | bytes, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(body, ts, secret),
    }


def command_body(
    text: str,
    user_id: str = "U0MEMBER1",
    channel_id: str = "C0STUDY01",
    response_url: str = "",
    command: str = "/career",
    team_id: str = "T0001",
) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": team_id,
            "team_domain": "study",
            "channel_id": channel_id,
            "channel_name": "interview-study",
            "user_id": user_id,
            "user_name": "member",
            "command": command,
            "text": text,
            "response_url": response_url,
            "trigger_id": "1.2.3",
            "api_app_id": "A0001",
        }
    )


_serial = itertools.count(1)


def _button(action_id: str, value: str) -> dict:
    """A pressed button as a payload carries it. Each press has its own action_ts, as in Slack: two
    presses of one button are two requests, never one request sent twice (a replay)."""
    return {
        "action_id": action_id,
        "block_id": "b1",
        "type": "button",
        "value": value,
        "action_ts": f"1700000001.{next(_serial):06d}",
        "text": {"type": "plain_text", "text": "x"},
    }


def _actor(user_id: str, team_id: str) -> dict:
    """Who an interactive payload comes from, and in which workspace, as every such payload says."""
    return {
        "team": {"id": team_id, "domain": "study"},
        "user": {"id": user_id, "username": "member", "team_id": team_id},
        "api_app_id": "A0001",
        "token": "legacy",
    }


def action_body(
    action_id: str, value: str, response_url: str, user_id: str = "U0MEMBER1", channel_id: str = "C0STUDY01", team_id: str = "T0001"
) -> str:
    payload = {
        "type": "block_actions",
        **_actor(user_id, team_id),
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": channel_id, "is_ephemeral": True},
        "trigger_id": "1.2.3",
        "channel": {"id": channel_id, "name": "interview-study"},
        "response_url": response_url,
        "actions": [_button(action_id, value)],
    }
    return urlencode({"payload": json.dumps(payload)})


def view_submission_body(view: dict, user_id: str = "U0MEMBER1", values: dict | None = None, team_id: str = "T0001") -> str:
    """A modal's submission, as Slack sends it: the view as it was opened (id, hash, callback_id,
    private_metadata), with `values` as its `state.values` (block_id → action_id → element state)."""
    submitted = {**view, "id": view.get("id", "V0MODAL01"), "hash": view.get("hash", "h1"), "state": {"values": values or {}}}
    payload = {
        "type": "view_submission",
        **_actor(user_id, team_id),
        "trigger_id": f"4.5.{next(_serial)}",  # each submission its own, as in Slack
        "view": submitted,
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)})


def view_action_body(action_id: str, value: str, user_id: str = "U0MEMBER1", view_id: str = "VHOME0001", team_id: str = "T0001") -> str:
    """A button pressed on a view (App Home or a modal): no channel and no response_url."""
    payload = {
        "type": "block_actions",
        **_actor(user_id, team_id),
        "container": {"type": "view", "view_id": view_id},
        "trigger_id": "7.8.9",
        "view": {
            "id": view_id,
            "type": "home",
            "hash": "h1",
            "callback_id": "",
            "private_metadata": "",
            "blocks": [],
            "state": {"values": {}},
        },
        "actions": [_button(action_id, value)],
    }
    return urlencode({"payload": json.dumps(payload)})


def view_press_body(
    action_id: str, value: str, view: dict, user_id: str = "U0MEMBER1", trigger_id: str = "4.5.6", team_id: str = "T0001"
) -> str:
    """A button pressed in a given view (the App Home as published, or a modal as opened): like
    view_action_body, with the view itself (id, title, blocks) as Slack sends it."""
    view = {"hash": "h1", **view}
    payload = {
        "type": "block_actions",
        **_actor(user_id, team_id),
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": trigger_id,
        "view": view,
        "actions": [_button(action_id, value)],
    }
    return urlencode({"payload": json.dumps(payload)})


def home_opened_event(user_id: str, tab: str = "home") -> dict:
    """The `event` of app_home_opened (send it with BotServer.event)."""
    return {"type": "app_home_opened", "user": user_id, "channel": "D0HOME001", "tab": tab, "event_ts": "1700000002.000001"}


def reply(ts: str, user: str, thread_ts: str, channel: str = CH, **extra) -> dict:
    """The `event` of a member's reply in a thread (send it with BotServer.event)."""
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": "私の回答は…",
        "ts": ts,
        "thread_ts": thread_ts,
        "channel_type": "channel",
        **extra,
    }


def form_state(view: dict, **changes: str) -> dict:
    """The form's state.values as Slack sends them: each input as it opened, with `changes`
    (block_id → value) typed or picked by the user (for a file_input, the picked files' ids)."""
    values: dict = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        kind, given = element["type"], changes.get(block_id)
        state: dict[str, Any]
        if kind in ("static_select", "radio_buttons"):
            value = given if given is not None else (element.get("initial_option") or {}).get("value")
            state = {"selected_option": {"text": {"type": "plain_text", "text": value}, "value": value} if value else None}
        elif kind == "checkboxes":
            chosen = given.split(",") if given is not None else [o["value"] for o in element.get("initial_options", [])]
            state = {"selected_options": [{"text": {"type": "plain_text", "text": v}, "value": v} for v in chosen if v]}
        elif kind == "timepicker":
            state = {"selected_time": given if given is not None else element.get("initial_time")}
        elif kind == "conversations_select":
            state = {"selected_conversation": given}
        elif kind == "file_input":
            # The files picked, by id (comma-separated), as file objects the way Slack sends them.
            state = {"files": [{"id": file_id, "name": f"{file_id}.md"} for file_id in (given or "").split(",") if file_id]}
        else:
            state = {"value": (given if given is not None else element.get("initial_value")) or None}
        values[block_id] = {element["action_id"]: {"type": kind, **state}}
    return values
