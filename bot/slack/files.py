"""A file a member gave the bot (a modal's file_input), read as text: files.info through
SLACK_API_URL, then its `url_private_download` with the bot token.

The token is sent only to Slack's own hosts (https, *.slack.com) or to SLACK_API_URL's host (where
a stand-in serves both), never along a redirect, and the file is read up to a cap: a bigger one is
refused with a sentence, not read to its end."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

NO_SCOPE = "ファイルを読めませんでした。アプリにファイルを読む権限（files:read）がありません。ワークスペースにアプリを再インストールしてから、もう一度お試しください。"
NOT_READ = "ファイルを読めませんでした。少し待ってから、もう一度お試しください。"
NOT_TEXT = "ファイルを UTF-8 のテキストとして読めませんでした。Markdown（.md）か .txt のファイルを選んでください。"
_SCOPE_ERRORS = frozenset({"missing_scope", "not_allowed_token_type", "no_permission", "not_authed", "invalid_auth"})


class FileRefused(Exception):
    """The file was not read; the sentence (plain Japanese, no markup) says why."""


def too_big(max_bytes: int) -> str:
    return f"ファイルが大きすぎます（{max_bytes // 1000}KBまで）。質問を分けて、いくつかのファイルで取り込んでください。"


def trusted(url: str, api_url: str) -> bool:
    """Whether the bot token may be sent to `url`: Slack's own host over https, or SLACK_API_URL's."""
    found, api = urlsplit(url), urlsplit(api_url)
    if not found.hostname:
        return False
    if (found.scheme, found.netloc) == (api.scheme, api.netloc):
        return True
    host = found.hostname.lower()
    return found.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com"))


def download_text(client: WebClient, file_id: str, *, api_url: str, max_bytes: int, timeout: float) -> str:
    """The file's text (UTF-8, a BOM dropped). Raises FileRefused."""
    try:
        info = client.files_info(file=file_id)
    except SlackApiError as err:
        code = str((err.response or {}).get("error") or "")
        log.warning("files.info for an import failed (%s)", code)
        raise FileRefused(NO_SCOPE if code in _SCOPE_ERRORS else NOT_READ) from None
    found = info.get("file") or {}
    size = found.get("size")
    if isinstance(size, int) and size > max_bytes:
        raise FileRefused(too_big(max_bytes))
    url = str(found.get("url_private_download") or found.get("url_private") or "")
    if not trusted(url, api_url):
        log.warning("an import's file is not on a Slack host; not downloaded")
        raise FileRefused(NOT_READ)
    request = urllib.request.Request(url, method="GET")
    # Not sent along a redirect: only the host checked above ever sees the token.
    request.add_unredirected_header("Authorization", f"Bearer {client.token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the URL's host is checked above
            kind = str(response.headers.get("Content-Type") or "")
            data = response.read(max_bytes + 1)
    except (urllib.error.URLError, OSError, ValueError) as err:
        log.warning("downloading an import's file failed (%s)", type(err).__name__)
        raise FileRefused(NOT_READ) from None
    if len(data) > max_bytes:
        raise FileRefused(too_big(max_bytes))
    if "text/html" in kind.lower():
        # Slack answers a download without files:read (or with a bad token) with its sign-in page.
        raise FileRefused(NO_SCOPE)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(NOT_TEXT) from None
