"""The schedule editor as a Slack modal: `/career schedule` with no arguments, and App Home's 編集 and
新しいスケジュール buttons, open it; what it shows and what a submission does is the editor's
(bot.commands.schedule_editor). This module holds what Slack alone needs: opening and updating
the modal, sealing what it was opened for in private_metadata, reading its state, and acking.

A trigger_id expires 3 s after the command or press, so `views.open` is the first call the lazy
listener makes, with a loading view built without I/O; the schedule is read afterwards and the
form is put in its place with `views.update` (with the opened view's hash, so a later update is
never overwritten by this one).

A submission is checked inside the ack, from the request alone: the sealed private_metadata (who
opened the form, for which channel, against which version), the submitting user, and every field.
Inline errors go back in the ack; a valid form acks with a 「保存しています…」 view, and the lazy
listener saves it and updates the modal with what was set, or why nothing changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands.schedule_editor import UNKNOWN_CHANNEL, EditorForm, Invalid, Refused, Saved, ScheduleEditor, Valid
from bot.domain import schedule_form as form
from bot.slack.client import at_once
from bot.slack.metadata import Sealer
from bot.slack.modals import update_view
from bot.slack.teams import TeamOf
from bot.views import modal_blocks as ui

log = logging.getLogger(__name__)

EDIT_ACTION = "home_schedule_edit"  # App Home's 編集 button; its value is the channel id
NEW_ACTION = "home_schedule_new"  # App Home's 新しいスケジュール button: the form has a channel picker

BUSY = "Slack が混み合っているため、スケジュールの編集フォームを開けませんでした。何も変更していません。少し待ってから、もう一度 `/career schedule` を実行してください。"
NOT_OPENED = "スケジュールの編集フォームを開けませんでした。何も変更していません。もう一度 `/career schedule` を実行してください。"
FAILED = (
    "うまく処理できませんでした。変更は行われていない可能性があります。`/career schedule show` で確認してから、もう一度お試しください。"
)


def form_values(state_values: Any, limit: int = form.MAX_VALUE_LENGTH * 2) -> dict[str, str]:
    """`view.state.values` → {block_id: the input's value as a string, at most `limit` characters}.
    Selects give their option's value, checkboxes their values joined by commas, the timepicker
    HH:MM, the channel picker the channel id. Anything of an unexpected shape reads as empty."""
    values: dict[str, str] = {}
    if not isinstance(state_values, dict):
        return values
    for block_id, actions in state_values.items():
        action = actions.get(ui.ACTION) if isinstance(actions, dict) else None
        if not isinstance(block_id, str) or not isinstance(action, dict):
            continue
        kind = action.get("type")
        if kind in ("static_select", "radio_buttons"):
            value = (action.get("selected_option") or {}).get("value")
        elif kind == "checkboxes":
            options = action.get("selected_options")
            value = ",".join(str(o.get("value", "")) for o in options if isinstance(o, dict)) if isinstance(options, list) else ""
        elif kind == "timepicker":
            value = action.get("selected_time")
        elif kind == "conversations_select":
            value = action.get("selected_conversation")
        elif kind == "channels_select":
            value = action.get("selected_channel")
        else:
            value = action.get("value")
        values[block_id] = value[:limit] if isinstance(value, str) else ""
    return values


class ScheduleModal:
    """The editor's form as a modal: what Slack alone needs around bot.commands.schedule_editor."""

    def __init__(self, editor: ScheduleEditor, sealer: Sealer):
        self.editor = editor
        self.sealer = sealer

    # ------------------------------------------------------------------ opening

    def open(
        self, client: WebClient, trigger_id: str, user_id: str, channel_id: str | None, refuse: Callable[[str], None], team_id: str
    ) -> None:
        """Open the form for `channel_id` (None: with a channel picker). views.open comes first.
        `refuse(sentence)` tells the user privately why no form opened."""
        refused = self.editor.refuse_opening(user_id, team_id=team_id)
        if refused is not None:
            refuse(refused.sentence)
            return
        try:
            opened = at_once(client).views_open(trigger_id=trigger_id, view=ui.loading_modal())
        except SlackApiError as err:
            # E.g. expired_trigger_id, or a 429 (never waited out: the trigger would expire). The
            # user waits for a form that will not come, so say so at once.
            log.warning("views.open for the schedule editor failed (%s)", (err.response or {}).get("error"))
            refuse(f"⚠️ {BUSY if rate_limited(err) else NOT_OPENED}")
            return
        view = opened.get("view") or {}
        try:
            form_view = self.form_view(user_id, channel_id, team_id)
        except Exception:  # noqa: BLE001 - the user is looking at a loading modal: say it failed
            log.exception("could not build the schedule editor for %s", channel_id)
            form_view = ui.notice_modal(f"⚠️ {FAILED}")
        self._update(client, view.get("id"), form_view, view.get("hash"))

    def form_view(self, user_id: str, channel_id: str | None, team_id: str) -> dict:
        found = self.editor.form(user_id, channel_id, team_id=team_id)
        if isinstance(found, Refused):
            return ui.notice_modal(found.sentence)
        assert isinstance(found, EditorForm)
        return ui.editor_modal(found.values, found.roles, self.sealer.seal(found.opened), channel_id)

    @staticmethod
    def _update(client: WebClient, view_id: str | None, view: dict, view_hash: str | None = None) -> None:
        update_view(client, view_id, view, view_hash, what="schedule editor")

    # ------------------------------------------------------------------ submitting

    def check(self, body: dict) -> Refused | Invalid | Valid:
        """What a submission amounts to, from the request alone (no I/O: this runs in the ack)."""
        view = body.get("view") or {}
        user_id = (body.get("user") or {}).get("id") or ""
        values = form_values((view.get("state") or {}).get("values"))
        return self.editor.check(self.sealer.open(view.get("private_metadata")), user_id, values)

    def acknowledge(self, ack: Ack, body: dict) -> None:
        checked = self.check(body)
        if isinstance(checked, Invalid):
            ack(response_action="errors", errors=checked.errors)
        elif isinstance(checked, Refused):
            ack(response_action="update", view=ui.notice_modal(checked.sentence))
        else:
            ack(response_action="update", view=ui.saving_modal())

    def save(self, body: dict, client: WebClient, refresh_home: Callable[[str, str], None], team_id: str) -> None:
        checked = self.check(body)
        if not isinstance(checked, Valid):
            return  # answered in the ack
        try:
            outcome = self.editor.save(checked, lambda channel_id: self._bot_in_channel(client, channel_id), team_id=team_id)
            view = (
                ui.saved_modal(outcome.view, outcome.channel_id, outcome.bot_missing)
                if isinstance(outcome, Saved)
                else ui.notice_modal(outcome.sentence)
            )
        except Exception:  # noqa: BLE001 - the modal says 保存しています…: it must not stay so
            log.exception("saving a schedule from the editor for %s failed", checked.channel_id)
            outcome, view = None, ui.notice_modal(f"⚠️ {FAILED}")
        self._update(client, (body.get("view") or {}).get("id"), view)
        if isinstance(outcome, Saved):
            try:
                refresh_home(checked.user_id, team_id)
            except Exception:  # noqa: BLE001 - the schedule is saved; a stale Home is not worth failing for
                log.exception("refreshing the Home of %s failed", checked.user_id)

    @staticmethod
    def _bot_in_channel(client: WebClient, channel_id: str) -> str | None:
        """ "missing" when Slack knows no such channel, "outside" when the bot is not in it, None
        when it is or Slack cannot say (a missing scope: the drill's own post will tell)."""
        try:
            info = client.conversations_info(channel=channel_id)
        except SlackApiError as err:
            code = (err.response or {}).get("error")
            if code == "channel_not_found":
                return "missing"
            log.info("conversations.info for %s failed (%s); saving without the check", channel_id, code)
            return None
        return "outside" if (info.get("channel") or {}).get("is_member") is False else None


def rate_limited(err: SlackApiError) -> bool:
    return getattr(err.response, "status_code", 0) == 429 or (err.response or {}).get("error") == "ratelimited"


def register(
    app: App,
    modal: ScheduleModal,
    team_of: TeamOf,
    refresh_home: Callable[[str, str], None] = lambda user_id, team_id: None,
    tell_home: Callable[[str, str, str], object] | None = None,
) -> None:
    """Registered before the /career command's own listeners, so `/career schedule` alone is ours.
    `tell_home(user, team, sentence)` says it on the member's Home when a Home button's modal
    cannot be opened at all."""

    def opens_form(command: dict) -> bool:
        return form.opens_form(command.get("text", ""))

    def ack_listener(ack: Ack) -> None:
        ack()

    def open_from_command(command: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
        channel_id = command.get("channel_id", "")
        user_id = command.get("user_id", "")

        def refuse(sentence: str) -> None:
            if command.get("response_url"):
                respond(text=sentence, response_type="ephemeral")
            elif form.is_channel_id(channel_id):
                client.chat_postEphemeral(channel=channel_id, user=user_id, text=sentence)

        # From a DM (no channel a drill could run in), the form asks which channel.
        modal.open(
            client, command.get("trigger_id", ""), user_id, channel_id if form.is_channel_id(channel_id) else None, refuse, team_of(context)
        )

    def open_from_home(body: dict, action: dict, client: WebClient, context: BoltContext) -> None:
        user_id = (body.get("user") or {}).get("id", "")
        trigger_id = body.get("trigger_id", "")

        def refuse(sentence: str) -> None:
            # A Home button has no response_url and no channel: the refusal is a modal of its own,
            # or, when no modal opens (the trigger is spent, Slack is busy), a line on the Home.
            try:
                at_once(client).views_open(trigger_id=trigger_id, view=ui.notice_modal(sentence))
            except SlackApiError as err:
                log.warning("views.open for a refusal failed (%s)", (err.response or {}).get("error"))
                if tell_home is not None:
                    tell_home(user_id, team_of(context), sentence)

        if action.get("action_id") == NEW_ACTION:
            modal.open(client, trigger_id, user_id, None, refuse, team_of(context))
            return
        channel_id = action.get("value") or ""
        if not form.is_channel_id(channel_id):
            refuse(f"⚠️ {UNKNOWN_CHANNEL}")
            return
        modal.open(client, trigger_id, user_id, channel_id, refuse, team_of(context))

    def acknowledge(ack: Ack, body: dict) -> None:
        modal.acknowledge(ack, body)

    def save(body: dict, client: WebClient, context: BoltContext) -> None:
        modal.save(body, client, refresh_home, team_of(context))

    app.command("/career", matchers=[opens_form])(ack=ack_listener, lazy=[open_from_command])
    app.action(EDIT_ACTION)(ack=ack_listener, lazy=[open_from_home])
    app.action(NEW_ACTION)(ack=ack_listener, lazy=[open_from_home])
    app.view(ui.CALLBACK_ID)(ack=acknowledge, lazy=[save])
