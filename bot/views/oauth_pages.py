"""The OAuth install pages, in Japanese: pure functions from data to a whole HTML document.

Each page stands alone: inline CSS only, no image, font, script or stylesheet from anywhere else
(Bolt's default install page is English and loads its button from Slack's CDN). Everything that
comes from outside (the authorize URL, a workspace name, an error code from the query string) is
escaped. No page is ever given a token.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from bot.config import INSTALL_PATH

APP_NAME = "Career Drill"

# Why an install did not complete, by the reason Bolt's OAuthFlow gives its failure handler.
# Bolt cannot tell a forged state from a reused or an expired one once the state store has looked
# it up, so those share one sentence; "invalid_browser" is a state without its cookie (another
# browser, or a link used a second time after the first install cleared the cookie).
INVALID_LINK = "このインストールリンクは無効か期限切れです。もう一度インストールページから始めてください。"
OTHER_BROWSER = (
    "このインストールリンクは無効か期限切れです。インストールを始めたのと同じブラウザーで、もう一度インストールページから始めてください。"
)
CANCELLED = "インストールはキャンセルされました。インストールするときは、もう一度インストールページから始めてください。"
NO_CODE = "Slack からの応答に認可コードがありませんでした。もう一度インストールページから始めてください。"
NOT_SAVED = "サーバーでインストールを保存できませんでした。時間をおいて、もう一度インストールページから始めてください。"
SERVER_ERROR = "サーバーでインストールを完了できませんでした。時間をおいて、もう一度インストールページから始めてください。"
REFUSED = "Slack がインストールを受け付けませんでした。もう一度インストールページから始めてください。"
BUSY = "いまインストールページへのアクセスが集中しています。1分ほど待ってから、このページをもう一度開いてください。"

_STYLE = """
body { margin: 0; padding: 48px 16px; background: #f8f8f8; color: #1d1c1d;
  font-family: system-ui, -apple-system, "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans CJK JP",
  "Noto Sans JP", "Yu Gothic", Meiryo, sans-serif; line-height: 1.7; }
main { max-width: 560px; margin: 0 auto; padding: 32px; background: #fff; border-radius: 12px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.12); }
h1 { margin: 0 0 16px; font-size: 1.5rem; line-height: 1.4; }
p, li { font-size: 1rem; }
ol { padding-left: 1.4em; }
code { padding: 1px 5px; background: #f1f1f1; border-radius: 4px; font-size: 0.95em; }
.button { display: inline-block; margin: 8px 0 16px; padding: 12px 24px; background: #4a154b; color: #fff;
  border-radius: 8px; font-weight: bold; text-decoration: none; }
.button:hover, .button:focus { background: #611f69; }
.note { color: #616061; font-size: 0.9rem; }
.failure h1 { color: #b3261e; }
""".strip()


def install_page(authorize_url: str) -> str:
    """The page at /slack/install: what the bot does, and the「Slack に追加」button to Slack's consent page."""
    return _page(
        title=f"{APP_NAME} を Slack に追加",
        body=(
            f"<h1>{APP_NAME} を Slack に追加</h1>\n"
            f"<p>{APP_NAME} は、面接対策の勉強会のために、職種ガイドと毎日の面接ドリルをチャンネルに届けるボットです。</p>\n"
            f'<p><a class="button" href="{escape(authorize_url, quote=True)}">Slack に追加</a></p>\n'
            '<p class="note">ボタンを押すと Slack の画面に移ります。インストールするワークスペースを選び、許可してください。</p>'
        ),
    )


def busy_page() -> str:
    """The page at /slack/install while this process has issued its share of install links for the
    minute: no link (and so no stored state), and when to come back."""
    return _page(
        title="しばらくお待ちください",
        body=(f'<h1>しばらくお待ちください</h1>\n<p>{escape(BUSY)}</p>\n<p><a class="button" href="{INSTALL_PATH}">もう一度開く</a></p>'),
    )


def success_page(workspace_name: str | None, team_id: str | None) -> str:
    """The page after a completed install: where it went, and what to do next."""
    where = f"「{escape(workspace_name)}」に" if workspace_name else "ワークスペースに"
    open_slack = (
        f'<p><a class="button" href="slack://open?team={escape(quote(team_id, safe=""), quote=True)}">Slack を開く</a></p>\n'
        if team_id
        else ""
    )
    return _page(
        title="インストールが完了しました",
        body=(
            "<h1>インストールが完了しました</h1>\n"
            f"<p>{APP_NAME} を{where}インストールしました。次の手順で使い始められます。</p>\n"
            "<ol>\n"
            "<li>ドリルを投稿するチャンネルで <code>/invite @career-drill</code> と入力し、ボットをチャンネルに招待してください。</li>\n"
            "<li><code>/career help</code> で使い方を確認できます。</li>\n"
            "</ol>\n"
            f"{open_slack}"
        ),
    )


ERROR_CODE = re.compile(r"[a-z0-9_.:]{1,60}")


def failure_message(reason: str, slack_error: str | None = None) -> str:
    """One sentence (two where the fix needs saying) for why an install did not complete.

    `reason` is Bolt's: an `error` Slack put in the redirect (access_denied when the member pressed
    キャンセル), invalid_browser, invalid_state, missing_code, invalid_code (Slack refused the code;
    `slack_error` then names the method and its error, such as "oauth.v2.access: invalid_code"),
    storage_error, or server_error for anything else that went wrong on our side."""
    if reason == "access_denied":
        return CANCELLED
    if reason == "invalid_state":
        return INVALID_LINK
    if reason == "invalid_browser":
        return OTHER_BROWSER
    if reason == "missing_code":
        return NO_CODE
    if reason == "storage_error":
        return NOT_SAVED
    if reason == "server_error":
        return SERVER_ERROR
    if reason == "invalid_code":
        if slack_error:
            return f"Slack がインストールを受け付けませんでした（エラー: {_short(slack_error)}）。もう一度インストールページから始めてください。"
        return REFUSED
    # Any other `error` Slack sent back in the redirect. The query string is anyone's to write: only
    # something shaped like Slack's error codes is shown, never words planted in our sentence.
    if ERROR_CODE.fullmatch(reason):
        return f"Slack がインストールを完了しませんでした（エラー: {reason}）。もう一度インストールページから始めてください。"
    return "Slack がインストールを完了しませんでした。もう一度インストールページから始めてください。"


def failure_page(reason: str, slack_error: str | None = None) -> str:
    """The page after an install that did not complete, with a way back to the install page."""
    return _page(
        title="インストールできませんでした",
        body=(
            "<h1>インストールできませんでした</h1>\n"
            f"<p>{escape(failure_message(reason, slack_error))}</p>\n"
            f'<p><a class="button" href="{INSTALL_PATH}">インストールページに戻る</a></p>'
        ),
        css_class="failure",
    )


def _short(code: str, limit: int = 80) -> str:
    """An error code from the query string is the requester's to choose: keep it short."""
    return code if len(code) <= limit else code[:limit] + "…"


def _page(title: str, body: str, css_class: str = "") -> str:
    main_class = f' class="{css_class}"' if css_class else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="ja">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>\n{_STYLE}\n</style>\n"
        "</head>\n"
        "<body>\n"
        f"<main{main_class}>\n{body}\n</main>\n"
        "</body>\n"
        "</html>\n"
    )
