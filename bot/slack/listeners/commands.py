"""The `/career` slash command: answered inside the ack, so the user sees it at once."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App

log = logging.getLogger(__name__)


def career_command(ack: Ack, command: dict, services) -> None:
    message = services.career.handle_command(
        command.get("text", ""), user_id=command.get("user_id", ""), channel_id=command.get("channel_id", "")
    )
    ack(text=message.text, blocks=message.blocks, response_type="ephemeral" if message.ephemeral else "in_channel")


def register(app: App, services) -> None:
    def listener(ack: Ack, command: dict) -> None:
        career_command(ack, command, services)

    app.command("/career")(listener)
