"""OAuth mode: installing the app in many workspaces, with Bolt's OAuthFlow and slack_sdk's stores.

Everything is Bolt's and slack_sdk's (the flow, the state cookie and state check, the authorize URL,
oauth.v2.access, the SQLAlchemy installation and state stores on the bot's own database); this
module only chooses every setting explicitly, so that Bolt reads nothing from the environment and
never falls back to its file stores in $HOME, and supplies our own Japanese pages.

Tokens: slack_sdk logs request and response bodies at DEBUG (oauth.v2.access's answer holds the
bot token and the refresh token; its request, the client secret). The flow, its Web API client and
its stores log through loggers of their own under `bot.slack.oauth`, which drop records below INFO
whatever level anyone sets, and blank anything shaped like a Slack token in what they keep.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.error import BoltError
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import OAuthStateUtils
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.config import INSTALL_PATH, REDIRECT_URI_PATH, Settings
from bot.slack.client import BoundedRateLimitRetryHandler
from bot.views.oauth_pages import busy_page, failure_page, install_page, success_page

AUTHORIZATION_URL = "https://slack.com/oauth/v2/authorize"
TOKEN_ROTATION_EXPIRATION_MINUTES = 120  # Bolt's default: refresh a token 2 hours before it expires
LOGGER_NAME = "bot.slack.oauth"
# A page waits on oauth.v2.access: a 429 is waited out only when short. A timeout or a 5xx is not
# retried, since the first try may have used the code (it is good once) and a retry would fail.
MAX_RATE_LIMIT_WAIT_SECONDS = 5.0

# Every opening of the install page stores a state row until it is used or expires, and anyone
# may open it: each process issues at most this many a minute, so that the table holds at most
# processes × STATES_PER_MINUTE × the expiry in minutes however many requests arrive. Installs are
# rare (a workspace at a time); an opening past the budget gets a page saying to come back shortly.
STATES_PER_MINUTE = 30

log = logging.getLogger(LOGGER_NAME)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class StateBudget:
    """At most `limit` install links (states) issued by this process in any `window`."""

    def __init__(self, limit: int, window: timedelta = timedelta(minutes=1), clock: Callable[[], datetime] = _utc_now) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._issued: deque[datetime] = deque()
        self._lock = threading.Lock()
        self._refusing = False

    def take(self) -> float | None:
        """None when a state may be issued now (and counts it); else the seconds until one may."""
        now = self.clock()
        with self._lock:
            while self._issued and self._issued[0] <= now - self.window:
                self._issued.popleft()
            if len(self._issued) < self.limit:
                self._issued.append(now)
                self._refusing = False
                return None
            first_refusal, self._refusing = not self._refusing, True
            wait = (self._issued[0] + self.window - now).total_seconds()
        if first_refusal:  # once per busy spell, not once per request of a flood
            log.warning(
                "install page: %d links issued in the last %ds; asking openers to come back shortly",
                self.limit,
                self.window.total_seconds(),
            )
        return wait


_TOKEN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+")


class NoSecrets(logging.Filter):
    """Drops records below INFO (slack_sdk's request and response bodies) and blanks token-shaped
    strings in the rest. A logger's filter holds whatever level the logger is set to."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:
            return False
        message = record.getMessage()
        blanked = _TOKEN.sub("xox…(redacted)", message)
        if blanked != message:
            record.msg, record.args = blanked, None
        return True


def quiet_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    if not any(isinstance(f, NoSecrets) for f in logger.filters):
        logger.addFilter(NoSecrets())
    # slack_sdk checks the level itself before it formats a body; the filter is what guarantees it.
    logger.setLevel(logging.INFO)
    return logger


class InstallClient(WebClient):
    """The flow's Web API client. Bolt's flow turns any refused oauth.v2.access (or the auth.test
    after it) into the reason "invalid_code" and keeps Slack's error only in a log line; this
    client remembers, per thread, which method Slack refused last and with which error, so the
    failure page can name it."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._last = threading.local()

    def api_call(self, api_method: str, **kwargs):
        self._last.refusal = None
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            self._last.refusal = f"{api_method}: {exc.response.get('error') or 'unknown_error'}"
            raise

    def last_refusal(self) -> str | None:
        """ "oauth.v2.access: invalid_code", say, if this thread's last call was refused."""
        return getattr(self._last, "refusal", None)

    def forget_refusal(self) -> None:
        self._last.refusal = None


TEAM_ID = re.compile(r"T[A-Z0-9]{1,31}")


class InstallFlow(OAuthFlow):
    """Bolt's OAuthFlow with our install page, and a database failure while saving reported as
    Bolt's storage_error (a page that says so) rather than an exception whose text would carry the
    installation's values."""

    def __init__(self, *, budget: StateBudget | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.budget = budget or StateBudget(STATES_PER_MINUTE)

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return install_page(url)

    def handle_installation(self, request: BoltRequest) -> BoltResponse:
        wait = self.budget.take()
        if wait is None:
            return super().handle_installation(request)
        return BoltResponse(
            status=429,
            body=busy_page(),
            headers={"Content-Type": "text/html; charset=utf-8", "Retry-After": str(max(1, math.ceil(wait)))},
        )

    def issue_new_state(self, request: BoltRequest) -> str:
        # The store deletes a state only when it is used: an install page opened and left would
        # stay for ever. Expired ones go as each new one is issued, so the table holds no more than
        # one expiry period's worth of openings.
        store = self.settings.state_store
        if isinstance(store, SQLAlchemyOAuthStateStore):
            expired = store.oauth_states.c.expire_at < datetime.now(timezone.utc).replace(tzinfo=None)
            with store.engine.begin() as connection:
                connection.execute(store.oauth_states.delete().where(expired))
        return super().issue_new_state(request)

    def build_authorize_url(self, state: str, request: BoltRequest) -> str:
        # `?team=T…` preselects a workspace on Slack's page. The SDK pastes it into the URL as it
        # came, so anything but a team id (e.g. `T1&user_scope=…`) would ask Slack for more.
        team = (request.query.get("team") or [""])[0]
        return self.settings.authorize_url_generator.generate(state=state, team=team if team and TEAM_ID.fullmatch(team) else None)

    def handle_callback(self, request: BoltRequest) -> BoltResponse:
        # A worker thread serves one request after another: no refusal from an earlier one.
        if isinstance(self.client, InstallClient):
            self.client.forget_refusal()
        return super().handle_callback(request)

    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        try:
            super().store_installation(request, installation)
        except SQLAlchemyError as exc:
            raise BoltError(f"the installation could not be saved ({type(exc).__name__})") from None


@dataclass(frozen=True)
class OAuthParts:
    """What OAuth mode adds to the bot: give `flow` to slack_bolt.App (oauth_flow=flow,
    oauth_settings=flow.settings); the scheduler finds each team's token in `installation_store`."""

    flow: InstallFlow
    installation_store: SQLAlchemyInstallationStore
    state_store: SQLAlchemyOAuthStateStore
    client: InstallClient


def build_oauth_flow(
    settings: Settings, engine: Engine, on_installed: Callable[[Installation], None], clock: Callable[[], datetime] = _utc_now
) -> OAuthParts:
    """Bolt's install flow on the bot's database, with every setting taken from `settings`.

    `on_installed(installation)` runs after an installation is saved, before the success page; if
    it raises, the member sees that the install could not be completed and can start again.
    `clock` times the budget of install links (see STATES_PER_MINUTE)."""
    settings.require_oauth()
    assert settings.client_id and settings.client_secret  # for the type checker: require_oauth checked
    logger = quiet_logger(LOGGER_NAME)
    client = InstallClient(
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_seconds,  # urllib takes float seconds
        retry_handlers=[BoundedRateLimitRetryHandler(MAX_RATE_LIMIT_WAIT_SECONDS, max_retry_count=1)],
        logger=quiet_logger(f"{LOGGER_NAME}.web_api"),
    )
    installation_store = SQLAlchemyInstallationStore(
        client_id=settings.client_id, engine=engine, logger=quiet_logger(f"{LOGGER_NAME}.installation_store")
    )
    state_store = SQLAlchemyOAuthStateStore(
        expiration_seconds=settings.state_expiration_seconds, engine=engine, logger=quiet_logger(f"{LOGGER_NAME}.state_store")
    )
    pages = _Pages(on_installed, client)
    oauth_settings = OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(settings.scopes),
        user_scopes=[],
        # With None, Bolt falls back to SLACK_REDIRECT_URI from the environment, which is where
        # bot/config.py read it from: the two agree. None lets Slack use the app's only redirect URL.
        redirect_uri=settings.redirect_uri,
        install_path=INSTALL_PATH,
        install_page_rendering_enabled=True,
        redirect_uri_path=REDIRECT_URI_PATH,
        callback_options=CallbackOptions(success=pages.success, failure=pages.failure),
        success_url=None,
        failure_url=None,
        authorization_url=AUTHORIZATION_URL,
        installation_store=installation_store,
        installation_store_bot_only=False,
        token_rotation_expiration_minutes=TOKEN_ROTATION_EXPIRATION_MINUTES,
        user_token_resolution="authed_user",
        state_validation_enabled=True,
        state_store=state_store,
        state_cookie_name=OAuthStateUtils.default_cookie_name,
        state_expiration_seconds=settings.state_expiration_seconds,
        logger=logger,
    )
    # OAuthSettings' own authorize would refresh rotated tokens with a WebClient of its own, at
    # slack.com rather than SLACK_API_URL.
    oauth_settings.authorize = InstallationStoreAuthorize(
        logger=logger,
        installation_store=installation_store,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        token_rotation_expiration_minutes=TOKEN_ROTATION_EXPIRATION_MINUTES,
        bot_only=False,
        client=client,
        user_token_resolution="authed_user",
    )
    flow = InstallFlow(client=client, logger=logger, settings=oauth_settings, budget=StateBudget(STATES_PER_MINUTE, clock=clock))
    return OAuthParts(flow=flow, installation_store=installation_store, state_store=state_store, client=client)


class _Pages:
    """Bolt's success and failure callbacks, answering with our Japanese pages."""

    def __init__(self, on_installed: Callable[[Installation], None], client: InstallClient) -> None:
        self._on_installed = on_installed
        self._client = client

    def success(self, args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        try:
            self._on_installed(installation)
        except Exception as exc:  # noqa: BLE001 - the member must hear that it did not complete
            # The type only: a database error's text carries the values of its statement.
            log.error(
                "installed in workspace %s, but the follow-up after the install failed (%s)", installation.team_id, type(exc).__name__
            )
            return _page(500, failure_page("server_error"), args.settings)
        log.info("installed in workspace %s (enterprise %s)", installation.team_id, installation.enterprise_id)
        return _page(200, success_page(installation.team_name or installation.enterprise_name, installation.team_id), args.settings)

    def failure(self, args: FailureArgs) -> BoltResponse:
        refusal = self._client.last_refusal() if args.reason == "invalid_code" else None
        detail = f" ({refusal})" if refusal else f" ({type(args.error).__name__})" if args.error else ""
        log.info("an install did not complete: %r%s", args.reason[:60], detail)
        return _page(args.suggested_status_code, failure_page(args.reason, refusal), args.settings)


def _page(status: int, html: str, settings: OAuthSettings) -> BoltResponse:
    # The state cookie has done its work either way (Bolt's own pages clear it too).
    return BoltResponse(
        status=status,
        body=html,
        headers={"Content-Type": "text/html; charset=utf-8", "Set-Cookie": settings.state_utils.build_set_cookie_for_deletion()},
    )
