"""Each workspace's bot token, refreshed under a lock when token rotation is on.

With token rotation a bot token lives 12 hours and is renewed through `oauth.v2.access`
(grant_type=refresh_token); Slack then invalidates the refresh token that was used. Bolt's
`InstallationStoreAuthorize` and slack_sdk's `TokenRotator` read, refresh and save without a lock, so
two replicas (or a request and the scheduler in one process) can both refresh: the second call spends
a refresh token that is already dead, and its request fails. Here read → refresh → save runs per
installation under a lock that also holds across processes: `pg_advisory_xact_lock` on PostgreSQL,
`BEGIN IMMEDIATE` on SQLite (one process's connection pool cannot serialise two processes). After
taking the lock the row is read again, so whoever waited uses the token the first one saved, without
calling Slack.

The OAuth parts are slack_sdk's: the store's own tables and entity builders, `TokenRotator`, `Bot`.
Inside the lock every read and write goes through the locked connection; on SQLite, the store's own
methods would open a second connection and wait for the lock this one holds.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from slack_bolt.authorization.authorize import Authorize
from slack_bolt.authorization.authorize_result import AuthorizeResult
from slack_bolt.context.context import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Connection, Engine, and_, desc, select, text

log = logging.getLogger(__name__)

# slack_sdk logs request and response bodies at DEBUG; for oauth.v2.access those hold the client
# secret, the refresh token and the new token. The refreshing client logs through this logger, whose
# own level keeps DEBUG out whatever the root logger's level.
_OAUTH_CLIENT_LOG = logging.getLogger(__name__ + ".oauth_client")
_OAUTH_CLIENT_LOG.setLevel(logging.INFO)

# Advisory locks here are two int4 keys: this class (ASCII "SLKR") and a hash of the installation. The
# two-key space does not overlap the one-key lock that migrations take.
_LOCK_CLASS = 0x534C4B52


class TokenRefreshFailed(RuntimeError):
    """A workspace's bot token has expired and could not be refreshed."""

    def __init__(self, team_id: str | None, enterprise_id: str | None, reason: str):
        super().__init__(
            f"the bot token of workspace {team_id} (enterprise {enterprise_id}) has expired and could not be refreshed: {reason}"
        )
        self.team_id = team_id
        self.enterprise_id = enterprise_id
        self.reason = reason


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Installations:
    """The bot token of every installed workspace, for requests (`authorize`) and for the scheduler
    (`bot_token`), refreshed once across replicas when it nears expiry."""

    def __init__(
        self,
        engine: Engine,
        installation_store: SQLAlchemyInstallationStore,
        client_id: str,
        client_secret: str,
        api_url: str,
        refresh_before: timedelta = timedelta(minutes=120),
        clock: Callable[[], datetime] = _utc_now,
        timeout_seconds: float = 10.0,
        lock_timeout_seconds: float = 30.0,
    ):
        """`refresh_before`: a token with less than this left is refreshed (Bolt's default is 120
        minutes). `timeout_seconds` bounds the oauth.v2.access call, made while holding the lock;
        `lock_timeout_seconds` bounds the wait for another process's refresh (on SQLite the engine's
        busy timeout bounds it)."""
        self.engine = engine
        self.store = installation_store
        self.refresh_before = refresh_before
        self.clock = clock
        self.lock_timeout_seconds = lock_timeout_seconds
        client = WebClient(base_url=_with_slash(api_url), timeout=timeout_seconds, logger=_OAUTH_CLIENT_LOG)  # type: ignore[arg-type]
        self._rotator = TokenRotator(client_id=client_id, client_secret=client_secret, client=client)
        self.authorize = InstallationsAuthorize(self)

    # ------------------------------------------------------------------ lookups

    def bot(self, team_id: str | None, enterprise_id: str | None = None, is_enterprise_install: bool = False) -> Bot | None:
        """The workspace's stored bot (token, ids, scopes), refreshed first if rotation is on and it
        expires soon; None if the app is not installed there. Raises TokenRefreshFailed when the token
        has expired and Slack would not renew it."""
        if is_enterprise_install:
            team_id = None  # an org-wide installation is stored without a team, as the SDK's store does
        with self.engine.connect() as connection:
            bot = self._latest_bot(connection, team_id, enterprise_id)
        if bot is None or not self._expiring(bot):
            return bot
        return self._refresh(team_id, enterprise_id)

    def bot_token(self, team_id: str | None, enterprise_id: str | None = None, is_enterprise_install: bool = False) -> str | None:
        """The live bot token for the workspace, or None if the app is not installed there. What the
        scheduler calls for each drill's team; raises TokenRefreshFailed like `bot`."""
        bot = self.bot(team_id, enterprise_id, is_enterprise_install)
        return bot.bot_token if bot is not None else None

    def delete(self, team_id: str | None, enterprise_id: str | None = None, is_enterprise_install: bool = False) -> None:
        """Forget the workspace's bots and installations (app_uninstalled, tokens_revoked). Under the
        same lock, so it waits for a refresh in flight; a refresh only updates existing rows, so none
        can bring a deleted token back."""
        if is_enterprise_install:
            team_id = None
        with self._locked(team_id, enterprise_id) as connection:
            for table in (self.store.bots, self.store.installations):
                connection.execute(table.delete().where(self._same_installation(table, team_id, enterprise_id)))
            connection.commit()
        log.info("installation removed: team %s (enterprise %s)", team_id, enterprise_id)

    # ------------------------------------------------------------------ the locked refresh

    def _refresh(self, team_id: str | None, enterprise_id: str | None) -> Bot | None:
        with self._locked(team_id, enterprise_id) as connection:
            bot = self._latest_bot(connection, team_id, enterprise_id)
            if bot is None:
                log.info("bot token of team %s (enterprise %s): uninstalled while waiting for the refresh lock", team_id, enterprise_id)
                return None
            if not self._expiring(bot):
                log.info("bot token of team %s (enterprise %s): already refreshed by another process", team_id, enterprise_id)
                return bot
            refreshed = self._call_slack(bot)
            if refreshed is None:
                if self._expired(bot):
                    raise TokenRefreshFailed(team_id, enterprise_id, "see the error logged above")
                return bot  # still valid for a while; the next lookup tries again
            self._save(connection, bot, refreshed)
            connection.commit()
        log.info(
            "bot token of team %s (enterprise %s): refreshed, expires at %s", team_id, enterprise_id, _iso(refreshed.bot_token_expires_at)
        )
        return refreshed

    def _call_slack(self, bot: Bot) -> Bot | None:
        """oauth.v2.access with the refresh token, through the SDK's rotator. The decision was taken
        with our clock; the rotator's own check (on the wall clock) is told to agree."""
        assert bot.bot_token_expires_at is not None
        seconds_left = bot.bot_token_expires_at - datetime.now(timezone.utc).timestamp()
        minutes = max(0, math.ceil(seconds_left / 60)) + 1
        try:
            refreshed = self._rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=minutes)
        except SlackTokenRotationError as err:
            # The error's text holds the whole response; only Slack's error code is logged.
            log.error(
                "bot token of team %s (enterprise %s): oauth.v2.access refused the refresh: %s",
                bot.team_id,
                bot.enterprise_id,
                err.api_error.response.get("error"),
            )
            return None
        except (SlackClientError, OSError) as err:
            log.error(
                "bot token of team %s (enterprise %s): oauth.v2.access could not be reached: %s",
                bot.team_id,
                bot.enterprise_id,
                type(err).__name__,
            )
            return None
        if refreshed is None:
            log.error("bot token of team %s (enterprise %s): oauth.v2.access answered without a bot token", bot.team_id, bot.enterprise_id)
        return refreshed

    def _save(self, connection: Connection, old: Bot, new: Bot) -> None:
        """What the SDK's store.save would write for the new token, on the locked connection: the
        bot row the token was read from, and the installation rows that carry the same token (Bolt's
        own authorize reads those)."""
        values = {
            "bot_token": new.bot_token,
            "bot_refresh_token": new.bot_refresh_token,
            "bot_token_expires_at": normalize_datetime_for_db(new.to_dict()["bot_token_expires_at"]),
        }
        bots, installations = self.store.bots, self.store.installations
        connection.execute(
            bots.update()
            .where(and_(self._same_installation(bots, old.team_id, old.enterprise_id), bots.c.bot_token == old.bot_token))
            .values(**values)
        )
        connection.execute(
            installations.update()
            .where(and_(self._same_installation(installations, old.team_id, old.enterprise_id), installations.c.bot_token == old.bot_token))
            .values(**values)
        )

    # ------------------------------------------------------------------ helpers

    def _expiring(self, bot: Bot) -> bool:
        if bot.bot_refresh_token is None or bot.bot_token_expires_at is None:
            return False  # rotation is off for this installation: the token does not expire
        return bot.bot_token_expires_at <= (self.clock() + self.refresh_before).timestamp()

    def _expired(self, bot: Bot) -> bool:
        return bot.bot_token_expires_at is not None and bot.bot_token_expires_at <= self.clock().timestamp()

    def _same_installation(self, table, team_id: str | None, enterprise_id: str | None):
        """A workspace's rows. A team id is unique across Slack, so a lookup that knows only the
        team (the scheduler: a drill records its team) finds a workspace of an Enterprise Grid
        organisation too; an org-wide installation (no team) is found by its enterprise."""
        c = table.c
        if team_id is not None and enterprise_id is None:
            return and_(c.client_id == self.store.client_id, c.team_id == team_id)
        return and_(c.client_id == self.store.client_id, c.enterprise_id == enterprise_id, c.team_id == team_id)

    def _latest_bot(self, connection: Connection, team_id: str | None, enterprise_id: str | None) -> Bot | None:
        """The row the store's find_bot returns, read on the given connection."""
        bots = self.store.bots
        query = (
            select(bots)
            .where(and_(self._same_installation(bots, team_id, enterprise_id), bots.c.bot_token.is_not(None)))
            .order_by(desc(bots.c.installed_at))
            .limit(1)
        )
        row = connection.execute(query).mappings().first()
        return self.store.build_bot_entity(row) if row is not None else None

    def _locked(self, team_id: str | None, enterprise_id: str | None) -> _InstallationLock:
        # Keyed by the team alone when there is one: a request (which knows the enterprise) and the
        # scheduler (which may not) must take the same lock for the same workspace.
        key = _lock_key(self.store.client_id, None if team_id is not None else enterprise_id, team_id)
        return _InstallationLock(self.engine, key, self.lock_timeout_seconds)


class _InstallationLock:
    """A connection inside a transaction that holds the installation's lock until it ends."""

    def __init__(self, engine: Engine, key: int, timeout_seconds: float):
        self.engine, self.key, self.timeout_seconds = engine, key, timeout_seconds
        self.connection: Connection | None = None

    def __enter__(self) -> Connection:
        connection = self.engine.connect()
        try:
            if self.engine.dialect.name == "sqlite":
                # The write lock of the whole file, taken now rather than at the first write, so the
                # re-read below already sees whatever the process before us saved.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            elif self.engine.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT set_config('lock_timeout', :timeout, true)"), {"timeout": f"{int(self.timeout_seconds * 1000)}ms"}
                )
                connection.execute(text("SELECT pg_advisory_xact_lock(:lock_class, :key)"), {"lock_class": _LOCK_CLASS, "key": self.key})
            else:
                raise NotImplementedError(f"no cross-process lock for {self.engine.dialect.name}")
        except BaseException:
            connection.close()
            raise
        self.connection = connection
        return connection

    def __exit__(self, *exc) -> None:
        assert self.connection is not None
        try:
            self.connection.rollback()  # a no-op after commit; releases the lock on every other way out
        finally:
            self.connection.close()


class InstallationsAuthorize(Authorize):
    """Bolt's authorize step on top of `Installations`: every request's context and client carry the
    workspace's (refreshed) bot token. The bot and its user id come from the store, so no auth.test
    is made per request. Pass it to `App(authorize=...)`; being an `Authorize` (not a plain
    function), Bolt accepts it beside `oauth_flow=` or `oauth_settings=`."""

    def __init__(self, installations: Installations):
        super().__init__()
        self.installations = installations

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        try:
            bot = self.installations.bot(team_id, enterprise_id, bool(context.is_enterprise_install))
        except TokenRefreshFailed as err:
            log.error("request from team %s not authorized: %s", team_id, err.reason)
            return None
        if bot is None:
            log.info("request from team %s (enterprise %s): the app is not installed there", team_id, enterprise_id)
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            team=bot.team_name,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )


def _lock_key(client_id: str, enterprise_id: str | None, team_id: str | None) -> int:
    """A stable signed int4 per installation (Python's hash() differs between processes)."""
    digest = hashlib.blake2b(f"{client_id}:{enterprise_id or ''}:{team_id or ''}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _iso(timestamp: int | None) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat() if timestamp is not None else "never"
