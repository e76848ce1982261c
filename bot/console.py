"""The bot in a terminal: the same services and Block Kit renderers as Slack, shown as text.

Type `/career ciso` (the `/career` prefix is optional), a button's number to press it, or `quit`.
The drill works too, on an in-memory database with a clock you move yourself:
`:reply [user]` answers the latest drill in its thread, `:wait 30m` moves time on, `:time` shows it.
"""

from __future__ import annotations

import random
import re
import sys
from datetime import datetime, timedelta, timezone
from typing import Iterable, TextIO

from bot.config import Settings
from bot.domain.drill import DrillPost, DrillReveal
from bot.services import Services, build_services
from bot.slack import drill_blocks
from bot.slack.blocks import Message
from bot.slack.plaintext import render
from bot.store import repo

CONSOLE_USER = "UCONSOLE1"
CONSOLE_CHANNEL = "CCONSOLE1"
PROMPT = "career> "
_WAIT = re.compile(r"^(\d+)\s*(m|min|h|d)$")


class ManualClock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class ConsoleChat:
    """The drill's chat port, printing to the terminal what Slack would show in the channel."""

    def __init__(self, out: TextIO):
        self.out = out
        self.count = 0
        self.latest_ts: str | None = None

    def _next_ts(self) -> str:
        self.count += 1
        return f"1700000000.{self.count:06d}"

    def _print(self, where: str, message: Message) -> None:
        text, _ = render(message.blocks)
        self.out.write(f"\n[{where}]\n{text}\n")

    def post_question(self, channel_id: str, post: DrillPost, key: str) -> str:
        self._print(f"#{channel_id} に投稿", drill_blocks.drill_post(post))
        self.latest_ts = self._next_ts()
        return self.latest_ts

    def post_reveal(self, channel_id: str, thread_ts: str, reveal: DrillReveal, key: str) -> str:
        self._print(f"#{channel_id} のスレッドに返信", drill_blocks.drill_reveal(reveal))
        return self._next_ts()

    def find_posted(self, channel_id: str, key: str, since: datetime, thread_ts: str | None = None) -> str | None:
        return None  # the console never loses track of what it printed

    def mark_revealed(self, channel_id: str, ts: str, post: DrillPost) -> None:
        self.out.write("[元の投稿を「公開済み」に更新しました]\n")

    def notify(self, user_id: str, text: str) -> None:
        self.out.write(f"[DM to {user_id}] {text}\n")


class Console:
    def __init__(self, services: Services, out: TextIO = sys.stdout, chat: ConsoleChat | None = None, clock: ManualClock | None = None):
        self.services = services
        self.out = out
        self.chat = chat
        self.clock = clock
        self.buttons: list[dict] = []
        self.replies = 0

    def show(self, message: Message) -> None:
        text, buttons = render(message.blocks)
        where = "（あなただけに表示）" if message.ephemeral else "（チャンネルに投稿）"
        self.out.write(f"{text}\n  {where}\n")
        if buttons:
            self.buttons = buttons

    def tick(self) -> None:
        if self.services.drills is not None and self.clock is not None:
            self.services.drills.tick(self.clock())

    def handle(self, line: str) -> bool:
        """Handle one line; False means the user asked to leave."""
        line = line.strip()
        if not line:
            return True
        if line in ("quit", "exit", "q", ":q"):
            return False
        if line.startswith(":"):
            self._console_command(line[1:].split())
            return True
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
        self.tick()
        return True

    def _console_command(self, words: list[str]) -> None:
        if self.clock is None or self.services.drills is None:
            self.out.write("この console ではドリルを試せません。\n")
            return
        name = words[0] if words else ""
        if name == "time":
            self.out.write(f"いまの時刻: {self.clock():%Y-%m-%d %H:%M} UTC\n")
        elif name == "wait" and len(words) == 2 and _WAIT.match(words[1]):
            amount, unit = _WAIT.match(words[1]).groups()  # type: ignore[union-attr]
            step = {"m": timedelta(minutes=1), "min": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}[unit]
            end = self.clock() + step * int(amount)
            # Walk the clock a minute at a time so every post and reveal on the way happens in order.
            while self.clock.now < end:
                self.clock.now = min(end, self.clock.now + timedelta(minutes=1))
                self.tick()
            self.out.write(f"時刻を進めました: {self.clock():%Y-%m-%d %H:%M} UTC\n")
        elif name == "reply":
            self._reply(words[1] if len(words) > 1 else "UMEMBER01")
        else:
            self.out.write("console のコマンド: `:reply [ユーザーID]`、`:wait 30m|2h|1d`、`:time`\n")

    def _reply(self, user_id: str) -> None:
        drills = self.services.drills
        assert drills is not None and self.clock is not None
        with drills.sessions() as session:
            drill = repo.latest_open_drill(session, CONSOLE_CHANNEL)
            thread_ts = drill.message_ts if drill else None
        if not thread_ts:
            self.out.write("回答を受け付けているドリルがありません。`/career drill now` で投稿できます。\n")
            return
        self.replies += 1
        ts = f"1700000001.{self.replies:06d}"
        counted = drills.record_reply(CONSOLE_CHANNEL, thread_ts, ts, user_id, self.clock())
        self.out.write(f"{user_id} がスレッドに回答しました{'' if counted else '（記録されませんでした）'}。\n")

    def run(self, lines: Iterable[str], interactive: bool) -> None:
        if interactive:
            self.out.write("career-drill-bot console — `/career help` で使い方、番号でボタン、:wait 10m で時間を進める、quit で終了\n" + PROMPT)
            self.out.flush()
        for line in lines:
            if not self.handle(line):
                break
            if interactive:
                self.out.write(PROMPT)
                self.out.flush()


def build_console(settings: Settings, out: TextIO = sys.stdout, start: datetime | None = None, rng: random.Random | None = None) -> Console:
    clock = ManualClock(start or datetime.now(timezone.utc).replace(second=0, microsecond=0))
    chat = ConsoleChat(out)
    services = build_services(
        settings, chat=chat, is_admin=lambda user_id: user_id == CONSOLE_USER or user_id in settings.admin_user_ids,
        clock=clock, rng=rng, database_url="sqlite://",  # a sandbox: nothing the console does is kept
    )
    return Console(services, out=out, chat=chat, clock=clock)


def run_console(settings: Settings, commands: list[str]) -> int:
    console = build_console(settings)
    if commands:
        console.run(commands, interactive=False)
        return 0
    try:
        console.run(sys.stdin, interactive=sys.stdin.isatty())
    except KeyboardInterrupt:
        sys.stdout.write("\n")
    return 0
