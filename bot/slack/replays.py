"""A signed slash command or button press served once is not served again.

Slack signs each request once: the same signature a second time is the request captured and sent
again (a replay), which gets an empty 200 and does nothing. Left out: events (Slack signs each
delivery of an event anew, and a delivery already recorded is known by its event id), Socket Mode
(no signature: its requests come over the app's own connection), and lookups answered from memory,
which change nothing and would otherwise each wait on a database write before their ack."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import BoltRequest, BoltResponse

log = logging.getLogger(__name__)

_EVENTS = frozenset({"event_callback", "url_verification", "app_rate_limited"})
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")

# first_delivery(signature, request timestamp): False when that signed request was served already.
FirstDelivery = Callable[[str, int], bool]


def refuse_replays(first_delivery: FirstDelivery, answers_from_memory: Callable[[str], bool]) -> Callable[..., BoltResponse]:
    """A Bolt global middleware; `answers_from_memory(text)` says which slash commands are lookups."""

    def refuse_replay(req: BoltRequest, body: Mapping[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:  # noqa: A002 - Bolt's name
        signature = _header(req, "x-slack-signature")
        timestamp = _header(req, "x-slack-request-timestamp")
        if (
            not _SIGNATURE.fullmatch(signature)
            or not _TIMESTAMP.fullmatch(timestamp)
            or body.get("type") in _EVENTS
            or ("command" in body and answers_from_memory(str(body.get("text") or "")))
        ):
            return next()
        if not first_delivery(signature, int(timestamp)):
            log.info("ignored a signed request served already (a replay)")
            return BoltResponse(status=200, body="")
        return next()

    return refuse_replay


def _header(req: BoltRequest, name: str) -> str:
    values = req.headers.get(name) or [""]
    return str(values[0] or "")
