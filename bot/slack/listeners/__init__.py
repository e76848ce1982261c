"""Every listener module exposes `register(app, …)` taking what its listeners use; this registers them all."""

from __future__ import annotations

from slack_bolt import App

from bot.commands.router import CommandRouter
from bot.slack.listeners import actions, commands, events, schedule_modal
from bot.slack.listeners.schedule_modal import ScheduleEditor
from bot.usecases.replies import Replies


def register_listeners(app: App, router: CommandRouter, replies: Replies, schedule_editor: ScheduleEditor | None = None) -> None:
    if schedule_editor is not None:
        # Before the command's own listeners: `/career schedule` alone opens the editor.
        schedule_modal.register(app, schedule_editor)
    commands.register(app, router)
    actions.register(app, router)
    events.register(app, replies)
