"""The member's DM with the bot (`message` events with `channel_type: im`) and Slack's AI-app surface.

A message in a running mock interview is taken before the 200, like a thread reply: judged in
memory, the session moved by compare-and-set with the steps it owes, the write bounded, so a failed
write gets a non-200 and Slack delivers it again, and a delivery already taken is known by its ts.
The steps are sent after the ack, from a lazy listener. A message with no session running (「模擬面接
cto」, 「今日の復習」, anything else) is answered from the lazy listener, once per message.

The AI-app surface (Agents & AI Apps): under the agent messaging experience (`agent_view`, the
default and the only one for apps going forward) conversations are the app's Messages tab, so
opening it (`app_home_opened`, tab `messages`) sets the suggested prompts at its top (the
manifest's `agent_view` lists the same). Choosing a prompt sends its words as the member's message,
which starts the session in that conversation. A message in a thread there (the legacy assistant
pane's, or a reply under a question) is taken the same way, and answered in its thread.

Why Bolt's `Assistant` middleware (`app.assistant(...)`) is not used, though it is made for this
surface (checked against slack_bolt 1.30):

- Its `user_message` matcher takes every member's message in a DM thread (channel_type `im`, a
  `thread_ts`, no `bot_id`), and the middleware runs before the app's listeners and returns once a
  listener of its own matched: a plain `message` listener never sees a threaded DM message again.
  The DM and its threads are one conversation here, taken by one listener.
- It drops edits and deletions in those threads: a `message_changed` or `message_deleted` there is
  acked by the middleware and reaches no listener.
- Its `say()` reads the thread's context before every post with conversations.replies (the default
  thread-context store finds the bot's first reply in the thread for its metadata): one more Web API
  call per message sent, rate-limited, for a context this bot does not use.
- Its listeners run before the ack unless given as lazy (the web process sets
  `process_before_response`), so a listener that posts would hold the 200 on the Web API. Here the
  ack waits only on the bounded database write, and every message is sent after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.commands.mock import MockCommands
from bot.domain.drill import is_member_reply
from bot.ports import ChatError, ChatPorts
from bot.slack.chat import _call
from bot.slack.teams import TeamOf
from bot.usecases.mock_interviews import MockInterviews, Taken

log = logging.getLogger(__name__)

TAKEN = "mock_taken"  # set by the ack listener in the request's context, read by the lazy one
PROMPTS_TITLE = "どの練習をしますか？"
SUGGESTED_PROMPTS = (
    {"title": "CTOの模擬面接（5問）", "message": "CTOの模擬面接（5問）"},
    {"title": "共通質問で練習", "message": "共通質問で練習"},
    {"title": "今日の復習", "message": "今日の復習"},
)
# first(key, request ts): False when that DM message was answered already (a retried event).
FirstDelivery = Callable[[str, int], bool]


@dataclass(frozen=True)
class DirectMessages:
    interviews: MockInterviews
    commands: MockCommands
    chats: ChatPorts
    clock: Callable[[], datetime]
    first_delivery: FirstDelivery = lambda key, request_ts: True


def is_dm(event: dict) -> bool:
    return event.get("channel_type") == "im"


def is_messages_tab(event: dict) -> bool:
    return event.get("tab") == "messages"


def take_message(event: dict, context: BoltContext, dms: DirectMessages, team_id: str) -> None:
    """Before the 200: a member's message moves their running session, once."""
    if event.get("subtype") is not None or not is_member_reply(
        event.get("user"), None, bool(event.get("bot_id")), context.get("bot_user_id")
    ):
        return  # edits, deletions, joins and bots (ours too) are no answers
    channel_id, ts = event.get("channel") or "", event.get("ts") or ""
    if not channel_id or not ts:
        return
    # The text is judged in memory and goes no further: never stored, never logged.
    context[TAKEN] = dms.interviews.message(event["user"], channel_id, ts, event.get("text") or "", dms.clock(), team_id=team_id)


def answer_message(event: dict, context: BoltContext, dms: DirectMessages, team_id: str) -> None:
    """After the 200: send what the session owes, or answer the DM's own words."""
    taken = context.get(TAKEN)
    user_id, channel_id, ts = event.get("user") or "", event.get("channel") or "", event.get("ts") or ""
    if taken == Taken.MOVED:
        dms.interviews.flush_member(user_id, dms.clock(), team_id=team_id)
        return
    if taken != Taken.NO_SESSION:
        return  # not taken (a bot, an edit, a write that failed and will be retried), or seen already
    if not dms.first_delivery(f"im:{team_id}:{channel_id}:{ts}"[:80], _seconds(ts)):
        return
    thread_ts = event.get("thread_ts")
    message = dms.commands.dm_message(user_id, channel_id, thread_ts, ts, event.get("text") or "", team_id=team_id)
    if message is None:
        return
    try:
        dms.chats(team_id).say(channel_id, message, thread_ts=thread_ts)
    except ChatError as err:
        log.warning("could not answer a DM (%s)", err.code)


def set_prompts(client: WebClient, channel_id: str, thread_ts: str | None = None) -> None:
    """The suggested prompts at the top of the Messages tab (or of a legacy assistant thread)."""
    if not channel_id:
        return
    thread = {"thread_ts": thread_ts} if thread_ts else {}
    try:
        _call(
            client.assistant_threads_setSuggestedPrompts,
            channel_id=channel_id,
            title=PROMPTS_TITLE,
            prompts=list(SUGGESTED_PROMPTS),
            **thread,
        )
    except ChatError as err:
        # Without the Agents & AI Apps feature (or assistant:write) Slack refuses: the DM works without prompts.
        log.info("suggested prompts not set (%s)", err.code)


def _seconds(ts: str) -> int:
    try:
        return int(float(ts))
    except (TypeError, ValueError):
        return 0


def register(app: App, dms: DirectMessages, team_of: TeamOf) -> None:
    """Before the thread-reply listener and the App Home's: Bolt runs the first listener that matches."""

    def ack_message(ack: Ack, event: dict, context: BoltContext) -> None:
        take_message(event, context, dms, team_of(context))
        ack()

    def lazy_message(event: dict, context: BoltContext) -> None:
        answer_message(event, context, dms, team_of(context))

    def ack_only(ack: Ack) -> None:
        ack()

    def lazy_tab(event: dict, client: WebClient) -> None:
        set_prompts(client, event.get("channel") or "")

    app.event("message", matchers=[lambda event: is_dm(event)])(ack=ack_message, lazy=[lazy_message])
    app.event("app_home_opened", matchers=[lambda event: is_messages_tab(event)])(ack=ack_only, lazy=[lazy_tab])
