"""Every listener module exposes `register(app, …)` taking what its listeners use; this registers them all."""

from __future__ import annotations

from slack_bolt import App

from bot.commands.router import CommandRouter
from bot.slack.listeners import actions, commands, events
from bot.usecases.replies import Replies


def register_listeners(app: App, router: CommandRouter, replies: Replies) -> None:
    commands.register(app, router)
    actions.register(app, router)
    events.register(app, replies)
