"""A file a member gave the bot is read with the bot token, and the token goes to Slack's hosts (or
SLACK_API_URL's) only: a file whose download is anywhere else is refused before any request."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.slack.files import NO_SCOPE, NOT_READ, FileRefused, download_text, too_big, trusted
from bot.testing.signing import BOT_TOKEN

API = "http://127.0.0.1:8123/api/"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://files.slack.com/files-pri/T1-F1/download/a.md", True),
        ("https://slack.com/files-pri/T1-F1/a.md", True),
        ("http://127.0.0.1:8123/files-pri/F1/download/a.md", True),  # SLACK_API_URL's own host (a stand-in)
        ("http://files.slack.com/files-pri/T1-F1/download/a.md", False),  # not over https
        ("https://slack.com.example.net/a.md", False),
        ("https://files.slack.com@example.net/a.md", False),
        ("https://example.net/?files.slack.com", False),
        ("http://127.0.0.1:9999/files-pri/F1/a.md", False),  # another port of the same host
        ("file:///etc/passwd", False),
        ("", False),
    ],
)
def test_the_token_goes_to_slacks_hosts_only(url, allowed):
    assert trusted(url, API) is allowed


def client_for(stub_api) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=stub_api.api_url)


def test_a_file_is_read_with_the_bot_token_through_the_web_api(stub_api):
    shared = stub_api.shared.share("a.md", "\ufeff## CTO\n質問".encode())
    text = download_text(client_for(stub_api), shared["id"], api_url=stub_api.api_url, max_bytes=100, timeout=5)
    assert text == "## CTO\n質問"  # the BOM dropped
    (download,) = stub_api.calls_to("download")
    assert download.token == BOT_TOKEN


def test_a_download_anywhere_else_is_never_requested(stub_api):
    stub_api.handlers["files.info"] = lambda call: {
        "ok": True,
        "file": {"id": "F1", "size": 10, "url_private_download": "https://example.net/steal"},
    }
    with pytest.raises(FileRefused) as refused:
        download_text(client_for(stub_api), "F1", api_url=stub_api.api_url, max_bytes=100, timeout=5)
    assert str(refused.value) == NOT_READ and stub_api.calls_to("download") == []


def test_a_file_over_the_cap_is_refused_even_when_files_info_understates_it(stub_api):
    shared = stub_api.shared.share("big.md", b"x" * 101)
    stub_api.handlers["files.info"] = lambda call: {
        **stub_api.shared.info(call),
        "file": {**stub_api.shared.info(call)["file"], "size": 1},
    }
    with pytest.raises(FileRefused) as refused:
        download_text(client_for(stub_api), shared["id"], api_url=stub_api.api_url, max_bytes=100, timeout=5)
    assert str(refused.value) == too_big(100)


def test_without_files_read_the_sentence_says_to_reinstall(stub_api):
    stub_api.script("files.info", (200, {}, {"ok": False, "error": "missing_scope", "needed": "files:read"}))
    with pytest.raises(FileRefused) as refused:
        download_text(client_for(stub_api), "F1", api_url=stub_api.api_url, max_bytes=100, timeout=5)
    assert str(refused.value) == NO_SCOPE
