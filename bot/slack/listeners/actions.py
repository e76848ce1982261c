"""Buttons on /career answers: open a role or section, practise, reveal answer points, share."""

from __future__ import annotations

import logging
import re

from slack_bolt import Ack, App, Respond

log = logging.getLogger(__name__)

CAREER_ACTION = re.compile(r"^career\.[a-z_]+(\.\d+)?$")


def career_action(ack: Ack, body: dict, action: dict, respond: Respond, services) -> None:
    ack()
    user_id = (body.get("user") or {}).get("id", "")
    message = services.career.handle_action(action.get("action_id", ""), action.get("value", ""), user_id=user_id)
    if not body.get("response_url"):
        log.warning("a /career button arrived without a response_url; nothing to answer to")
        return
    if message.ephemeral:
        respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=True)
    else:
        respond(text=message.text, blocks=message.blocks, response_type="in_channel", replace_original=False)


def register(app: App, services) -> None:
    def listener(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        career_action(ack, body, action, respond, services)

    app.action(CAREER_ACTION)(listener)
