"""The Web API clients: every call goes through SLACK_API_URL, with slack_sdk's retry handlers."""

from __future__ import annotations

import copy
import logging
import re
import threading
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.config import Settings
from bot.ports import NotInstalled


class BoundedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Waits out a 429's Retry-After only when it is short. A drill's claim has a lease: a process
    that slept through a long Retry-After could wake after another process took the drill over and
    posted, and post it again. A longer wait is left to the drill, which records when to try next."""

    def __init__(self, max_wait_seconds: float, max_retry_count: int = 1):
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_seconds = max_wait_seconds

    def _can_retry(
        self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None, error: Exception | None = None
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        assert response is not None
        for name, values in response.headers.items():
            if name.lower() == "retry-after":
                try:
                    # slack_sdk sleeps Retry-After plus up to one second of jitter.
                    return int(values[0]) + 1 <= self.max_wait_seconds
                except (ValueError, IndexError, TypeError):
                    return False
        return True


def max_rate_limit_wait(settings: Settings) -> float:
    """The longest Retry-After a call inside a claim may sleep through. A claimed step makes at most
    a lookup and a post (both with the claim client: one retry, after a 429 only), so it lasts at
    most 4 × timeout + 2 × this; with the lease at least 6 × the timeout, that ends inside it."""
    return max(1.0, settings.drill_lease_seconds / 8)


def retry_handlers(settings: Settings) -> list[RetryHandler]:
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        # chat.postMessage allows about one message per second per channel.
        BoundedRateLimitRetryHandler(max_rate_limit_wait(settings), max_retry_count=1),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


# slack_sdk logs request and response bodies at DEBUG, and Bolt logs what it received: members'
# messages would reach the logs. Below INFO they are never logged, whatever the root level.
QUIET_LOGGERS = ("slack_sdk", "slack_bolt")


def keep_message_text_out_of_logs() -> None:
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


# Where Bolt's lines quote a request: "… body: {…}", "Request body: {…}", "… for the request ({…})",
# "Unhandled request ({…})".
_BODY = re.compile(r"\bbody\b|\brequest \(", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


class WithoutBodies(logging.Filter):
    """For Bolt's loggers: nothing below INFO (a response's body, the event a bot sent itself), and
    no request body in any line. Bolt puts the whole body into some lines (a middleware that answered
    nothing, a failed signature check, a request no listener took); the line stays, cut where the
    request begins, with no control character left to start a forged line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:
            return False
        message = record.getMessage()
        found = _BODY.search(message)
        cleaned = _CONTROL.sub(" ", message[: found.start()] + "(request withheld)" if found else message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def bolt_logger() -> logging.Logger:
    """The logger given to Bolt's App: Bolt copies its level and filters into the logger of every
    part it builds (its middleware, listener runner and matchers), which would otherwise take the
    root logger's level, DEBUG in a debugging run."""
    logger = logging.getLogger("slack_bolt.App")
    if logger.getEffectiveLevel() < logging.INFO:
        logger.setLevel(logging.INFO)
    if not any(isinstance(f, WithoutBodies) for f in logger.filters):
        logger.addFilter(WithoutBodies())
    return logger


def make_web_client(settings: Settings, token: str | None = None) -> WebClient:
    """For reads and for calls that are safe to repeat; with the bot token of SLACK_BOT_TOKEN, or
    `token` (an installation's)."""
    keep_message_text_out_of_logs()
    return WebClient(
        token=token or settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_seconds,  # type: ignore[arg-type]  # urllib takes float seconds
        retry_handlers=retry_handlers(settings),
    )


def make_claim_client(settings: Settings, token: str | None = None) -> WebClient:
    """For every call made while a drill is claimed (looking for an earlier message, posting), which
    must end inside the claim's lease and must not be repeated blindly.

    A 429 means Slack did not post, so it is retried after a short Retry-After. A timeout, a dropped
    connection or a 5xx may have posted: those are not retried here; the drill looks for its own
    message (by metadata) on the next tick before trying again."""
    return WebClient(
        token=token or settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_seconds,  # type: ignore[arg-type]
        retry_handlers=[BoundedRateLimitRetryHandler(max_rate_limit_wait(settings), max_retry_count=1)],
    )


def at_once(client: WebClient) -> WebClient:
    """The same client without retry handlers, for a call made with a trigger_id (views.open): the
    trigger expires 3 s after the click, so a 429's Retry-After or a retry's back-off would be
    slept through past it, and the retried call would fail anyway. The caller answers at once."""
    clone = copy.copy(client)
    clone.retry_handlers = []
    return clone


# A workspace's client, by team id.
ClientFor = Callable[[str], WebClient]


class TeamClients:
    """Each workspace's two clients (`reader`, `poster`: see above), by team id.

    With SLACK_BOT_TOKEN (one workspace) every team id gets the same two clients. With OAuth
    installs, `bot_token(team_id)` gives the workspace's live bot token (refreshed under a lock when
    tokens rotate; see bot.slack.installations) or None when the workspace has no installation, and
    the call raises NotInstalled. Clients are kept per token, so a rotated token gets new ones."""

    MAX_CLIENTS = 512

    def __init__(self, settings: Settings, bot_token: Callable[[str], str | None] | None = None):
        self.settings = settings
        self.bot_token = bot_token
        self._single = (make_web_client(settings), make_claim_client(settings)) if bot_token is None else None
        self._clients: dict[str, tuple[WebClient, WebClient]] = {}
        self._lock = threading.Lock()

    def reader(self, team_id: str) -> WebClient:
        return self.pair(team_id)[0]

    def poster(self, team_id: str) -> WebClient:
        return self.pair(team_id)[1]

    def pair(self, team_id: str) -> tuple[WebClient, WebClient]:
        """(reader, poster) with one token lookup: what a chat port for the workspace needs."""
        if self._single is not None:
            return self._single
        assert self.bot_token is not None
        token = self.bot_token(team_id)
        if not token:
            raise NotInstalled(team_id)
        with self._lock:
            pair = self._clients.get(token)
            if pair is None:
                if len(self._clients) >= self.MAX_CLIENTS:
                    self._clients.clear()  # old tokens of rotated or removed installations
                pair = self._clients[token] = (make_web_client(self.settings, token), make_claim_client(self.settings, token))
        return pair


def per_team(client: WebClient | ClientFor | None) -> ClientFor | None:
    """One client for every workspace (a single-workspace deployment, a test), or already per team."""
    if client is None or callable(client):  # a WebClient is not callable; a lookup by team is
        return client
    return lambda team_id: client
