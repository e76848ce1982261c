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
            "ADMIN_USER_IDS": "U01ABC, W02DEF",
            "DATABASE_URL": "postgres://u@h/db",
            "PORT": "8000",
            "SLACK_APP_TOKEN": "xapp-1",
        }
    )
    assert s.slack_api_url == "http://127.0.0.1:8080/api/"
    assert s.admin_user_ids == {"U01ABC", "W02DEF"}
    assert s.database_url == "postgresql+psycopg://u@h/db"
    assert s.port == 8000 and s.socket_mode


@pytest.mark.parametrize(
    "env, message",
    [
        ({"PORT": "x"}, "PORT must be a whole number, got 'x'."),
        ({"PORT": "70000"}, "PORT must be between 0 and 65535, got 70000."),
        ({"DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE must be an IANA time zone named for a place, such as Asia/Tokyo, got 'Mars/Olympus'."),
        ({"SLACK_API_URL": "ftp://x"}, "SLACK_API_URL must be an http(s) URL, got 'ftp://x'."),
        ({"ADMIN_USER_IDS": "alice"}, "ADMIN_USER_IDS must be a comma-separated list of Slack user IDs such as U012ABCDEF, got 'alice'."),
        ({"SLACK_BOT_TOKEN": "hunter2"}, "SLACK_BOT_TOKEN does not look like a Slack token: it should start with 'xoxb-'."),
        ({"DATABASE_URL": "just-a-file.db"}, "DATABASE_URL must be a database URL such as sqlite:///path.db, got 'just-a-file.db'."),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got 'LOUD'."),
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
    """Bolt would otherwise switch on OAuth by itself, with file stores in $HOME, beside the token."""
    both = {"SLACK_BOT_TOKEN": "xoxb-secret-value", "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret-value"}
    with pytest.raises(ConfigError) as err:
        load_settings(both)
    assert str(err.value) == (
        "SLACK_BOT_TOKEN is set together with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: this version serves one workspace with its bot token,"
        " so remove SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (or unset SLACK_BOT_TOKEN once OAuth installs are supported)."
    )
    assert "secret-value" not in str(err.value)
    with pytest.raises(ConfigError, match="remove SLACK_CLIENT_SECRET "):
        load_settings({"SLACK_BOT_TOKEN": "xoxb-secret-value", "SLACK_CLIENT_SECRET": "client-secret-value"})
    assert load_settings({"SLACK_BOT_TOKEN": "xoxb-secret-value", "SLACK_CLIENT_ID": "  "}).bot_token == "xoxb-secret-value"
