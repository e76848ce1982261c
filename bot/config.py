"""The one place that reads the environment.

Every setting the bot understands is parsed here into a frozen `Settings`. A missing or malformed
value raises `ConfigError` with one sentence naming the variable; the entry point prints it and
exits non-zero, without a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.domain.schedule import ScheduleError
from bot.domain.schedule_input import parse_timezone
from bot.package_data import ROLE_DOCUMENTS_DIR

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///data/career-bot.sqlite3"
# The SQLAlchemy dialects the bot ships a driver for (postgres:// and postgresql:// are read as psycopg 3).
SUPPORTED_DATABASES = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")

# OAuth mode (many workspaces). The bot scopes are manifest.yml's (a test keeps the two equal).
DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "users:read",
    "im:write",
    "files:write",
    "files:read",
    "im:history",
    "assistant:write",
)
INSTALL_PATH = "/slack/install"
REDIRECT_URI_PATH = "/slack/oauth_redirect"
SCOPE = re.compile(r"[a-z][a-z0-9._-]*(?::[a-z0-9._-]+)*")
OAUTH_VARIABLES = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one sentence for a person."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)
    app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    content_dir: Path = Path("content")
    admin_user_ids: frozenset[str] = frozenset()
    default_timezone: str = "Asia/Tokyo"
    port: int = 3000
    web_concurrency: int = field(default_factory=lambda: available_cores())
    log_level: str = "INFO"
    drill_tick_seconds: float = 10.0
    drill_lease_seconds: float = 120.0
    # A mock interview's feedback follows this long after the member's last message of an answer.
    mock_answer_quiet_seconds: float = 5.0
    slack_timeout_seconds: float = 10.0
    # OAuth mode: the app is installed in many workspaces, each with its own bot token.
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    redirect_uri: str | None = None
    state_expiration_seconds: int = 600
    workspace_retention_days: int = 30

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @property
    def oauth_mode(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def require_http(self) -> None:
        """Check what the HTTP (Procfile `web`) mode needs: a bot token, or OAuth's credentials."""
        if self.oauth_mode:
            self.require_oauth()
            return
        _require(
            self.bot_token,
            "SLACK_BOT_TOKEN",
            "the bot token (xoxb-…) from the app's OAuth page, or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET instead to install the app in many workspaces",
        )
        _require(self.signing_secret, "SLACK_SIGNING_SECRET", "the signing secret from the app's Basic Information page")

    def require_oauth(self) -> None:
        """Check what OAuth mode (installs in many workspaces, over HTTP) needs."""
        _require(self.client_id, "SLACK_CLIENT_ID", "the client ID from the app's Basic Information page")
        _require(self.client_secret, "SLACK_CLIENT_SECRET", "the client secret from the app's Basic Information page")
        _require(self.signing_secret, "SLACK_SIGNING_SECRET", "the signing secret from the app's Basic Information page")

    def require_socket(self) -> None:
        """Check what Socket Mode needs. Socket Mode serves the one workspace of its bot token."""
        oauth = [name for name, value in zip(OAUTH_VARIABLES, (self.client_id, self.client_secret), strict=False) if value]
        if oauth:
            names = " and ".join(oauth)
            raise ConfigError(
                f"Socket Mode serves one workspace with SLACK_BOT_TOKEN and cannot install the app in others: remove {names},"
                " or run the web process (python -m bot web) for installs in many workspaces."
            )
        _require(self.bot_token, "SLACK_BOT_TOKEN", "the bot token (xoxb-…) from the app's OAuth page")
        _require(self.app_token, "SLACK_APP_TOKEN", "an app-level token (xapp-…) with connections:write")


def _require(value: str | None, name: str, what: str) -> None:
    if not value:
        raise ConfigError(f"{name} is not set: it must hold {what}.")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xox"):
        raise ConfigError("SLACK_BOT_TOKEN does not look like a Slack token: it should start with 'xoxb-'.")
    # Bolt switches on OAuth by itself when it finds these two in the environment, even beside a bot
    # token: a deployment must be one mode or the other.
    client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
    # Bolt only asks whether the two are present: blank ones (an .env template's `SLACK_CLIENT_ID=`)
    # would switch on its OAuth, with file stores in $HOME, behind a single-workspace bot's back.
    blank = [name for name in OAUTH_VARIABLES if name in env and get(name) is None]
    if blank:
        raise ConfigError(
            f"{blank[0]} is set but empty: remove it from the environment, or give it the value from the app's Basic Information page."
        )
    oauth = [name for name, value in zip(OAUTH_VARIABLES, (client_id, client_secret), strict=False) if value]
    if bot_token and oauth:
        names = " and ".join(oauth)
        raise ConfigError(
            f"SLACK_BOT_TOKEN is set together with {names}: to serve one workspace with its bot token, remove {names};"
            " to install the app in many workspaces through OAuth, remove SLACK_BOT_TOKEN."
        )
    if len(oauth) == 1:
        missing = next(name for name in OAUTH_VARIABLES if name not in oauth)
        raise ConfigError(f"{missing} is not set: OAuth mode needs it beside {oauth[0]} (both are on the app's Basic Information page).")
    scopes = _scopes(get("SLACK_SCOPES"))
    redirect_uri = get("SLACK_REDIRECT_URI")
    if redirect_uri is not None:
        if not redirect_uri.startswith(("https://", "http://")):
            raise ConfigError(
                f"SLACK_REDIRECT_URI must be an http(s) URL such as https://YOUR-HOST{REDIRECT_URI_PATH}, got {redirect_uri!r}."
            )
        if urlsplit(redirect_uri).path != REDIRECT_URI_PATH:
            raise ConfigError(
                f"SLACK_REDIRECT_URI must end in {REDIRECT_URI_PATH}, where the bot completes installs, got {redirect_uri!r}."
            )
    state_expiration = _int_setting(get("SLACK_STATE_EXPIRATION_SECONDS"), "SLACK_STATE_EXPIRATION_SECONDS", 600, 60, 3600)
    retention_days = _int_setting(get("WORKSPACE_RETENTION_DAYS"), "WORKSPACE_RETENTION_DAYS", 30, 1, 3650)
    app_token = get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN does not look like an app-level token: it should start with 'xapp-'.")

    api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}.")
    if not api_url.endswith("/"):
        api_url += "/"

    database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if database_url.startswith("postgres://"):
        # Heroku-style URLs; SQLAlchemy wants an explicit dialect and we ship psycopg 3.
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    if "://" not in database_url:
        raise ConfigError(f"DATABASE_URL must be a database URL such as sqlite:///path.db, got {database_url!r}.")
    scheme = database_url.split("://", 1)[0]
    if scheme.lower() not in SUPPORTED_DATABASES:
        # Only the scheme is quoted: the rest of the URL may hold the database's password.
        raise ConfigError(
            f"DATABASE_URL must be a sqlite:///path.db or postgresql://user@host/name URL (the bot supports sqlite and postgresql), got {scheme}://…."
        )

    content_dir = Path(get("CONTENT_DIR") or _default_content_dir())

    admins_raw = get("ADMIN_USER_IDS") or ""
    admin_ids = frozenset(part.strip() for part in admins_raw.replace(" ", ",").split(",") if part.strip())
    bad_ids = sorted(i for i in admin_ids if not _admin_entry(i))
    if bad_ids:
        raise ConfigError(
            "ADMIN_USER_IDS must be a comma-separated list of Slack user IDs such as U012ABCDEF"
            f" (or T012ABCDEF:U012ABCDEF for one workspace only), got {bad_ids[0]!r}."
        )

    timezone = get("DEFAULT_TIMEZONE") or "Asia/Tokyo"
    try:
        timezone = parse_timezone(timezone)
    except ScheduleError:
        raise ConfigError(f"DEFAULT_TIMEZONE must be an IANA time zone named for a place, such as Asia/Tokyo, got {timezone!r}.") from None

    port = _int_setting(get("PORT"), "PORT", 3000, 0, 65535)
    workers = _int_setting(get("WEB_CONCURRENCY"), "WEB_CONCURRENCY", available_cores(), 1, MAX_WEB_CONCURRENCY)

    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got {log_level!r}.")

    tick = _float_setting(get("DRILL_TICK_SECONDS"), "DRILL_TICK_SECONDS", 10.0, 0.05, 60)
    quiet = _float_setting(get("MOCK_ANSWER_QUIET_SECONDS"), "MOCK_ANSWER_QUIET_SECONDS", 5.0, 0.5, 60)

    timeout = _float_setting(get("SLACK_TIMEOUT_SECONDS"), "SLACK_TIMEOUT_SECONDS", 10.0, 0.5, 60)
    lease = _float_setting(get("DRILL_LEASE_SECONDS"), "DRILL_LEASE_SECONDS", 120.0, 1, 3600)
    if lease < 6 * timeout:
        # A claim must outlive the step it guards, or another process could take it over while the
        # first is still talking to Slack. A step makes at most a lookup and a post, each of which
        # may time out twice (around one 429 retry, itself capped at lease / 8): 4 × timeout + lease / 4.
        raise ConfigError(f"DRILL_LEASE_SECONDS ({lease:g}) must be at least 6 × SLACK_TIMEOUT_SECONDS ({timeout:g}).")

    return Settings(
        bot_token=bot_token,
        signing_secret=get("SLACK_SIGNING_SECRET"),
        app_token=app_token,
        slack_api_url=api_url,
        database_url=database_url,
        content_dir=content_dir,
        admin_user_ids=admin_ids,
        default_timezone=timezone,
        port=port,
        web_concurrency=workers,
        log_level=log_level,
        drill_tick_seconds=tick,
        mock_answer_quiet_seconds=quiet,
        drill_lease_seconds=lease,
        slack_timeout_seconds=timeout,
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        redirect_uri=redirect_uri,
        state_expiration_seconds=state_expiration,
        workspace_retention_days=retention_days,
    )


def _scopes(raw: str | None) -> tuple[str, ...]:
    if raw is None:
        return DEFAULT_SCOPES
    scopes = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    bad = [scope for scope in scopes if not SCOPE.fullmatch(scope)]
    if not scopes or bad:
        raise ConfigError(
            f"SLACK_SCOPES must be a comma-separated list of bot scopes such as commands,chat:write, got {(bad[0] if bad else raw)!r}."
        )
    return scopes


MAX_WEB_CONCURRENCY = 64


def _slack_id(text: str, prefixes: str) -> bool:
    return text[:1] in prefixes and text.isalnum() and text.upper() == text and len(text) >= 2


def _admin_entry(entry: str) -> bool:
    """`U…`/`W…` (an admin in every workspace the bot serves) or `T…:U…` (in that workspace only)."""
    team, colon, user = entry.partition(":")
    if colon:
        return _slack_id(team, "TE") and _slack_id(user, "UW")
    return _slack_id(entry, "UW")


def available_cores() -> int:
    """WEB_CONCURRENCY's default: one gunicorn worker per core this process may run on.

    Each worker is a process with its own GIL, and lookups are answered from memory: one worker per
    core is what lets them use every core. The affinity mask counts where there is one (`taskset`,
    a container's cpuset).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WEB_CONCURRENCY))


def _default_content_dir() -> Path:
    """`content` in the working folder, as in a checkout; an installed bot run from a folder without
    one reads the role documents it ships with."""
    local = Path("content")
    return local if local.is_dir() else ROLE_DOCUMENTS_DIR


def _int_setting(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}.")
    return value


def _float_setting(raw: str | None, name: str, default: float, low: float, high: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}.") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, got {raw}.")
    return value
