"""Sign requests the way Slack does (v0 HMAC-SHA256 over `v0:timestamp:body`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token-not-real"


def signature(body: str, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(body: str, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(body, ts, secret),
    }


def command_body(text: str, user_id: str = "U0MEMBER1", channel_id: str = "C0STUDY01", response_url: str = "", command: str = "/career") -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T0001",
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


def action_body(action_id: str, value: str, response_url: str, user_id: str = "U0MEMBER1", channel_id: str = "C0STUDY01") -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "study"},
        "user": {"id": user_id, "username": "member", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "legacy",
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": channel_id, "is_ephemeral": True},
        "trigger_id": "1.2.3",
        "channel": {"id": channel_id, "name": "interview-study"},
        "response_url": response_url,
        "actions": [
            {"action_id": action_id, "block_id": "b1", "type": "button", "value": value, "action_ts": "1700000001.000001", "text": {"type": "plain_text", "text": "x"}}
        ],
    }
    return urlencode({"payload": json.dumps(payload)})
