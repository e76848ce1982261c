from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


def test_defaults():
    s = load_settings({})
    assert s.database_url.startswith("sqlite:///")
    assert s.default_timezone == "Asia/Tokyo"
    assert s.slack_api_url == "https://slack.com/api/"
    assert str(s.content_dir) == "content"
    assert not s.socket_mode


def test_values_are_parsed():
    s = load_settings(
        {
            "SLACK_API_URL": "http://127.0.0.1:8080/api",
            "ADMIN_USER_IDS": "U01ABC, W02DEF, T03GHI:U04JKL",
            "DATABASE_URL": "postgres://u@h/db",
            "PORT": "8000",
            "SLACK_APP_TOKEN": "xapp-1",
        }
    )
    assert s.slack_api_url == "http://127.0.0.1:8080/api/"
    assert s.admin_user_ids == {"U01ABC", "W02DEF", "T03GHI:U04JKL"}
    assert s.database_url == "postgresql+psycopg://u@h/db"
    assert s.port == 8000 and s.socket_mode


@pytest.mark.parametrize(
    "env, message",
    [
        ({"PORT": "x"}, "PORT must be a whole number, got 'x'."),
        ({"PORT": "70000"}, "PORT must be between 0 and 65535, got 70000."),
        (
            {"DEFAULT_TIMEZONE": "Mars/Olympus"},
            "DEFAULT_TIMEZONE must be an IANA time zone named for a place, such as Asia/Tokyo, got 'Mars/Olympus'.",
        ),
        ({"SLACK_API_URL": "ftp://x"}, "SLACK_API_URL must be an http(s) URL, got 'ftp://x'."),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_CLIENT_ID": " "},
            "SLACK_CLIENT_ID is set but empty: remove it from the environment, or give it the value from the app's Basic Information page.",
        ),
        (
            {"ADMIN_USER_IDS": "alice"},
            "ADMIN_USER_IDS must be a comma-separated list of Slack user IDs such as U012ABCDEF (or T012ABCDEF:U012ABCDEF for one workspace only), got 'alice'.",
        ),
        (
            {"ADMIN_USER_IDS": "T01:alice"},
            "ADMIN_USER_IDS must be a comma-separated list of Slack user IDs such as U012ABCDEF (or T012ABCDEF:U012ABCDEF for one workspace only), got 'T01:alice'.",
        ),
        ({"SLACK_BOT_TOKEN": "hunter2"}, "SLACK_BOT_TOKEN does not look like a Slack token: it should start with 'xoxb-'."),
        ({"DATABASE_URL": "just-a-file.db"}, "DATABASE_URL must be a database URL such as sqlite:///path.db, got 'just-a-file.db'."),
        (
            {"DATABASE_URL": "mysql://bot:pw@db/bot"},
            "DATABASE_URL must be a sqlite:///path.db or postgresql://user@host/name URL (the bot supports sqlite and postgresql), got mysql://….",
        ),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got 'LOUD'."),
        ({"MOCK_ANSWER_QUIET_SECONDS": "0"}, "MOCK_ANSWER_QUIET_SECONDS must be between 0.5 and 60, got 0."),
    ],
)
def test_bad_settings_are_one_sentence_naming_the_variable(env, message):
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    assert str(err.value) == message


def test_token_never_in_the_error_or_repr():
    with pytest.raises(ConfigError) as err:
        load_settings({"SLACK_BOT_TOKEN": "hunter2-secret"})
    assert "hunter2" not in str(err.value)
    s = load_settings({"SLACK_BOT_TOKEN": "xoxb-secret-value", "SLACK_SIGNING_SECRET": "sig-secret"})
    assert "secret" not in repr(s)


def test_http_mode_requires_token_and_secret():
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}).require_http()
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN is not set"):
        load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}).require_socket()


def test_a_fractional_slack_timeout_is_used_as_given():
    from bot.slack.client import make_claim_client, make_web_client

    settings = load_settings({"SLACK_TIMEOUT_SECONDS": "0.5", "DRILL_LEASE_SECONDS": "3"})
    assert make_web_client(settings).timeout == 0.5 and make_claim_client(settings).timeout == 0.5


def test_a_bot_token_with_oauth_credentials_refuses_to_start_and_says_what_to_remove():
    """Bolt would otherwise switch on OAuth by itself beside the token: a deployment is one mode or the other."""
    both = {"SLACK_BOT_TOKEN": "xoxb-secret-value", "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret-value"}
    with pytest.raises(ConfigError) as err:
        load_settings(both)
    assert str(err.value) == (
        "SLACK_BOT_TOKEN is set together with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: to serve one workspace with its bot token,"
        " remove SLACK_CLIENT_ID and SLACK_CLIENT_SECRET; to install the app in many workspaces through OAuth, remove SLACK_BOT_TOKEN."
    )
    assert "secret-value" not in str(err.value)
    with pytest.raises(ConfigError, match="remove SLACK_CLIENT_SECRET;"):
        load_settings({"SLACK_BOT_TOKEN": "xoxb-secret-value", "SLACK_CLIENT_SECRET": "client-secret-value"})
    with pytest.raises(ConfigError, match="SLACK_CLIENT_ID is set but empty"):
        load_settings({"SLACK_BOT_TOKEN": "xoxb-secret-value", "SLACK_CLIENT_ID": "  "})


OAUTH = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret-value", "SLACK_SIGNING_SECRET": "signing-secret-value"}


def test_oauth_mode_is_on_with_the_client_id_and_secret_and_its_defaults():
    s = load_settings(OAUTH)
    assert s.oauth_mode and s.bot_token is None
    assert s.client_id == "111.222" and s.client_secret == "client-secret-value"
    assert s.redirect_uri is None
    assert s.state_expiration_seconds == 600 and s.workspace_retention_days == 30
    assert "client-secret-value" not in repr(s)
    s.require_http()  # no bot token needed
    s.require_oauth()
    assert not load_settings({}).oauth_mode


def test_the_default_scopes_are_the_manifests_bot_scopes():
    import yaml

    from bot.testing import ROOT

    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert load_settings(OAUTH).scopes == tuple(manifest["oauth_config"]["scopes"]["bot"])


def test_oauth_values_are_parsed():
    s = load_settings(
        {
            **OAUTH,
            "SLACK_SCOPES": " commands, chat:write ,,chat:write.public",
            "SLACK_REDIRECT_URI": "https://bot.example.org/slack/oauth_redirect",
            "SLACK_STATE_EXPIRATION_SECONDS": "300",
            "WORKSPACE_RETENTION_DAYS": "7",
        }
    )
    assert s.scopes == ("commands", "chat:write", "chat:write.public")
    assert s.redirect_uri == "https://bot.example.org/slack/oauth_redirect"
    assert s.state_expiration_seconds == 300 and s.workspace_retention_days == 7
    assert load_settings({**OAUTH, "SLACK_REDIRECT_URI": "http://127.0.0.1:3000/slack/oauth_redirect"}).redirect_uri.startswith("http://")


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"SLACK_CLIENT_ID": "111.222"},
            "SLACK_CLIENT_SECRET is not set: OAuth mode needs it beside SLACK_CLIENT_ID (both are on the app's Basic Information page).",
        ),
        (
            {"SLACK_CLIENT_SECRET": "client-secret-value"},
            "SLACK_CLIENT_ID is not set: OAuth mode needs it beside SLACK_CLIENT_SECRET (both are on the app's Basic Information page).",
        ),
        (
            {**OAUTH, "SLACK_SCOPES": "chat:write commands"},
            "SLACK_SCOPES must be a comma-separated list of bot scopes such as commands,chat:write, got 'chat:write commands'.",
        ),
        (
            {**OAUTH, "SLACK_SCOPES": " , "},
            "SLACK_SCOPES must be a comma-separated list of bot scopes such as commands,chat:write, got ','.",
        ),
        (
            {**OAUTH, "SLACK_REDIRECT_URI": "bot.example.org/slack/oauth_redirect"},
            "SLACK_REDIRECT_URI must be an http(s) URL such as https://YOUR-HOST/slack/oauth_redirect, got 'bot.example.org/slack/oauth_redirect'.",
        ),
        (
            {**OAUTH, "SLACK_REDIRECT_URI": "https://bot.example.org/oauth"},
            "SLACK_REDIRECT_URI must end in /slack/oauth_redirect, where the bot completes installs, got 'https://bot.example.org/oauth'.",
        ),
        ({**OAUTH, "SLACK_STATE_EXPIRATION_SECONDS": "5"}, "SLACK_STATE_EXPIRATION_SECONDS must be between 60 and 3600, got 5."),
        ({**OAUTH, "WORKSPACE_RETENTION_DAYS": "0"}, "WORKSPACE_RETENTION_DAYS must be between 1 and 3650, got 0."),
        ({**OAUTH, "WORKSPACE_RETENTION_DAYS": "a month"}, "WORKSPACE_RETENTION_DAYS must be a whole number, got 'a month'."),
    ],
)
def test_bad_oauth_settings_are_one_sentence_naming_the_variable(env, message):
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    assert str(err.value) == message
    assert "client-secret-value" not in str(err.value)


def test_oauth_mode_names_what_it_still_needs():
    from bot.config import Settings

    with pytest.raises(ConfigError) as err:
        load_settings({"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret-value"}).require_http()
    assert str(err.value) == "SLACK_SIGNING_SECRET is not set: it must hold the signing secret from the app's Basic Information page."
    with pytest.raises(ConfigError) as err:
        Settings(signing_secret="s").require_oauth()
    assert str(err.value) == "SLACK_CLIENT_ID is not set: it must hold the client ID from the app's Basic Information page."
    with pytest.raises(ConfigError) as err:
        Settings(client_id="111.222", signing_secret="s").require_oauth()
    assert str(err.value) == "SLACK_CLIENT_SECRET is not set: it must hold the client secret from the app's Basic Information page."


def test_http_mode_without_a_token_or_oauth_names_both_ways():
    with pytest.raises(ConfigError) as err:
        load_settings({"SLACK_SIGNING_SECRET": "s"}).require_http()
    assert str(err.value) == (
        "SLACK_BOT_TOKEN is not set: it must hold the bot token (xoxb-…) from the app's OAuth page,"
        " or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET instead to install the app in many workspaces."
    )


def test_socket_mode_stays_single_workspace_and_says_so_when_oauth_is_set():
    with pytest.raises(ConfigError) as err:
        load_settings({**OAUTH, "SLACK_APP_TOKEN": "xapp-1"}).require_socket()
    assert str(err.value) == (
        "Socket Mode serves one workspace with SLACK_BOT_TOKEN and cannot install the app in others:"
        " remove SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, or run the web process (python -m bot web) for installs in many workspaces."
    )


def test_the_mock_interviews_quiet_spell_is_five_seconds_unless_set():
    assert load_settings({}).mock_answer_quiet_seconds == 5.0
    assert load_settings({"MOCK_ANSWER_QUIET_SECONDS": "2.5"}).mock_answer_quiet_seconds == 2.5
