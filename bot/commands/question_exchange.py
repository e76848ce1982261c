"""`/career questions export [role]` and `/career questions import` (admins): a workspace's own
questions (チームの質問) out as a Markdown file in the admin's DM, and in through a modal.

The export is answered after the ack: it reads the database, may ask Slack who is an admin, and
uploads a file. The import opens a modal, which Slack's adapter does before the command reaches
the router (bot.slack.listeners.question_import); here it only says where the form is."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.command_text import QuestionsCommand, parse_command
from bot.domain.text import clean_user_text
from bot.ports import AdminCheckFailed, ChatError, Message
from bot.usecases.question_exchange import QuestionExchange, UnknownTarget
from bot.usecases.team_questions import NotAllowed
from bot.views.blocks import notice
from bot.views.mrkdwn import escape_mrkdwn
from bot.views.refusals import check_failed

log = logging.getLogger(__name__)

EXCHANGE_ACTIONS = frozenset({"export", "import"})
EXPORT_NOT_ADMIN = "すみません、チームの質問を書き出せるのは管理者だけです。必要な場合は管理者に相談してください。"
IMPORT_NOT_ADMIN = "すみません、チームの質問を取り込めるのは管理者だけです。何も変更していません。必要な場合は管理者に相談してください。"
IMPORT_IN_SLACK = "チームの質問の取り込みは、Slack で `/career questions import` を実行して開くフォームから行います。"
UPLOAD_FAILED = "⚠️ ファイルを DM に送れませんでした。少し待ってからもう一度お試しください。"
UPLOAD_NOT_ALLOWED = "⚠️ ファイルを DM に送れませんでした。アプリにファイル送信（files:write）と DM（im:write）の権限があるか、ワークスペースの管理者に確認してください。"
_SCOPE_ERRORS = frozenset({"missing_scope", "not_allowed_token_type", "no_permission", "restricted_action", "not_authed", "invalid_auth"})
USAGE = "`/career questions export [職種]` でチームの質問を Markdown で書き出し、`/career questions import` で取り込みます（管理者のみ）。"


def opens_import(text: str) -> bool:
    """Whether `/career <text>` is `questions import`: the adapter opens its modal."""
    command = parse_command(clean_user_text(text or "", limit=300))
    return isinstance(command, QuestionsCommand) and command.action == "import"


def is_exchange(command: object) -> bool:
    return isinstance(command, QuestionsCommand) and command.action in EXCHANGE_ACTIONS


def not_admin_sentence(err: Exception, not_admin: str) -> str:
    """What a non-admin (or one Slack could not vouch for) reads."""
    if isinstance(err, AdminCheckFailed):
        return f"⚠️ {check_failed(err)}"
    return not_admin


class QuestionExchangeCommands:
    def __init__(self, exchange: QuestionExchange, clock: Callable[[], datetime]):
        self.exchange = exchange
        self.clock = clock

    def handle(self, command: QuestionsCommand, user_id: str, channel_id: str = "", *, team_id: str) -> Message:
        if command.action == "export":
            return self._export(command.query, user_id, team_id=team_id)
        if command.action == "import":
            return notice(IMPORT_IN_SLACK)
        return notice(USAGE)

    def _export(self, query: str, user_id: str, *, team_id: str) -> Message:
        try:
            sent = self.exchange.send_export(user_id, query, self.clock(), team_id=team_id)
        except (NotAllowed, AdminCheckFailed) as err:
            return notice(not_admin_sentence(err, EXPORT_NOT_ADMIN))
        except UnknownTarget as err:
            shown = escape_mrkdwn(clean_user_text(err.query, limit=40))
            return notice(
                f"職種「{shown}」が見つかりませんでした。`/career list` で職種名を確かめるか、共通質問なら「共通」と書いてください。"
            )
        except ChatError as err:
            log.warning("the export of the team questions for %s failed (%s)", user_id, err.code)
            return notice(UPLOAD_NOT_ALLOWED if err.code in _SCOPE_ERRORS else UPLOAD_FAILED)
        if not sent.count:
            return notice(f"書き出せるチームの質問（{escape_mrkdwn(sent.label)}）はまだありません。承認された質問だけを書き出します。")
        return notice(f"✅ チームの質問（{escape_mrkdwn(sent.label)}、{sent.count}問）を Markdown ファイルで DM に送りました。")
