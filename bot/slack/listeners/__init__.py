"""Every listener module exposes `register(app, services)`; this registers them all."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events


def register_listeners(app: App, services) -> None:
    commands.register(app, services)
    actions.register(app, services)
    events.register(app, services)
