"""The Bolt app factory."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, cast

from slack_bolt import App, BoltResponse
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient

from bot.commands.router import CommandRouter
from bot.config import Settings
from bot.slack.client import bolt_logger
from bot.slack.home_publisher import HomeParts
from bot.slack.listeners import register_listeners
from bot.slack.listeners import workspaces as workspace_listeners
from bot.slack.listeners.schedule_modal import ScheduleModal
from bot.slack.listeners.workspaces import Removed
from bot.slack.payloads import refuse_malformed_ids
from bot.slack.replays import FirstDelivery, refuse_replays
from bot.slack.teams import TeamOf
from bot.usecases.replies import Replies

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bot.slack.listeners.direct_messages import DirectMessages
    from bot.slack.listeners.question_import import QuestionImport
    from bot.slack.listeners.team_questions import QuestionModal
    from bot.slack.oauth import OAuthParts

# What a member sees when a request comes from a workspace without an installation.
NOT_INSTALLED = "⚠️ このワークスペースにはアプリがインストールされていません。インストールし直してから、もう一度お試しください。"


def create_app(
    settings: Settings,
    client: WebClient,
    router: CommandRouter,
    replies: Replies,
    team_of: TeamOf,
    schedule_modal: ScheduleModal | None = None,
    home: HomeParts | None = None,
    listener_executor: Executor | None = None,
    oauth: OAuthParts | None = None,
    authorize: Authorize | None = None,
    removed: Removed | None = None,
    first_delivery: FirstDelivery | None = None,
    direct_messages: DirectMessages | None = None,
    question_import: QuestionImport | None = None,
    question_modal: QuestionModal | None = None,
) -> App:
    """`listener_executor` runs the lazy listeners (Bolt's default: a pool of 5 threads); tests
    pass one they can wait on. With `oauth` (OAuth mode), the app serves the install pages, every
    request is authorized with its workspace's installation through `authorize` (which refreshes
    rotated tokens under a lock), and `removed(team, enterprise)` handles a workspace leaving.
    `client` carries SLACK_API_URL and the retry handlers: Bolt copies them into the client it
    gives each request. `first_delivery(signature, timestamp)` records a signed request as served
    and says whether it was the first time (see bot.slack.replays)."""
    app = App(
        listener_executor=listener_executor,
        client=client,
        signing_secret=settings.signing_secret or "",
        # bot.web checks every HTTP request's signature over the raw bytes before Bolt reads them;
        # Bolt's check would read and decode the whole body first, and log it when the signature
        # fails. Socket Mode's requests come over the app's own connection, with no signature.
        request_verification_enabled=False,
        # Malformed ids are refused before authorization, which looks the workspace up.
        before_authorize=refuse_malformed_ids,
        logger=bolt_logger(),
        # Lookups are answered from memory inside the ack itself; anything that waits on the
        # database or the Web API acks first and answers from a lazy listener (see listeners/).
        process_before_response=True,
        # auth.test at start-up tells us our own bot user, so we can ignore our own messages.
        token_verification_enabled=bool(settings.bot_token) and oauth is None,
        oauth_flow=oauth.flow if oauth is not None else None,
        # Given too, so that Bolt never builds default settings (with file stores in $HOME) from
        # SLACK_CLIENT_ID/SLACK_CLIENT_SECRET in the environment.
        oauth_settings=oauth.flow.settings if oauth is not None else None,
        # Bolt's own Authorize instance is what its `authorize` takes; its stub names a plain callable.
        authorize=cast(Any, authorize),
        user_facing_authorize_error_message=NOT_INSTALLED if oauth is not None else None,
    )
    if first_delivery is not None:
        # Before every listener and the lookup cache: a replay reaches none of them.
        app.use(refuse_replays(first_delivery, router.answers_from_memory))
    register_listeners(
        app,
        router,
        replies,
        team_of,
        schedule_modal=schedule_modal,
        home=home,
        direct_messages=direct_messages,
        question_import=question_import,
        question_modal=question_modal,
    )
    if removed is not None:
        workspace_listeners.register(app, removed)

    @app.error
    def reject(error: Exception, body: dict, response: BoltResponse) -> BoltResponse:
        # A signed but malformed payload (or a bug) gets a clean 400: the traceback goes to our log,
        # never to the person on the other end.
        log.error("could not handle a %r request: %s", str((body or {}).get("type", "?"))[:40], type(error).__name__, exc_info=error)
        return BoltResponse(status=400, body="")

    return app
