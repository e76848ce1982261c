"""manifest.yml asks for exactly the scopes that the code's Web API calls need, subscribes to the
events the app listens to, and turns on what the listeners rely on (App Home, interactivity)."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

# Each Web API method the bot calls, and the bot scopes Slack requires for it (api.slack.com/methods).
SCOPES_BY_METHOD = {
    "chat_postMessage": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_update": {"chat:write"},
    "conversations_history": {"channels:history", "groups:history"},
    "conversations_replies": {"channels:history", "groups:history"},
    "conversations_info": {"channels:read", "groups:read"},
    "users_conversations": {"channels:read", "groups:read"},
    "conversations_open": {"im:write"},
    "users_info": {"users:read"},
    "files_upload_v2": {"files:write"},
    "views_open": set(),
    "views_update": set(),
    "views_publish": set(),
}
CALL = re.compile(r"\b(?:client|poster|reader)\.([a-z]+_[A-Za-z0-9_]+)\b")


def _manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


def _methods_called() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        found |= set(CALL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_web_api_method_the_code_calls_is_known_here():
    called = _methods_called()
    assert {"chat_postMessage", "views_publish", "files_upload_v2", "conversations_open"} <= called
    assert called <= set(SCOPES_BY_METHOD), f"add the scopes of {sorted(called - set(SCOPES_BY_METHOD))} to this table and the manifest"


def test_the_manifest_asks_for_exactly_the_scopes_the_code_uses():
    needed = {"commands"}.union(*(SCOPES_BY_METHOD[m] for m in _methods_called()))
    assert set(_manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_the_manifest_enables_app_home_interactivity_and_the_events_listened_to():
    manifest = _manifest()
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"message.channels", "message.groups", "app_home_opened"}
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/career"]
