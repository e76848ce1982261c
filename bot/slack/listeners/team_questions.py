"""A workspace's own questions in Slack: the question form as a modal (`/career propose`, App Home's
✍️ 質問を提案, an admin's 編集して承認 and the list's 編集), the 却下 modal, and 承認 on an admin's
Home. What the forms show and do is bot.commands.question_form's and bot.commands.team_questions';
this module opens and updates the modals, seals what they were opened for, reads their state, acks.

A trigger_id expires 3 s after the press, so `views.open` is the first call a lazy listener makes: a
proposal's form needs nothing but memory and opens at once; an admin's form opens loading, and the
question (a database read) follows with `views.update`. A proposal is checked and stored inside the
ack (one short write), so every error, the daily cap's included, stands under its field; the modal
then closes and the member is told by DM. An admin's submission is checked in the ack and decided
from the lazy listener (the admin check may ask Slack), which says the outcome in the modal, tells
the proposer by DM and republishes the admin's Home. 承認 on the Home republishes it with one line
saying what happened, or why nothing did.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands.question_form import APPROVE, EDIT, PROPOSE, REJECT, Form, Invalid, Opened, QuestionForm, Refused, Valid
from bot.domain import question_form as qf
from bot.domain.command_text import ProposeCommand, parse_command
from bot.domain.text import clean_user_text
from bot.slack.client import at_once
from bot.slack.listeners.schedule_modal import form_values, rate_limited
from bot.slack.metadata import Sealer
from bot.slack.modals import update_view
from bot.slack.teams import TeamOf
from bot.views import team_question_blocks as ui
from bot.views.action_ids import Kind, decode

log = logging.getLogger(__name__)

PROPOSED = "team_question_proposed"  # set by the ack in the request's context, read by the lazy listener
BUSY = "⚠️ Slack が混み合っているため、フォームを開けませんでした。何も変更していません。少し待ってから、もう一度お試しください。"
NOT_OPENED = "⚠️ フォームを開けませんでした。何も変更していません。もう一度お試しください。"
FAILED = "⚠️ うまく処理できませんでした。変更は行われていない可能性があります。少し待ってから、もう一度お試しください。"
# The buttons that open a form: App Home's ✍️ 質問を提案, 編集して承認 and 却下, and the list's 編集.
OPENERS = {Kind.PROPOSE_OPEN: PROPOSE, Kind.TEAM_EDIT_APPROVE: APPROVE, Kind.TEAM_EDIT: EDIT, Kind.TEAM_REJECT: REJECT}
OPENER_ACTION = re.compile(r"^career\.(propose_open|team_edit_approve|team_edit|team_reject)(\.[0-9]+)?\Z")
APPROVE_ACTION = re.compile(r"^career\.team_approve(\.[0-9]+)?\Z")


def proposal(text: str) -> ProposeCommand | None:
    """`/career propose [role]` (or 提案): the command that opens the form."""
    command = parse_command(clean_user_text(text or "", limit=300))
    return command if isinstance(command, ProposeCommand) else None


class QuestionModal:
    """The question form and the reject modal: what Slack alone needs around QuestionForm."""

    def __init__(self, form: QuestionForm, sealer: Sealer):
        self.form = form
        self.commands = form.commands
        self.sealer = sealer

    # ------------------------------------------------------------------ what the modal carries

    def seal(self, opened: Opened) -> str:
        return self.sealer.seal_data({"m": opened.mode, "u": opened.user_id, "k": opened.key, "v": opened.version})

    def unseal(self, sealed: object) -> Opened | None:
        data = self.sealer.open_data(sealed)
        if data is None:
            return None
        mode, user, key, version = data.get("m"), data.get("u"), data.get("k"), data.get("v")
        if not isinstance(mode, str) or not isinstance(user, str) or type(key) is not int or type(version) is not int:
            return None
        return Opened(mode, user, key, version)

    def form_view(self, form: Form) -> dict:
        metadata = self.seal(form.opened)
        return ui.question_modal(form.values, form.targets, metadata, form.opened.mode, form.proposed_by)

    # ------------------------------------------------------------------ opening

    def open(
        self, client: WebClient, trigger_id: str, user_id: str, mode: str, value: str, refuse: Callable[[str], None], team_id: str
    ) -> None:
        """Open the form for `mode` (`value`: the role asked for, or the button's key|version).
        `refuse(sentence)` tells the user privately why no form opened."""
        refused = self.form.refuse_opening(user_id, mode, team_id=team_id)
        if refused is not None:
            refuse(refused.sentence)
            return
        if mode == REJECT:
            opened = self.form.reject_opened(user_id, value)
            first = (
                ui.notice_modal(opened.sentence, ui.TITLES[REJECT]) if isinstance(opened, Refused) else ui.reject_modal(self.seal(opened))
            )
        elif mode == PROPOSE:
            first = self.form_view(self.form.propose_form(user_id, value))
        else:
            first = ui.loading_modal(ui.TITLES[mode])
        try:
            shown = at_once(client).views_open(trigger_id=trigger_id, view=first)
        except SlackApiError as err:
            # E.g. expired_trigger_id, or a 429 (never waited out: the trigger would expire).
            log.warning("views.open for the question form failed (%s)", (err.response or {}).get("error"))
            refuse(BUSY if rate_limited(err) else NOT_OPENED)
            return
        if mode == PROPOSE:
            self._remember_zone(user_id, team_id)
            return
        if mode == REJECT:
            return
        view = shown.get("view") or {}
        try:
            found = self.form.decision_form(user_id, mode, value, team_id=team_id)
            form_view = ui.notice_modal(found.sentence, ui.TITLES[mode]) if isinstance(found, Refused) else self.form_view(found)
        except Exception:  # noqa: BLE001 - the admin is looking at a loading modal: say it failed
            log.exception("could not build the question form (%s)", mode)
            form_view = ui.notice_modal(FAILED, ui.TITLES[mode])
        self._update(client, view.get("id"), form_view, view.get("hash"))

    def _remember_zone(self, user_id: str, team_id: str) -> None:
        try:
            self.form.remember_zone(user_id, team_id=team_id)
        except Exception:  # noqa: BLE001 - the submission falls back to the default time zone
            log.exception("could not read the time zone of %s", user_id)

    @staticmethod
    def _update(client: WebClient, view_id: str | None, view: dict, view_hash: str | None = None) -> None:
        update_view(client, view_id, view, view_hash, what="question form")

    # ------------------------------------------------------------------ submitting

    def check(self, body: dict) -> Refused | Invalid | Valid:
        """What a submission amounts to, from the request alone (no I/O)."""
        view = body.get("view") or {}
        user_id = (body.get("user") or {}).get("id") or ""
        values = form_values((view.get("state") or {}).get("values"), limit=qf.MAX_VALUE)
        return self.form.check(self.unseal(view.get("private_metadata")), user_id, values)

    @staticmethod
    def _title(body: dict) -> str:
        return (((body.get("view") or {}).get("title") or {}).get("text")) or ui.TITLES[PROPOSE]

    def acknowledge(self, ack: Ack, body: dict, context: BoltContext, team_id: str) -> None:
        checked = self.check(body)
        if isinstance(checked, Invalid):
            ack(response_action="errors", errors=checked.errors)
        elif isinstance(checked, Refused):
            ack(response_action="update", view=ui.notice_modal(checked.sentence, self._title(body)))
        elif checked.opened.mode != PROPOSE:
            ack(response_action="update", view=ui.saving_modal(self._title(body)))
        else:
            try:
                refused = self.form.propose(checked, team_id=team_id)
            except Exception:  # noqa: BLE001 - the member waits on the modal: say it failed there
                log.exception("storing a proposal from %s failed", checked.opened.user_id)
                ack(response_action="update", view=ui.notice_modal(FAILED, self._title(body)))
                return
            if refused is not None:
                ack(response_action="errors", errors=refused.errors)
                return
            context[PROPOSED] = True
            ack()  # closes the modal; the DM follows

    def save(self, body: dict, client: WebClient, context: BoltContext, refresh_home: Callable[[str, str], None], team_id: str) -> None:
        checked = self.check(body)
        if not isinstance(checked, Valid):
            return  # answered in the ack
        user_id = checked.opened.user_id
        if checked.opened.mode == PROPOSE:
            if context.get(PROPOSED) and checked.draft is not None:
                self.commands.tell_proposed(user_id, checked.draft, team_id=team_id)
                try:
                    self.commands.tell_admins(user_id, team_id=team_id)
                except Exception:  # noqa: BLE001 - the proposal is stored; the admins still see it on their Home
                    log.exception("telling the admins of a proposal failed")
            return
        try:
            said = self.form.decide(checked, team_id=team_id)
        except Exception:  # noqa: BLE001 - the modal says 保存しています…: it must not stay so
            log.exception("an admin's question form (%s) failed", checked.opened.mode)
            said = FAILED
        self._update(client, (body.get("view") or {}).get("id"), ui.notice_modal(said, self._title(body)))
        try:
            refresh_home(user_id, team_id)
        except Exception:  # noqa: BLE001 - the decision is made; a stale Home is not worth failing for
            log.exception("refreshing the Home of %s failed", user_id)


def approve_from_home(body: dict, action: dict, modal: QuestionModal, publish: Callable[[str, str, str], Any], team_id: str) -> None:
    """承認 on an admin's Home: approved, the proposer told, and the Home republished with one line
    saying what happened (or why nothing did: not an admin, a forged value, decided meanwhile)."""
    user_id = (body.get("user") or {}).get("id", "")
    try:
        said = modal.commands.approve(user_id, action.get("value") or "", team_id=team_id)
    except Exception:  # noqa: BLE001 - the admin pressed a button: say it failed on the Home
        log.exception("承認 from %s failed", user_id)
        said = FAILED
    publish(user_id, team_id, said)


def register(
    app: App,
    modal: QuestionModal,
    team_of: TeamOf,
    publish: Callable[[str, str, str], Any] = lambda user_id, team_id, notice: None,
    refresh_home: Callable[[str, str], None] = lambda user_id, team_id: None,
) -> None:
    """Registered before the /career command's and the buttons' own listeners, so `/career propose`
    and these buttons are ours. `publish(user, team, sentence)` republishes a member's Home with a
    line at its top (how a Home button says what happened when no modal opens)."""

    def opens_proposal(command: dict) -> bool:
        return proposal(command.get("text", "")) is not None

    def ack_only(ack: Ack) -> None:
        ack()

    def open_from_command(command: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
        found = proposal(command.get("text", ""))

        def refuse(sentence: str) -> None:
            if command.get("response_url"):
                respond(text=sentence, response_type="ephemeral")

        query = found.query if found is not None else ""
        modal.open(client, command.get("trigger_id", ""), command.get("user_id", ""), PROPOSE, query, refuse, team_of(context))

    def open_from_button(body: dict, action: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
        user_id, trigger_id = (body.get("user") or {}).get("id", ""), body.get("trigger_id", "")
        mode = OPENERS.get(decode(action.get("action_id") or "", "").kind)  # type: ignore[arg-type]
        if mode is None:
            return

        def refuse(sentence: str) -> None:
            # A Home button has no response_url: the refusal is a modal of its own, or, when no modal
            # opens (the trigger is spent, Slack is busy), a line on the Home; the list's 編集, a
            # private answer in its place.
            try:
                at_once(client).views_open(trigger_id=trigger_id, view=ui.notice_modal(sentence, ui.TITLES[mode]))
            except SlackApiError as err:
                log.warning("views.open for a refusal failed (%s)", (err.response or {}).get("error"))
                if body.get("response_url"):
                    respond(text=sentence, response_type="ephemeral", replace_original=False)
                else:
                    publish(user_id, team_of(context), sentence)

        modal.open(client, trigger_id, user_id, mode, action.get("value") or "", refuse, team_of(context))

    def approve(body: dict, action: dict, context: BoltContext) -> None:
        approve_from_home(body, action, modal, publish, team_of(context))

    def acknowledge(ack: Ack, body: dict, context: BoltContext) -> None:
        modal.acknowledge(ack, body, context, team_of(context))

    def save(body: dict, client: WebClient, context: BoltContext) -> None:
        modal.save(body, client, context, refresh_home, team_of(context))

    app.command("/career", matchers=[opens_proposal])(ack=ack_only, lazy=[open_from_command])
    app.action(OPENER_ACTION)(ack=ack_only, lazy=[open_from_button])
    app.action(APPROVE_ACTION)(ack=ack_only, lazy=[approve])
    app.view(ui.CALLBACK_ID)(ack=acknowledge, lazy=[save])
    app.view(ui.REJECT_CALLBACK)(ack=acknowledge, lazy=[save])
