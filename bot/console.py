"""The bot in a terminal: the same use-cases and Block Kit renderers as Slack, shown as text.

Type `/career ciso` (the `/career` prefix is optional), a button's number to press it, or `quit`.
The drill works too, on a throw-away database with a clock you move yourself:
`:reply [user]` answers the latest drill in its thread, `:next` jumps to the next post or reveal,
`:wait 30m` moves time on, `:time` shows it. A line starting with `#` is a comment.
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator, TextIO

from bot.commands.router import CommandRouter
from bot.composition import Bot, build_bot
from bot.config import Settings
from bot.domain.drill import DrillPost, DrillReveal, DrillStatus
from bot.ports import Message, ThreadMessage
from bot.views import drill_blocks
from bot.views.plaintext import render
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

    def thread_messages(self, channel_id: str, thread_ts: str) -> list[ThreadMessage]:
        return []

    def mark_revealed(self, channel_id: str, ts: str, post: DrillPost) -> None:
        self.out.write("[元の投稿を「公開済み」に更新しました]\n")

    def notify(self, user_id: str, text: str) -> None:
        self.out.write(f"[DM to {user_id}] {text}\n")


class Console:
    def __init__(self, router: CommandRouter, out: TextIO = sys.stdout, bot: Bot | None = None, clock: ManualClock | None = None):
        self.router = router
        self.out = out
        self.bot = bot
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
        if self.bot is not None and self.clock is not None:
            self.bot.cycle.tick(self.clock())

    def handle(self, line: str) -> bool:
        """Handle one line; False means the user asked to leave."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line in ("quit", "exit", "q", ":q"):
            return False
        if line.startswith(":"):
            self._console_command(line[1:].split("#", 1)[0].split())  # `# …` after a console command is a comment
            return True
        if line.isdigit() and self.buttons:
            index = int(line) - 1
            if not 0 <= index < len(self.buttons):
                self.out.write(f"ボタンは 1〜{len(self.buttons)} の番号で選んでください。\n")
                return True
            button = self.buttons[index]
            self.show(self.router.handle_action(button["action_id"], button["value"], user_id=CONSOLE_USER))
            return True
        if line.startswith("/"):
            name, _, rest = line.partition(" ")
            if name != "/career":
                self.out.write(f"{name} というコマンドはありません。`/career help` をお試しください。\n")
                return True
            line = rest
        self.show(self.router.handle_command(line, user_id=CONSOLE_USER, channel_id=CONSOLE_CHANNEL))
        self.tick()
        return True

    def _console_command(self, words: list[str]) -> None:
        if self.clock is None or self.bot is None:
            self.out.write("この console ではドリルを試せません。\n")
            return
        name = words[0] if words else ""
        if name == "time":
            self.out.write(f"いまの時刻: {self._now_text()}\n")
        elif name == "wait" and len(words) == 2 and _WAIT.match(words[1]):
            amount, unit = _WAIT.match(words[1]).groups()  # type: ignore[union-attr]
            step = {"m": timedelta(minutes=1), "min": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}[unit]
            self._walk_to(self.clock() + step * int(amount))
            self.out.write(f"時刻を進めました: {self._now_text()}\n")
        elif name == "next":
            target = self._next_event()
            if target is None:
                self.out.write("この先の予定はありません。`/career schedule set ciso 09:00` でドリルを設定できます。\n")
                return
            self._walk_to(target)
            self.out.write(f"次の予定まで時刻を進めました: {self._now_text()}\n")
        elif name == "reply":
            # With no user given, you answer: `/career stats` then shows your own record.
            self._reply(words[1] if len(words) > 1 else CONSOLE_USER)
        else:
            self.out.write("console のコマンド: `:next`、`:reply [ユーザーID]`（省略するとあなたの回答）、`:wait 30m|2h|1d`、`:time`\n")

    def _walk_to(self, end: datetime) -> None:
        """Walk the clock a minute at a time so every post and reveal on the way happens in order."""
        assert self.clock is not None
        for _ in range(60 * 24 * 32):  # bounded: a month
            if self.clock.now >= end:
                break
            self.clock.now = min(end, self.clock.now + timedelta(minutes=1))
            self.tick()

    def _next_event(self) -> datetime | None:
        """The next instant something happens in the console's channel: a post or a reveal."""
        assert self.bot is not None and self.clock is not None
        now = self.clock()
        found: list[datetime] = []
        with self.bot.cycle.sessions() as session:
            drill = repo.latest_open_drill(session, CONSOLE_CHANNEL)
            if drill is not None:
                at = drill.post_at if drill.status in (DrillStatus.PENDING, DrillStatus.POSTING) else drill.reveal_at
                found.append(at.replace(tzinfo=timezone.utc))
        view = self.bot.schedules.show(CONSOLE_CHANNEL, now)
        if view is not None and view.next is not None:
            found.append(view.next.post_at)
        return max(now + timedelta(minutes=1), min(found)) if found else None

    def _now_text(self) -> str:
        assert self.clock is not None and self.bot is not None
        now = self.clock()
        view = self.bot.schedules.show(CONSOLE_CHANNEL, now)
        zone = view.schedule.timezone if view else self.bot.settings.default_timezone
        from zoneinfo import ZoneInfo

        return f"{now.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}（{now:%Y-%m-%d %H:%M} UTC）"

    def _reply(self, user_id: str) -> None:
        bot = self.bot
        assert bot is not None and self.clock is not None
        with bot.cycle.sessions() as session:
            drill = repo.latest_open_drill(session, CONSOLE_CHANNEL)
            thread_ts = drill.message_ts if drill else None
        if not thread_ts:
            self.out.write("回答を受け付けているドリルがありません。`/career drill now` で投稿できます。\n")
            return
        self.replies += 1
        ts = f"1700000001.{self.replies:06d}"
        counted = bot.replies.record(CONSOLE_CHANNEL, thread_ts, ts, user_id, self.clock())
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


@contextmanager
def sandbox_database() -> Iterator[str]:
    """A throw-away SQLite file: nothing the console does is kept. A file rather than `sqlite://`,
    so the tick's worker threads each use a connection of their own, exactly as in production."""
    with tempfile.TemporaryDirectory(prefix="career-console-") as folder:
        yield f"sqlite:///{Path(folder) / 'console.sqlite3'}"


def build_console(settings: Settings, database_url: str, out: TextIO = sys.stdout, start: datetime | None = None, rng: random.Random | None = None) -> Console:
    clock = ManualClock(start or datetime.now(timezone.utc).replace(second=0, microsecond=0))
    chat = ConsoleChat(out)
    bot = build_bot(
        settings, chat, is_admin=lambda user_id: user_id == CONSOLE_USER or user_id in settings.admin_user_ids,
        bot_in_channel=lambda channel_id: True, clock=clock, rng=rng, database_url=database_url,
    )
    return Console(bot.router, out=out, bot=bot, clock=clock)


def _line_editing() -> None:
    """Arrow keys, history and editing at the prompt, where the platform has readline."""
    try:
        import readline  # noqa: F401 - importing it is what turns line editing on for input()
    except ImportError:
        pass


def _typed_lines() -> Iterator[str]:
    while True:
        try:
            yield input(PROMPT)
        except EOFError:
            return


def run_console(settings: Settings, commands: list[str]) -> int:
    with sandbox_database() as url:
        console = build_console(settings, url)
        try:
            if commands:
                console.run(commands, interactive=False)
            elif sys.stdin.isatty():
                _line_editing()
                console.out.write("career-drill-bot console — `/career help` で使い方、番号でボタン、:next で次の投稿・公開まで進める、quit で終了\n")
                console.run(_typed_lines(), interactive=False)
            else:
                console.run(sys.stdin, interactive=False)
        except KeyboardInterrupt:
            sys.stdout.write("\n")
        finally:
            assert console.bot is not None
            console.bot.engine.dispose()
    return 0
