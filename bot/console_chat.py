"""The console's chat service: what the bot would post in Slack, printed as a transcript."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.domain.announcements import Reminder, WeeklyDigest
from bot.domain.answer_feedback import AnswerFeedback
from bot.domain.drill import DrillPost, DrillReveal
from bot.domain.mock_interview import MockMessage
from bot.ports import Message, ThreadMessage
from bot.views import announcement_blocks, drill_blocks, feedback_blocks, mock_blocks
from bot.views.plaintext import render

CONSOLE_DM = "DCONSOLE1"  # the console user's DM with the bot: where a mock interview runs
_DM_NOTE = "  （番号でボタンを押せます。回答は `:answer <回答>`）\n"


class ConsoleChat:
    """The drill's chat port, printing to the terminal what Slack would show in the channel."""

    def __init__(self, out: TextIO):
        self.out = out
        self.count = 0
        self.latest_ts: str | None = None
        # Told of the buttons of what is posted in the channel (the reveal's self-grades), so the
        # console can press them by number.
        self.on_buttons: Callable[[list[dict]], None] | None = None

    def _next_ts(self) -> str:
        self.count += 1
        return f"1700000000.{self.count:06d}"

    def _print(
        self,
        where: str,
        message: Message,
        note: str = "  （番号のボタンはあなたの自己評価です。ほかのメンバーとしては `:grade <評価> <ユーザーID>`）\n",
    ) -> None:
        text, buttons = render(message.blocks)
        self.out.write(f"\n[{where}]\n{text}\n")
        if buttons:
            self.out.write(note)
            if self.on_buttons is not None:
                self.on_buttons(buttons)

    def post_question(self, channel_id: str, post: DrillPost, key: str) -> str:
        self._print(f"#{channel_id} に投稿", drill_blocks.drill_post(post))
        self.latest_ts = self._next_ts()
        return self.latest_ts

    def post_reveal(self, channel_id: str, thread_ts: str, reveal: DrillReveal, key: str) -> str:
        self._print(f"#{channel_id} のスレッドに返信", drill_blocks.drill_reveal(reveal))
        return self._next_ts()

    def find_posted(self, channel_id: str, key: str, since: datetime, thread_ts: str | None = None) -> str | None:
        return None  # the console never loses track of what it printed

    def thread_messages(self, channel_id: str, thread_ts: str) -> list[ThreadMessage]:
        return []

    def mark_revealed(self, channel_id: str, ts: str, post: DrillPost) -> None:
        self.out.write("[元の投稿を「公開済み」に更新しました]\n")

    def notify(self, user_id: str, text: str) -> None:
        self.out.write(f"[DM to {user_id}] {text}\n")

    def post_feedback(self, channel_id: str, thread_ts: str, user_id: str, feedback: AnswerFeedback) -> None:
        self._print(f"#{channel_id} のスレッドで {user_id} にだけ表示", feedback_blocks.answer_feedback(feedback))

    def upload_file(self, user_id: str, filename: str, content: bytes, title: str, comment: str) -> None:
        """Slack would send the file in a DM; the console keeps it in a temporary file."""
        path = Path(tempfile.mkdtemp(prefix="career-drill-")) / filename
        path.write_bytes(content)
        if filename.endswith(".csv"):
            rows = max(0, content.count(b"\r\n") - 1)
            self.out.write(f"[DM to {user_id}] {comment}\n  CSV（{rows}行）: {path}\n")
        else:
            self.out.write(f"[DM to {user_id}] {comment}\n  ファイル: {path}\n")

    def post_reminder(self, channel_id: str, thread_ts: str, reminder: Reminder, key: str) -> str:
        self._print(f"#{channel_id} のスレッドに返信", announcement_blocks.reminder_message(reminder))
        return self._next_ts()

    def post_digest(self, channel_id: str, digest: WeeklyDigest, key: str) -> str:
        self._print(f"#{channel_id} に投稿", announcement_blocks.digest_message(digest))
        return self._next_ts()

    def open_dm(self, user_id: str) -> str:
        return CONSOLE_DM

    def post_mock(self, channel_id: str, thread_ts: str | None, message: MockMessage, key: str) -> str:
        self._print("DM", mock_blocks.mock_message(message), _DM_NOTE)
        return self._next_ts()

    def say(self, channel_id: str, message: Message, thread_ts: str | None = None) -> str:
        self._print("DM", message, _DM_NOTE)
        return self._next_ts()
