"""The one table from what stopped an interaction to the sentence the member reads.

Slash commands, buttons, the schedule editor (Slack's modal and the console's `:schedule-form`) and
the App Home's toggle refuse for the same few reasons; each reason has one sentence here, so that
the same refusal never reads two ways depending on where it was asked."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.schedule import ScheduleError
from bot.ports import AdminCheckFailed
from bot.usecases.feedback import NoFeedback
from bot.usecases.learning import CannotGrade
from bot.usecases.lookups import TooFewQuestions
from bot.usecases.model_answers import NoModelAnswer
from bot.usecases.schedule_admin import NotAllowed, StaleSchedule
from bot.usecases.team_questions import NotAllowed as NotQuestionAdmin
from bot.usecases.team_questions import Stale as StaleQuestion
from bot.views.mrkdwn import escape_mrkdwn

NOTHING_CHANGED = "何も変更していません。"
# "Nothing changed" straight after the refusal, so that the Home's one-line notice says it too.
NOT_ADMIN = f"すみません、ドリルのスケジュールを変更できるのは管理者だけです。{NOTHING_CHANGED}変更が必要な場合は管理者に相談してください。"
EXPORT_NOT_ADMIN = "すみません、ドリルの記録を CSV で書き出せるのは管理者だけです。必要な場合は管理者に相談してください。"
CHECK_FAILED = f"Slack に管理者かどうかを確認できませんでした。{NOTHING_CHANGED}少し待ってからもう一度お試しください。"
STALE_FORM = f"フォームを開いた後に、このチャンネルのスケジュールが変更されました。{NOTHING_CHANGED}フォームを開き直して、最新の設定から変更してください。"
NO_ROLES = "職種のデータが1件も読み込まれていないため、ドリルを設定できません。CONTENT_DIR の設定と `python -m bot check-content` の結果を確認してください。"
# A workspace's own questions (チームの質問): who may decide, and a press or form older than a decision.
QUESTION_NOT_ADMIN = f"すみません、チームの質問を承認・却下・編集・廃止できるのは管理者だけです。{NOTHING_CHANGED}"
QUESTION_LIST_NOT_ADMIN = "すみません、チームの質問の一覧を見られるのは管理者だけです（質問の提案は `/career propose` からできます）。"
STALE_QUESTION = f"この質問は、表示された後にほかの管理者が承認・却下・編集したか、見つからなくなりました。{NOTHING_CHANGED}最新の状態を確かめてください。"
FORGED_BUTTON = f"このボタンの内容を確認できませんでした（古いか、改ざんされています）。{NOTHING_CHANGED}"
# A token Slack no longer accepts: nothing works until the app is installed again.
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})


def check_failed(err: AdminCheckFailed) -> str:
    """Why the admin check could not be made and what to do, for the person who asked: never
    「管理者だけ」, which would tell a real admin they are not one."""
    if err.retryable:
        return CHECK_FAILED
    head = "Slack に管理者かどうかを確認できませんでした"
    if err.code == "missing_scope":
        scope = f"`{escape_mrkdwn(err.needed)}` の権限" if err.needed else "必要な権限"
        return f"{head}。ボットに {scope}がありません。{NOTHING_CHANGED}アプリの設定でこの権限を追加して、ワークスペースに再インストールしてください。"
    if err.code in TOKEN_ERRORS:
        return f"{head}。ボットのトークンが無効になっています。{NOTHING_CHANGED}アプリをワークスペースに再インストールしてください。"
    return (
        f"{head}（Slack の応答: `{escape_mrkdwn(err.code)}`）。{NOTHING_CHANGED}"
        "管理者として操作するには、ボットの運用者に ADMIN_USER_IDS へあなたのユーザー ID を追加してもらってください。"
    )


# Each sentence with its own mark: a refused permission is said politely, anything else is a ⚠️.
# Looked up along the exception's class hierarchy, most specific first.
_SENTENCES: dict[type[Exception], Callable[[Exception], str]] = {
    NotAllowed: lambda err: NOT_ADMIN,
    AdminCheckFailed: lambda err: f"⚠️ {check_failed(err)}",  # type: ignore[arg-type]
    StaleSchedule: lambda err: f"⚠️ {STALE_FORM}",
    NotQuestionAdmin: lambda err: QUESTION_NOT_ADMIN,
    StaleQuestion: lambda err: f"⚠️ {STALE_QUESTION}",
    # The sentence may quote what the admin typed: escaped, so `<!channel>` stays text.
    ScheduleError: lambda err: f"⚠️ {escape_mrkdwn(str(err))}",
    # The use-case wrote these sentences for the member; nothing in them came from input.
    CannotGrade: lambda err: f"⚠️ {err}",
    NoFeedback: lambda err: str(err),
    NoModelAnswer: lambda err: str(err),
    # The role's title comes from our content, not from input; escaped all the same.
    TooFewQuestions: lambda err: f"⚠️ {escape_mrkdwn(str(err))}",
}
# What an interaction catches to answer with `refusal(err)`.
REFUSALS: tuple[type[Exception], ...] = tuple(_SENTENCES)


def refusal(err: Exception, not_admin: str = NOT_ADMIN) -> str:
    """The mrkdwn line that tells the member why nothing happened. `not_admin`: what a non-admin is
    told when what they asked for is not a schedule change (the export)."""
    for kind in type(err).__mro__:
        if kind is NotAllowed:
            return not_admin
        if kind in _SENTENCES:
            return _SENTENCES[kind](err)
    raise TypeError(f"no refusal for {type(err).__name__}") from err
