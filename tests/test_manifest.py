"""manifest.yml asks for exactly the scopes that the code's Web API calls need, subscribes to exactly
the events the app listens to (the workspace lifecycle events only in OAuth mode), sends installs
back to the path where the bot completes them, and turns on what the listeners rely on (App Home,
interactivity). manifest.socket.yml is the same app for Socket Mode, pasted without editing."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import yaml
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from bot.composition import SlackBot, build_slack_bot
from bot.testing import ROOT
from bot.testing.botserver import settings_for

# Each Web API method the bot calls, and the bot scopes Slack requires for it (api.slack.com/methods).
SCOPES_BY_METHOD = {
    "chat_postMessage": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_update": {"chat:write"},
    # In the DM with the bot too: a mock interview's step already sent is looked for there.
    "conversations_history": {"channels:history", "groups:history", "im:history"},
    "conversations_replies": {"channels:history", "groups:history", "im:history"},
    "conversations_info": {"channels:read", "groups:read"},
    "users_conversations": {"channels:read", "groups:read"},
    "conversations_open": {"im:write"},
    "users_info": {"users:read"},
    "files_upload_v2": {"files:write"},
    "files_info": {"files:read"},  # the file an admin gives /career questions import
    "assistant_threads_setSuggestedPrompts": {"assistant:write"},
    "views_open": set(),
    "views_update": set(),
    "views_publish": set(),
    "auth_test": set(),  # the single workspace's team, at start
}
# `client.chat_postMessage(`, `self.client(team_id).views_publish(`, `clients.reader(team).auth_test(`
CALL = re.compile(r"\b(?:client|poster|reader)(?:\([^()]*\))?\.([a-z]+_[A-Za-z0-9_]+)\b")

# The workspace lifecycle events: only OAuth mode, which keeps an installation per workspace, has to
# learn that one left.
LIFECYCLE_EVENTS = {"app_uninstalled", "tokens_revoked"}
# A bot event of the manifest, as Slack delivers it: message.channels and message.groups are both a
# `message` event, told apart by channel_type.
EVENT_PAYLOADS = {
    "message.channels": {
        "type": "message",
        "channel_type": "channel",
        "channel": "C0MANIFEST",
        "user": "U0MANIFEST",
        "text": "x",
        "ts": "1.000001",
    },
    "message.groups": {
        "type": "message",
        "channel_type": "group",
        "channel": "G0MANIFEST",
        "user": "U0MANIFEST",
        "text": "x",
        "ts": "1.000001",
    },
    "message.im": {"type": "message", "channel_type": "im", "channel": "D0MANIFEST", "user": "U0MANIFEST", "text": "x", "ts": "1.000001"},
    "app_home_opened": {"type": "app_home_opened", "user": "U0MANIFEST", "channel": "D0MANIFEST", "tab": "home"},
    "app_uninstalled": {"type": "app_uninstalled"},
    "tokens_revoked": {"type": "tokens_revoked", "tokens": {"bot": ["U0BOT"]}},
}
# Every `app.event("…")` in the code, whichever mode registers it.
EVENT_REGISTRATION = re.compile(r"""\bapp\.event\(\s*["']([a-z_]+)["']""")

OAUTH_ENV = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret-not-real"}


def _manifest(name: str = "manifest.yml") -> dict:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def _methods_called() -> set[str]:
    """Web API methods called in bot/ (helpers of our own clients, such as the install client's
    forget_refusal, are not Web API methods)."""
    found: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        found |= set(CALL.findall(path.read_text(encoding="utf-8")))
    return {name for name in found if hasattr(WebClient, name)}


def _bot_events() -> list[str]:
    return _manifest()["settings"]["event_subscriptions"]["bot_events"]


def _listens_to(app: App, bot_event: str) -> bool:
    """Whether a listener of the built app would take this event (Bolt answers 404 to one none takes)."""
    body = {
        "type": "event_callback",
        "team_id": "T0MANIFEST",
        "api_app_id": "A0MANIFEST",
        "event": EVENT_PAYLOADS[bot_event],
        "event_id": "Ev0MANIFEST",
        "event_time": 1,
    }
    request = BoltRequest(body=body, mode="socket_mode")
    return any(listener.matches(req=request, resp=BoltResponse(status=200)) for listener in app._listeners)


@pytest.fixture
def single_workspace_bot(stub_api, content_dir) -> SlackBot:
    return build_slack_bot(settings_for(stub_api, content_dir))


@pytest.fixture
def oauth_bot(stub_api, content_dir) -> SlackBot:
    settings = settings_for(stub_api, content_dir, SLACK_BOT_TOKEN="", **OAUTH_ENV)
    assert settings.oauth_mode
    return build_slack_bot(settings)


def test_every_web_api_method_the_code_calls_is_known_here():
    called = _methods_called()
    assert {"chat_postMessage", "views_publish", "files_upload_v2", "conversations_open", "auth_test"} <= called
    assert called <= set(SCOPES_BY_METHOD), f"add the scopes of {sorted(called - set(SCOPES_BY_METHOD))} to this table and the manifest"


def test_the_manifest_asks_for_exactly_the_scopes_the_code_uses():
    needed = {"commands"}.union(*(SCOPES_BY_METHOD[m] for m in _methods_called()))
    assert set(_manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_the_manifest_enables_app_home_interactivity_and_the_slash_command():
    manifest = _manifest()
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/career"]


def test_the_manifest_subscribes_to_every_event_the_code_registers_and_no_other():
    registered: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        registered |= set(EVENT_REGISTRATION.findall(path.read_text(encoding="utf-8")))
    assert {event.split(".")[0] for event in _bot_events()} == registered
    assert set(EVENT_PAYLOADS) == set(_bot_events()), "describe the new event in EVENT_PAYLOADS"


def test_in_oauth_mode_the_app_listens_to_every_event_the_manifest_subscribes_to(oauth_bot):
    assert [event for event in _bot_events() if not _listens_to(oauth_bot.app, event)] == []


def test_a_single_workspace_bot_listens_to_every_event_too(single_workspace_bot):
    # The lifecycle events only log there (its token is its configuration), but are answered: an
    # unanswered event is retried by Slack.
    assert [event for event in _bot_events() if not _listens_to(single_workspace_bot.app, event)] == []
    assert LIFECYCLE_EVENTS <= set(_bot_events())


def test_slack_sends_installs_back_to_the_path_where_the_bot_completes_them(oauth_bot):
    redirect_urls = _manifest()["oauth_config"]["redirect_urls"]
    assert [urlsplit(url).path for url in redirect_urls] == [oauth_bot.oauth.flow.redirect_uri_path]
    assert oauth_bot.oauth.flow.redirect_uri_path == "/slack/oauth_redirect"
    assert oauth_bot.oauth.flow.install_path == "/slack/install"
    assert [urlsplit(url).scheme for url in redirect_urls] == ["https"]


def test_the_manifest_asks_for_per_workspace_installs_without_token_rotation():
    # Org-wide installs are not supported, and a single-workspace SLACK_BOT_TOKEN is never refreshed:
    # OAuth deployments turn rotation on themselves (docs/WORKSPACES.md).
    settings = _manifest()["settings"]
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


# ----------------------------------------------------------------------------- Socket Mode


def _keys(tree) -> set[str]:
    if isinstance(tree, dict):
        return set(tree) | {key for value in tree.values() for key in _keys(value)}
    if isinstance(tree, list):
        return {key for value in tree for key in _keys(value)}
    return set()


def _without_urls(tree):
    """The manifest with its URLs left out, and the Socket Mode switch: what the two must share."""
    if isinstance(tree, dict):
        return {k: _without_urls(v) for k, v in tree.items() if k not in {"url", "request_url", "redirect_urls", "socket_mode_enabled"}}
    if isinstance(tree, list):
        return [_without_urls(value) for value in tree]
    return tree


def test_the_socket_mode_manifest_is_the_same_app_with_socket_mode_on():
    socket, http = _manifest("manifest.socket.yml"), _manifest()
    assert socket["settings"]["socket_mode_enabled"] is True
    assert set(socket["oauth_config"]["scopes"]["bot"]) == set(http["oauth_config"]["scopes"]["bot"])
    assert socket["settings"]["event_subscriptions"]["bot_events"] == _bot_events()
    assert socket["features"]["slash_commands"] == [_without_urls(c) for c in http["features"]["slash_commands"]]
    assert _without_urls(socket) == _without_urls(http)  # nothing else differs either


def test_the_socket_mode_manifest_needs_no_editing():
    text = (ROOT / "manifest.socket.yml").read_text(encoding="utf-8")
    manifest = yaml.safe_load(text)
    assert _keys(manifest) & {"url", "request_url", "redirect_urls"} == set()
    assert "YOUR-HOST" not in "".join(line.split("#")[0] for line in text.splitlines())


def test_the_commands_usage_hint_offers_only_words_the_bot_knows_the_mock_interview_among_them():
    """What Slack shows under `/career` as it is typed: each word it offers is a command, not a role."""
    from bot.domain.command_text import ShowRole, ShowSection, parse_command

    for name in ("manifest.yml", "manifest.socket.yml"):
        hint = _manifest(name)["features"]["slash_commands"][0]["usage_hint"]
        words = [part.split()[0] for part in hint.strip("[]").split(" | ")]
        offered = [word for word in words if not word.startswith("<")]
        assert "mock" in offered and "help" in offered, name
        assert [word for word in offered if isinstance(parse_command(word), (ShowRole, ShowSection))] == [], name
