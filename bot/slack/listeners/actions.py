"""Buttons on /career answers (open a role or section, practise, reveal answer points, share),
self-grades on a drill's reveal and the private review queue.

The ack goes back at once; the answer follows through the button's response_url from a lazy
listener, since sending it is itself a call out of this process."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext, Respond

from bot.commands.router import CommandRouter
from bot.slack.teams import TeamOf
from bot.views.action_ids import ACTION_ID
from bot.views.blocks import notice

log = logging.getLogger(__name__)


def answer_press(
    body: dict,
    action: dict,
    respond: Respond,
    router: CommandRouter,
    team_id: str,
    refresh_home: Callable[[str, str], None] = lambda user_id, team_id: None,
) -> None:
    user_id = (body.get("user") or {}).get("id", "")
    channel_id = (body.get("channel") or {}).get("id", "") or (body.get("container") or {}).get("channel_id", "")
    # A button carries its value; a select (the Home's 🎤 模擬面接 role picker), its chosen option's.
    value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
    try:
        message = router.handle_action(action.get("action_id", ""), value, user_id=user_id, channel_id=channel_id, team_id=team_id)
    except Exception:  # noqa: BLE001 - the user pressed a button: say it failed rather than nothing
        log.exception("a /career button (%s) from %s failed", action.get("action_id"), user_id)
        message = notice("⚠️ うまく処理できませんでした。もう一度 `/career` からお試しください。")
    if router.press_changes_home(action.get("action_id", ""), value):
        refresh_home(user_id, team_id)
    if not body.get("response_url"):
        log.warning("a /career button arrived without a response_url; nothing to answer to")
        return
    if message.edits_original:
        # A mock interview's model answer, graded: the message in the DM shows the grade instead
        # of its buttons, for everyone who reads the DM (the member) and after a reload.
        respond(text=message.text, blocks=message.blocks, replace_original=True)
    elif message.ephemeral:
        # A grade pressed on a reveal in the channel must not replace that message: its answer is a
        # new private message. In a private flow (lookups, the review queue) it takes the card's place.
        respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=message.replace_original)
    else:
        respond(text=message.text, blocks=message.blocks, response_type="in_channel", replace_original=False)


def register(
    app: App, router: CommandRouter, team_of: TeamOf, refresh_home: Callable[[str, str], None] = lambda user_id, team_id: None
) -> None:
    def ack_listener(ack: Ack) -> None:
        ack()

    def lazy_listener(body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
        answer_press(body, action, respond, router, team_of(context), refresh_home)

    app.action(ACTION_ID)(ack=ack_listener, lazy=[lazy_listener])
