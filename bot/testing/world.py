"""The one builder of a bot core for tests: `World` is one process (one replica) of the bot on a
database, wired as `python -m bot` wires it, except that the clock is moved by hand and the chat
port records what it would have posted (see fakes.RecordingChat). Two Worlds on one database are
two replicas; a new World on the same database is a restart."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.composition import Bot, build_bot
from bot.config import load_settings
from bot.domain.schedule_input import parse_schedule_set
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.store.models import ChannelPostRow, DrillRow
from bot.testing import ADMIN, CH, CONTENT_DIR
from bot.testing.fakes import Clock, RecordingChat

UTC = timezone.utc
TOKYO = "Asia/Tokyo"
T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # a Wednesday, an hour before the usual 09:00 drill


def jst(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    """A Tokyo wall-clock time in 2026 (no DST) as the aware UTC instant the bot is given."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=ZoneInfo(TOKYO)).astimezone(UTC)


class World:
    """One bot core on `database_url`.

    `zone`: DEFAULT_TIMEZONE, and the zone `set` reads a schedule in; `seed`: the rng's (which
    question comes next); `clock`: shared with other replicas when given, otherwise a Clock at
    `start`; `chat`: shared with other replicas when given; `names`: members' display names
    (`named` lists whose were asked for); `analyser`: answer feedback's, the real one when None;
    `admins`: ADMIN_USER_IDS, or `is_admin(user, team)` instead; `chats`: one recording chat port
    per workspace (for a channel two workspaces share), instead of `chat` for all."""

    def __init__(
        self,
        database_url: str,
        clock: Clock | None = None,
        *,
        start: datetime = T0,
        zone: str = "UTC",
        seed: int = 3,
        chat: RecordingChat | None = None,
        names: Mapping[str, str] | None = None,
        analyser: Callable[[], Any] | None = None,
        admins: str = ADMIN,
        is_admin: Callable[[str, str], bool] | None = None,
        chats: Mapping[str, RecordingChat] | None = None,
    ):
        self.chat = chat or RecordingChat()
        self.clock = clock or Clock(start)
        self.start = self.clock()
        self.zone = zone
        self.names = names
        self.named: list[str] = []
        settings = load_settings({"CONTENT_DIR": str(CONTENT_DIR), "ADMIN_USER_IDS": admins, "DEFAULT_TIMEZONE": zone})
        self.bot: Bot = build_bot(
            settings,
            self.chat,
            is_admin=is_admin or (lambda user_id, team_id: user_id in settings.admin_user_ids),
            bot_in_channel=lambda channel_id, team_id: True,
            clock=self.clock,
            rng=random.Random(seed),
            database_url=database_url,
            analyser=analyser,
            name_of=self._name_of,
            chats=(lambda team_id: chats[team_id]) if chats is not None else None,
        )
        self.cycle = self.bot.cycle
        self.replies = self.bot.replies
        self.schedules = self.bot.schedules

    def _name_of(self, user_id: str, team_id: str = "") -> str:
        self.named.append(user_id)
        return (self.names or {}).get(user_id, user_id)

    # ------------------------------------------------------------------ what an admin and the clock do

    def set(self, *words: str, channel: str = CH):
        """`/career schedule set <words>` by the admin in `channel`, read in the world's zone."""
        return self.schedules.set(channel, ADMIN, parse_schedule_set(list(words), self.zone), self.clock(), team_id=SINGLE_WORKSPACE)

    def at(self, when: datetime | int, minute: int = 0, day: int = 25):
        """Move the clock and tick once: to the instant `when`, or to `when`:`minute` UTC on
        November `day`, 2026."""
        instant = when if isinstance(when, datetime) else datetime(2026, 11, day, when, minute, tzinfo=UTC)
        self.clock.now = instant
        return self.cycle.tick(instant)

    def day(self, n: int, on_time=(), late=()) -> int:
        """Day `n` after the start of a schedule at 09:00 UTC revealed at 10:00: the drill posted,
        replied to by `on_time` (from 09:10) and by `late` after the reveal; its id."""
        first = datetime.combine(self.start.date(), datetime.min.time(), tzinfo=UTC)
        self.clock.now = first + timedelta(days=n, hours=9)
        self.cycle.tick(self.clock.now)
        question = self.chat.of("question", CH)[-1]
        assert question.ts is not None
        for i, user in enumerate(on_time):
            assert self.replies.record(
                CH, question.ts, f"{1800000000 + n * 1000 + i}.000001", user, self.clock.now + timedelta(minutes=10 + i)
            )
        self.clock.now = first + timedelta(days=n, hours=10)
        self.cycle.tick(self.clock.now)
        for i, user in enumerate(late):
            assert self.replies.record(
                CH, question.ts, f"{1800000000 + n * 1000 + 500 + i}.000001", user, self.clock.now + timedelta(minutes=5)
            )
        reveal = self.chat.of("reveal", CH)[-1].reveal
        assert reveal is not None and reveal.drill_id is not None
        return reveal.drill_id

    # ------------------------------------------------------------------ what a member does

    def command(self, text: str, user_id: str = "UALICE001", channel_id: str = CH):
        """`/career <text>`, answered by the router as a member sees it."""
        return self.bot.router.handle_command(text, user_id=user_id, channel_id=channel_id, team_id=SINGLE_WORKSPACE)

    def press(self, button: dict, user_id: str = "UALICE001", channel_id: str = CH):
        return self.bot.router.handle_action(
            button["action_id"], button["value"], user_id=user_id, channel_id=channel_id, team_id=SINGLE_WORKSPACE
        )

    # ------------------------------------------------------------------ what the database holds

    def rows(self) -> list[DrillRow]:
        """Every drill, oldest first."""
        with self.cycle.sessions() as s:
            return list(s.query(DrillRow).order_by(DrillRow.id))

    def drills(self, channel: str = CH) -> list[DrillRow]:
        """The drills of one channel, oldest first."""
        with self.cycle.sessions() as s:
            return list(s.scalars(select(DrillRow).where(DrillRow.channel_id == channel).order_by(DrillRow.id)))

    def posts(self, kind: str) -> list[ChannelPostRow]:
        """The channel posts (reminders, digests) of `kind`, oldest first."""
        with self.cycle.sessions() as s:
            return list(s.scalars(select(ChannelPostRow).where(ChannelPostRow.kind == kind).order_by(ChannelPostRow.id)))

    def close(self) -> None:
        self.bot.engine.dispose()


def in_tokyo(database_url: str, clock: Clock, **options: Any) -> World:
    """A World whose DEFAULT_TIMEZONE is Asia/Tokyo (the rng seeded 11), on `clock`."""
    return World(database_url, clock, zone=TOKYO, seed=11, **options)


def tick_together(worlds: list[World], at: datetime) -> None:
    """Replicas ticking at the same instant, released together from threads; none may fail."""
    start = threading.Barrier(len(worlds))
    errors: list[BaseException] = []

    def run(world: World) -> None:
        try:
            start.wait(timeout=10)
            world.cycle.tick(at)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in worlds]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
