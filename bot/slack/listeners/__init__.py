"""Every listener module exposes `register(app, …)` taking what its listeners use; this registers them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_bolt import App

from bot.commands.router import CommandRouter
from bot.slack.listeners import actions, app_home, events, slash_command
from bot.slack.listeners import schedule_modal as schedule_modal_listeners
from bot.slack.teams import TeamOf
from bot.usecases.replies import Replies

if TYPE_CHECKING:
    from bot.slack.home_publisher import HomeParts
    from bot.slack.listeners.direct_messages import DirectMessages
    from bot.slack.listeners.question_import import QuestionImport
    from bot.slack.listeners.schedule_modal import ScheduleModal
    from bot.slack.listeners.team_questions import QuestionModal


def register_listeners(
    app: App,
    router: CommandRouter,
    replies: Replies,
    team_of: TeamOf,
    home: HomeParts | None = None,
    schedule_modal: ScheduleModal | None = None,
    direct_messages: DirectMessages | None = None,
    question_import: QuestionImport | None = None,
    question_modal: QuestionModal | None = None,
) -> None:
    """`team_of(context)` says which workspace each request belongs to."""
    # What changes a member's App Home republishes it (debounced); without a Home, nothing to do.
    refresh_home: Callable[[str, str], None] = home.refresh.touch if home is not None else (lambda user_id, team_id: None)
    if schedule_modal is not None:
        # Before the command's own listeners: `/career schedule` alone opens the editor.
        tell_home = (
            (lambda user_id, team_id, sentence: home.publisher.publish(user_id, team_id, notice=sentence)) if home is not None else None
        )
        schedule_modal_listeners.register(app, schedule_modal, team_of, refresh_home, tell_home)
    if question_import is not None:
        # Before the command's and the buttons' own listeners: `/career questions import` and the
        # preview's 取り込む are its.
        from bot.slack.listeners import question_import as import_listeners

        import_listeners.register(app, question_import, team_of)
    if question_modal is not None:
        # Before the command's and the buttons' own listeners: `/career propose`, the question
        # form's buttons and 承認 on the Home are its.
        from bot.slack.listeners import team_questions

        publish = (
            (lambda user_id, team_id, sentence: home.publisher.publish(user_id, team_id, notice=sentence))
            if home is not None
            else (lambda user_id, team_id, sentence: None)
        )
        team_questions.register(app, question_modal, team_of, publish, refresh_home)
    if direct_messages is not None:
        # Before the thread replies' and the App Home's listeners: DMs and the Messages tab are its.
        from bot.slack.listeners import direct_messages as dm_listeners

        dm_listeners.register(app, direct_messages, team_of)
    slash_command.register(app, router, team_of, refresh_home)
    actions.register(app, router, team_of, refresh_home)
    events.register(app, replies, team_of, refresh_home)
    if home is not None:
        app_home.register(app, home.tab, home.publisher, router, home.refresh.touch, team_of)
