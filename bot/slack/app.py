"""The Bolt app factory."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.commands.router import CommandRouter
from bot.config import Settings
from bot.slack.home import HomeParts
from bot.slack.listeners import register_listeners
from bot.slack.listeners.schedule_modal import ScheduleEditor
from bot.usecases.replies import Replies

log = logging.getLogger(__name__)


def create_app(settings: Settings, client: WebClient, router: CommandRouter, replies: Replies, schedule_editor: ScheduleEditor | None = None, home: HomeParts | None = None, listener_executor: Executor | None = None) -> App:
    """`listener_executor` runs the lazy listeners (Bolt's default: a pool of 5 threads); tests
    pass one they can wait on."""
    app = App(
        listener_executor=listener_executor,
        client=client,
        signing_secret=settings.signing_secret or "",
        # Lookups are answered from memory inside the ack itself; anything that waits on the
        # database or the Web API acks first and answers from a lazy listener (see listeners/).
        process_before_response=True,
        # auth.test at start-up tells us our own bot user, so we can ignore our own messages.
        token_verification_enabled=bool(settings.bot_token),
    )
    register_listeners(app, router, replies, schedule_editor=schedule_editor, home=home)

    @app.error
    def reject(error: Exception, body: dict, response: BoltResponse) -> BoltResponse:
        # A signed but malformed payload (or a bug) gets a clean 400: the traceback goes to our log,
        # never to the person on the other end.
        log.error("could not handle a %s request: %s", (body or {}).get("type", "?"), type(error).__name__, exc_info=error)
        return BoltResponse(status=400, body="")

    return app
