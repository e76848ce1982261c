"""The console, assembled: the whole bot behind a terminal, on a throw-away database and a clock
that moves only when told. `python -m bot console` runs it; tests build one with build_console."""

from __future__ import annotations

import random
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from bot.composition import build_bot, build_home_tab, build_schedule_editor
from bot.config import Settings
from bot.console import CONSOLE_USER, PROMPT, Console, ConsoleChat, ManualClock


@contextmanager
def sandbox_database() -> Iterator[str]:
    """A throw-away SQLite file: nothing the console does is kept. A file rather than `sqlite://`,
    so the tick's worker threads each use a connection of their own, exactly as in production."""
    with tempfile.TemporaryDirectory(prefix="career-console-") as folder:
        yield f"sqlite:///{Path(folder) / 'console.sqlite3'}"


def console_start(wall: datetime) -> datetime:
    """Where the console clock starts: thirty seconds into the current minute, never on its edge.

    In Slack a command can never arrive at 09:00:00.000, so a schedule set for 09:00 during the
    09:00 minute has already missed today's post and starts tomorrow. The console's clock stands
    still while you type; started at 09:00:00 it would post at once instead, and every second of that
    minute would behave unlike Slack. Half a minute in, any second of the minute behaves as Slack
    does, and `:time` (which shows minutes) still reads the current minute."""
    return wall.astimezone(timezone.utc).replace(second=30, microsecond=0)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def build_console(
    settings: Settings,
    database_url: str,
    out: TextIO = sys.stdout,
    start: datetime | None = None,
    rng: random.Random | None = None,
    wall_clock: Callable[[], datetime] = _utc_now,
) -> Console:
    """`start`: the console clock's first reading; by default the middle of `wall_clock`'s minute."""
    clock = ManualClock(start or console_start(wall_clock()))
    chat = ConsoleChat(out)
    bot = build_bot(
        settings,
        chat,
        is_admin=lambda user_id, team_id: user_id == CONSOLE_USER or user_id in settings.admin_user_ids,
        bot_in_channel=lambda channel_id, team_id: True,
        clock=clock,
        rng=rng,
        database_url=database_url,
    )
    return Console(
        bot.router,
        out=out,
        bot=bot,
        clock=clock,
        chat=chat,
        schedule_editor=lambda: build_schedule_editor(bot),
        home_tab=lambda: build_home_tab(bot, clock),
    )


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
            sys.stdout.write("\n")  # Ctrl-D: the shell's prompt then starts on a line of its own
            return


def _leave_on_hang_up() -> None:
    """A closed terminal (SIGHUP) or a `kill` (SIGTERM) leaves like Ctrl-C, through the `finally`
    and `with` blocks, so the throw-away database is deleted rather than left in the temp folder."""

    def leave(signum: int, _frame) -> None:
        raise SystemExit(128 + signum)

    for name in ("SIGHUP", "SIGTERM"):
        if hasattr(signal, name):  # no SIGHUP on Windows
            signal.signal(getattr(signal, name), leave)


def run_console(settings: Settings, commands: list[str]) -> int:
    _leave_on_hang_up()
    with sandbox_database() as url:
        console = build_console(settings, url)
        try:
            if commands:
                console.run(commands, interactive=False)
            elif sys.stdin.isatty():
                _line_editing()
                console.out.write(
                    "career-drill-bot console — `/career help` で使い方、番号でボタン、:next で次の投稿・公開まで進める、:help で console のコマンド、quit で終了\n"
                )
                console.run(_typed_lines(), interactive=False)
            else:
                console.run(sys.stdin, interactive=False)
        except KeyboardInterrupt:
            sys.stdout.write("\n")
        finally:
            assert console.bot is not None
            console.bot.engine.dispose()
    return 0
