"""Every listener module exposes `register(app, …)` taking what its listeners use; this registers them all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from slack_bolt import App

from bot.commands.router import CommandRouter
from bot.slack.listeners import actions, commands, events
from bot.slack.listeners import home as home_listeners
from bot.slack.listeners import schedule_modal
from bot.slack.teams import TeamOf
from bot.usecases.replies import Replies

if TYPE_CHECKING:
    from bot.slack.home import HomeParts
    from bot.slack.listeners.schedule_modal import ScheduleEditor


def register_listeners(app: App, router: CommandRouter, replies: Replies, team_of: TeamOf, home: "HomeParts | None" = None, schedule_editor: "ScheduleEditor | None" = None) -> None:
    """`team_of(context)` says which workspace each request belongs to."""
    # What changes a member's App Home republishes it (debounced); without a Home, nothing to do.
    refresh_home: Callable[[str, str], None] = home.refresh.touch if home is not None else (lambda user_id, team_id: None)
    if schedule_editor is not None:
        # Before the command's own listeners: `/career schedule` alone opens the editor.
        tell_home = (lambda user_id, team_id, sentence: home.publisher.publish(user_id, team_id, notice=sentence)) if home is not None else None
        schedule_modal.register(app, schedule_editor, team_of, refresh_home, tell_home)
    commands.register(app, router, team_of, refresh_home)
    actions.register(app, router, team_of, refresh_home)
    events.register(app, replies, team_of, refresh_home)
    if home is not None:
        home_listeners.register(app, home.home, home.publisher, router, home.refresh.touch, home.clock, team_of)
