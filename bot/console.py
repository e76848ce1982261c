"""The bot in a terminal: the same services and Block Kit renderers as Slack, shown as text.

Type `/career ciso` (the `/career` prefix is optional), a button's number to press it, or `quit`.
"""

from __future__ import annotations

import sys
from typing import Iterable, TextIO

from bot.services import Services
from bot.slack.blocks import Message
from bot.slack.plaintext import render

CONSOLE_USER = "UCONSOLE"
CONSOLE_CHANNEL = "CCONSOLE"
PROMPT = "career> "


class Console:
    def __init__(self, services: Services, out: TextIO = sys.stdout):
        self.services = services
        self.out = out
        self.buttons: list[dict] = []

    def show(self, message: Message) -> None:
        text, buttons = render(message.blocks)
        where = "（あなただけに表示）" if message.ephemeral else "（チャンネルに投稿）"
        self.out.write(f"{text}\n  {where}\n")
        if buttons:
            self.buttons = buttons

    def handle(self, line: str) -> bool:
        """Handle one line; False means the user asked to leave."""
        line = line.strip()
        if not line:
            return True
        if line in ("quit", "exit", "q", ":q"):
            return False
        if line.isdigit() and self.buttons:
            index = int(line) - 1
            if not 0 <= index < len(self.buttons):
                self.out.write(f"ボタンは 1〜{len(self.buttons)} の番号で選んでください。\n")
                return True
            button = self.buttons[index]
            self.show(self.services.career.handle_action(button["action_id"], button["value"], user_id=CONSOLE_USER))
            return True
        if line.startswith("/"):
            name, _, rest = line.partition(" ")
            if name != "/career":
                self.out.write(f"{name} というコマンドはありません。`/career help` をお試しください。\n")
                return True
            line = rest
        self.show(self.services.career.handle_command(line, user_id=CONSOLE_USER, channel_id=CONSOLE_CHANNEL))
        return True

    def run(self, lines: Iterable[str], interactive: bool) -> None:
        if interactive:
            self.out.write("career-drill-bot console — `/career help` で使い方、番号でボタン、quit で終了\n" + PROMPT)
            self.out.flush()
        for line in lines:
            if not self.handle(line):
                break
            if interactive:
                self.out.write(PROMPT)
                self.out.flush()


def run_console(services: Services, commands: list[str]) -> int:
    console = Console(services)
    if commands:
        console.run(commands, interactive=False)
        return 0
    try:
        console.run(sys.stdin, interactive=sys.stdin.isatty())
    except KeyboardInterrupt:
        sys.stdout.write("\n")
    return 0
