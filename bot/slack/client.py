"""The Web API clients: every call goes through SLACK_API_URL, with slack_sdk's retry handlers."""

from __future__ import annotations

import logging

from typing import Optional

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.config import Settings


class BoundedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Waits out a 429's Retry-After only when it is short. A drill's claim has a lease: a process
    that slept through a long Retry-After could wake after another process took the drill over and
    posted, and post it again. A longer wait is left to the drill, which records when to try next."""

    def __init__(self, max_wait_seconds: float, max_retry_count: int = 1):
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_seconds = max_wait_seconds

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: Optional[HttpResponse] = None, error: Optional[Exception] = None) -> bool:
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


def make_web_client(settings: Settings) -> WebClient:
    """For reads and for calls that are safe to repeat."""
    keep_message_text_out_of_logs()
    return WebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_seconds,  # type: ignore[arg-type] - urllib takes float seconds
        retry_handlers=retry_handlers(settings),
    )


def make_claim_client(settings: Settings) -> WebClient:
    """For every call made while a drill is claimed (looking for an earlier message, posting), which
    must end inside the claim's lease and must not be repeated blindly.

    A 429 means Slack did not post, so it is retried after a short Retry-After. A timeout, a dropped
    connection or a 5xx may have posted: those are not retried here; the drill looks for its own
    message (by metadata) on the next tick before trying again."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_seconds,  # type: ignore[arg-type]
        retry_handlers=[BoundedRateLimitRetryHandler(max_rate_limit_wait(settings), max_retry_count=1)],
    )
