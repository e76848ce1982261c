"""What every modal's listener does the same way with Slack's views API."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def update_view(client: WebClient, view_id: Any, view: dict, view_hash: Any = None, *, what: str) -> None:
    """`views.update` of an open modal (`what` names it in the log), guarded by its hash when given,
    so that a view the member changed meanwhile is not overwritten. A failure is logged, not raised:
    the member still has the modal they see."""
    if not view_id:
        log.warning("no view id to update the %s with", what)
        return
    try:
        if view_hash:
            client.views_update(view_id=view_id, hash=view_hash, view=view)
        else:
            client.views_update(view_id=view_id, view=view)
    except SlackApiError as err:
        log.warning("views.update of the %s failed (%s)", what, (err.response or {}).get("error"))
