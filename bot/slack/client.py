"""The Web API client: every call goes through SLACK_API_URL, with slack_sdk's retry handlers."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler

from bot.config import Settings

try:  # slack_sdk >= 3.26
    from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
except ImportError:  # pragma: no cover
    ServerErrorRetryHandler = None  # type: ignore[assignment,misc]


def retry_handlers() -> list[RetryHandler]:
    handlers: list[RetryHandler] = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        # Honours Retry-After on 429 (chat.postMessage allows about one message per second per channel).
        RateLimitErrorRetryHandler(max_retry_count=3),
    ]
    if ServerErrorRetryHandler is not None:
        handlers.append(ServerErrorRetryHandler(max_retry_count=2))
    return handlers


def make_web_client(settings: Settings) -> WebClient:
    """For reads and for calls that are safe to repeat."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=int(max(1, settings.slack_timeout_seconds)),
        retry_handlers=retry_handlers(),
    )


def make_posting_client(settings: Settings) -> WebClient:
    """For drill posts, which must not be repeated blindly.

    A 429 means Slack did not post, so it is retried after Retry-After. A timeout, a dropped
    connection or a 5xx may have posted: those are not retried here; the drill looks for its own
    message (by metadata) on the next tick before trying again."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=int(max(1, settings.slack_timeout_seconds)),
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
