"""`/career questions import` as a Slack modal: a Markdown file (file_input) or a pasted block in,
a preview of what it would add and update, and a 取り込む button that imports it.

A trigger_id expires 3 s after the command, so views.open (with a loading view built without I/O)
is the first call the lazy listener makes; the admin check follows and the form takes its place
with views.update. A submission is checked inside the ack from the request alone (a file or a
pasted block, not both) and acked with 「確認しています…」; the lazy listener checks the admin,
reads the file (files.info, then its download, capped), keeps the import and shows the preview.
The 取り込む button carries the kept import's key: the use-case takes it once, and only for the
admin who made it in their workspace, so a forged or borrowed key imports nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands.question_exchange import IMPORT_NOT_ADMIN, not_admin_sentence, opens_import
from bot.ports import AdminCheckFailed
from bot.slack.client import at_once
from bot.slack.files import FileRefused
from bot.slack.modals import update_view
from bot.slack.teams import TeamOf
from bot.usecases.question_exchange import PASTE_CHARACTERS, ImportGone, ImportRefused, QuestionExchange
from bot.usecases.team_questions import NotAllowed
from bot.views import question_import_blocks as ui
from bot.views.action_ids import Pressed
from bot.views.mrkdwn import escape_mrkdwn

log = logging.getLogger(__name__)

NOT_OPENED = "取り込みのフォームを開けませんでした。何も変更していません。もう一度 `/career questions import` を実行してください。"
FAILED = "うまく処理できませんでした。何も変更していません。もう一度 `/career questions import` からお試しください。"
GONE = (
    "この取り込みは見つかりませんでした（取り込み済みか、期限切れか、ほかの管理者のものです）。"
    "何も変更していません。もう一度 `/career questions import` からお試しください。"
)
PICK_ONE = "ファイルを選ぶか、質問を貼り付けてください。"
NOT_BOTH = "ファイルと貼り付けのどちらか一方にしてください。"
TOO_LONG = f"貼り付けは{PASTE_CHARACTERS:,}文字までです。長いときはファイルにして選んでください。"

# download(client, file id) → the file's text; raises FileRefused.
Download = Callable[[WebClient, str], str]


def submitted(body: dict) -> tuple[str, str]:
    """(the chosen file's id, the pasted text) of a submission; "" for what is not there."""
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    file_state = (values.get(ui.FILE) or {}).get(ui.ACTION) if isinstance(values, dict) else None
    text_state = (values.get(ui.TEXT) or {}).get(ui.ACTION) if isinstance(values, dict) else None
    files = file_state.get("files") if isinstance(file_state, dict) else None
    first = files[0] if isinstance(files, list) and files and isinstance(files[0], dict) else {}
    file_id = first.get("id") if isinstance(first.get("id"), str) else ""
    text = text_state.get("value") if isinstance(text_state, dict) else None
    return file_id or "", text if isinstance(text, str) else ""


def field_errors(file_id: str, text: str) -> dict[str, str]:
    """What the form says beside its inputs, from the submission alone."""
    if not file_id and not text.strip():
        return {ui.TEXT: PICK_ONE}
    if file_id and text.strip():
        return {ui.TEXT: NOT_BOTH}
    if len(text) > PASTE_CHARACTERS:
        return {ui.TEXT: TOO_LONG}
    return {}


class QuestionImport:
    def __init__(
        self,
        exchange: QuestionExchange,
        known_admin: Callable[[str, str], bool | None],  # (user id, team id), from memory only
        clock: Callable[[], datetime],
        download: Download,
    ):
        self.exchange = exchange
        self.known_admin = known_admin
        self.clock = clock
        self.download = download

    def label(self, target: str) -> str:
        return self.exchange.label(target)

    # ------------------------------------------------------------------ opening

    def open(self, client: WebClient, trigger_id: str, user_id: str, refuse: Callable[[str], None], team_id: str) -> None:
        """views.open first; `refuse(sentence)` tells a member known not to be an admin, or says the
        form did not open."""
        if self.known_admin(user_id, team_id) is False:
            refuse(IMPORT_NOT_ADMIN)
            return
        try:
            opened = at_once(client).views_open(trigger_id=trigger_id, view=ui.loading_modal())
        except SlackApiError as err:
            log.warning("views.open for the question import failed (%s)", (err.response or {}).get("error"))
            refuse(f"⚠️ {NOT_OPENED}")
            return
        view = opened.get("view") or {}
        try:
            self.exchange.questions.authorize(user_id, team_id=team_id)
            form = ui.import_form()
        except (NotAllowed, AdminCheckFailed) as err:
            form = ui.notice_modal(not_admin_sentence(err, IMPORT_NOT_ADMIN))
        except Exception:  # noqa: BLE001 - the user is looking at a loading modal: say it failed
            log.exception("could not open the question import for %s", user_id)
            form = ui.notice_modal(f"⚠️ {FAILED}")
        _update(client, view.get("id"), form, view.get("hash"))

    # ------------------------------------------------------------------ submitting

    def acknowledge(self, ack: Ack, body: dict) -> None:
        errors = field_errors(*submitted(body))
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack(response_action="update", view=ui.checking_modal())

    def check(self, body: dict, client: WebClient, team_id: str) -> None:
        """Read the file (or the pasted block), keep the import and show what it would do."""
        file_id, text = submitted(body)
        if field_errors(file_id, text):
            return  # answered in the ack
        user_id = (body.get("user") or {}).get("id") or ""
        try:
            # The admin first: a non-admin's file is never downloaded.
            self.exchange.questions.authorize(user_id, team_id=team_id)
            if file_id:
                text = self.download(client, file_id)
            preview = self.exchange.preview(user_id, text, self.clock(), team_id=team_id)
            view = ui.preview_modal(preview, self.label)
        except (NotAllowed, AdminCheckFailed) as err:
            view = ui.notice_modal(not_admin_sentence(err, IMPORT_NOT_ADMIN))
        except (FileRefused, ImportRefused) as err:
            view = ui.notice_modal(f"⚠️ {escape_mrkdwn(str(err))}")
        except Exception:  # noqa: BLE001 - the modal says 確認しています…: it must not stay so
            log.exception("checking a question import from %s failed", user_id)
            view = ui.notice_modal(f"⚠️ {FAILED}")
        _update(client, (body.get("view") or {}).get("id"), view)

    # ------------------------------------------------------------------ confirming

    def confirm(self, body: dict, action: dict, client: WebClient, team_id: str) -> None:
        """The preview's 取り込む: import the kept import its value names, once."""
        user_id = (body.get("user") or {}).get("id") or ""
        key = Pressed(None, (str(action.get("value") or ""),)).row_id_at(0)
        try:
            if key is None:
                raise ImportGone
            imported = self.exchange.confirm(user_id, key, self.clock(), team_id=team_id)
            view = ui.imported_modal(imported, self.label)
        except (NotAllowed, AdminCheckFailed) as err:
            view = ui.notice_modal(not_admin_sentence(err, IMPORT_NOT_ADMIN))
        except ImportGone:
            log.info("a question import's confirmation named no import of %s's", user_id)
            view = ui.notice_modal(f"⚠️ {GONE}")
        except Exception:  # noqa: BLE001 - say it failed: the transaction rolled back, nothing changed
            log.exception("confirming a question import of %s failed", user_id)
            view = ui.notice_modal(f"⚠️ {FAILED}")
        container = body.get("view") or {}
        if not container.get("id"):
            log.warning("a question import's confirmation came from no modal; nothing to show it in")
            return
        _update(client, container.get("id"), view, container.get("hash"))


def _update(client: WebClient, view_id: Any, view: dict, view_hash: Any = None) -> None:
    update_view(client, view_id, view, view_hash, what="question import")


def register(app: App, modal: QuestionImport, team_of: TeamOf) -> None:
    """Registered before the /career command's and the buttons' own listeners, so `/career
    questions import` and the preview's 取り込む are this module's."""

    def opens(command: dict) -> bool:
        return opens_import(command.get("text", ""))

    def ack_listener(ack: Ack) -> None:
        ack()

    def open_from_command(command: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
        def refuse(sentence: str) -> None:
            if command.get("response_url"):
                respond(text=sentence, response_type="ephemeral")

        modal.open(client, command.get("trigger_id", ""), command.get("user_id", ""), refuse, team_of(context))

    def acknowledge(ack: Ack, body: dict) -> None:
        modal.acknowledge(ack, body)

    def check(body: dict, client: WebClient, context: BoltContext) -> None:
        modal.check(body, client, team_of(context))

    def confirm(body: dict, action: dict, client: WebClient, context: BoltContext) -> None:
        modal.confirm(body, action, client, team_of(context))

    app.command("/career", matchers=[opens])(ack=ack_listener, lazy=[open_from_command])
    app.view(ui.CALLBACK_ID)(ack=acknowledge, lazy=[check])
    app.action(ui.CONFIRM)(ack=ack_listener, lazy=[confirm])
