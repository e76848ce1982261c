"""Members' messages never reach the logs, even with the root logger at DEBUG: slack_sdk would log
a thread's messages (a response body) there."""

from __future__ import annotations

import logging

from bot.slack.chat import SlackChat
from bot.slack.client import make_claim_client, make_web_client
from tests.conftest import CONTENT_DIR
from tests.support.botserver import settings_for

MARKER = "XYZZY-a-member-wrote-this"  # ASCII: slack_sdk escapes non-ASCII in the bodies it logs


def test_a_thread_read_at_debug_level_logs_no_member_text(stub_api, caplog):
    logging.getLogger("slack_sdk").setLevel(logging.NOTSET)  # as a fresh process has it
    caplog.set_level(logging.DEBUG)
    stub_api.handlers["conversations.replies"] = lambda call: {
        "ok": True, "messages": [{"ts": "1.1", "user": "UAKI00001", "text": MARKER}], "response_metadata": {"next_cursor": ""},
    }
    settings = settings_for(stub_api, CONTENT_DIR)
    chat = SlackChat(make_claim_client(settings), make_web_client(settings))
    found = chat.thread_messages("C0STUDY01", "1.0")
    assert [m.user_id for m in found] == ["UAKI00001"]
    assert stub_api.calls_to("conversations.replies")  # the body did come back …
    assert MARKER not in caplog.text  # … and was not logged
