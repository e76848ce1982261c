"""The Bolt app factory."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.client import make_web_client
from bot.slack.listeners import register_listeners

log = logging.getLogger(__name__)


def create_app(services, client: WebClient | None = None) -> App:
    settings = services.settings
    app = App(
        client=client or make_web_client(settings),
        signing_secret=settings.signing_secret or "",
        # Lookups are answered from memory inside the ack itself: no 10 ms polling of a
        # background thread, and the reply rides on the HTTP response Slack is waiting for.
        process_before_response=True,
        # auth.test at start-up tells us our own bot user, so we can ignore our own messages.
        token_verification_enabled=bool(settings.bot_token),
    )
    register_listeners(app, services)
    return app
