"""The `/career` slash command.

A lookup is answered from memory inside the ack, so the user sees it at once. A drill command
waits on the database and may ask Slack who is an admin: it acks at once (Slack's 3 s limit) and
answers from a lazy listener through the command's response_url."""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond

from bot.commands.router import CommandRouter
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.slack.teams import TeamOf
from bot.views.blocks import notice

log = logging.getLogger(__name__)


def _answer(router: CommandRouter, command: dict, team_id: str):
    return router.handle_command(
        command.get("text", ""), user_id=command.get("user_id", ""), channel_id=command.get("channel_id", ""), team_id=team_id
    )


def answer_in_ack(ack: Ack, command: dict, router: CommandRouter, team_id: str) -> None:
    message = _answer(router, command, team_id)
    ack(text=message.text, blocks=message.blocks, response_type="ephemeral" if message.ephemeral else "in_channel")


FAILED = (
    "⚠️ うまく処理できませんでした。変更は行われていない可能性があります。`/career schedule show` で確認してから、もう一度お試しください。"
)


def answer_later(
    command: dict,
    respond: Respond,
    router: CommandRouter,
    team_id: str,
    refresh_home: Callable[[str, str], None] = lambda user_id, team_id: None,
) -> None:
    try:
        message = _answer(router, command, team_id)
    except Exception:  # noqa: BLE001 - the user waits for an answer: say it failed rather than nothing
        log.exception("a /career command from %s in %s failed", command.get("user_id"), command.get("channel_id"))
        message = notice(FAILED)
    if router.command_changes_home(command.get("text", "")):
        refresh_home(command.get("user_id", ""), team_id)
    if not command.get("response_url"):
        log.warning("a /career command arrived without a response_url; nothing to answer to")
        return
    respond(text=message.text, blocks=message.blocks, response_type="ephemeral" if message.ephemeral else "in_channel")


class AnswerCache:
    """Acknowledgement bodies of lookups whose answer depends on the text alone, serialised once,
    for the workspaces that see the role documents alone (one with questions of its own, チームの質問,
    is answered by the lookup listener). The documents never change while the process runs, and
    Slack's JSON of a role card (5-6 KB) costs more to build than everything else a lookup does;
    bounded, least recently used dropped."""

    def __init__(self, router: CommandRouter, size: int = 512):
        self.router = router
        self.size = size
        self._bodies: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def body(self, text: str) -> str:
        with self._lock:
            found = self._bodies.get(text)
            if found is not None:
                self._bodies.move_to_end(text)
                return found
        # The answer depends on the text alone (same_answer_for_everyone): no workspace's data is read.
        message = self.router.handle_command(text, team_id=SINGLE_WORKSPACE)
        body = json.dumps(
            {"text": message.text, "response_type": "ephemeral" if message.ephemeral else "in_channel", "blocks": message.blocks}
        )
        with self._lock:
            self._bodies[text] = body
            while len(self._bodies) > self.size:
                self._bodies.popitem(last=False)
        return body

    def middleware(self, team_of: TeamOf) -> Callable:
        def answer_known_lookups(body: dict, context: BoltContext, next: Callable[[], None]):  # noqa: A002 - Bolt's name
            text = body.get("text") or ""
            if (
                body.get("command") == "/career"
                and self.router.same_answer_for_everyone(text)
                and self.router.documents_alone(team_id=team_of(context))
            ):
                return BoltResponse(status=200, body=self.body(text))
            return next()

        return answer_known_lookups


def register(
    app: App, router: CommandRouter, team_of: TeamOf, refresh_home: Callable[[str, str], None] = lambda user_id, team_id: None
) -> None:
    app.use(AnswerCache(router).middleware(team_of))

    # Two listeners, so that a lookup is a plain listener: Bolt prepares a lazy run (a deep copy of
    # the request) for every request a lazy listener matches, which would cost each lookup more
    # than rendering its answer does.
    def from_memory(command: dict) -> bool:
        return router.answers_from_memory(command.get("text", ""))

    def lookup_listener(ack: Ack, command: dict, context: BoltContext) -> None:
        answer_in_ack(ack, command, router, team_of(context))

    def ack_listener(ack: Ack) -> None:
        ack()

    def lazy_listener(command: dict, respond: Respond, context: BoltContext) -> None:
        answer_later(command, respond, router, team_of(context), refresh_home)

    app.command("/career", matchers=[from_memory])(lookup_listener)
    app.command("/career")(ack=ack_listener, lazy=[lazy_listener])
