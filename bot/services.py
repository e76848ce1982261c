"""Wiring of the use-cases, shared by the Slack app and the console."""

from __future__ import annotations

import logging
import random
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import Engine

from bot.config import Settings
from bot.content.loader import LoadResult, load_directory
from bot.domain.catalog import RoleCatalog
from bot.drills import ChatPort, DrillService
from bot.lookups import Lookups
from bot.schedules import ScheduleService
from bot.slack.career import CareerCommands
from bot.slack.drill_commands import DrillCommands
from bot.store.db import make_engine, session_factory, upgrade

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    settings: Settings
    content: LoadResult
    catalog: RoleCatalog
    lookups: Lookups
    career: CareerCommands
    engine: Engine | None = None
    drills: DrillService | None = None
    schedules: ScheduleService | None = None
    clock: Callable[[], datetime] = field(default=utc_now)

    @property
    def healthy(self) -> bool:
        return len(self.catalog) > 0


def load_catalog(settings: Settings) -> tuple[LoadResult, RoleCatalog]:
    content = load_directory(settings.content_dir)
    for problem in content.problems:
        (log.error if problem.severity == "error" else log.warning)("content: %s", problem)
    catalog = RoleCatalog(content.roles)
    log.info("loaded %d role(s) from %s", len(catalog), settings.content_dir)
    return content, catalog


def build_services(
    settings: Settings,
    chat: ChatPort | None = None,
    is_admin: Callable[[str], bool] | None = None,
    bot_in_channel: Callable[[str], bool | None] | None = None,
    clock: Callable[[], datetime] = utc_now,
    rng: random.Random | None = None,
    database_url: str | None = None,
) -> Services:
    """Lookups always; the drill too when a chat port is given (Slack, or the console's)."""
    content, catalog = load_catalog(settings)
    lookups = Lookups(catalog, rng)
    if chat is None:
        return Services(settings, content, catalog, lookups, CareerCommands(lookups), clock=clock)

    url = database_url or settings.database_url
    engine = make_engine(url)
    upgrade(engine, url)
    sessions = session_factory(engine)
    drills = DrillService(sessions, catalog, chat, rng=rng, owner=socket.gethostname(), lease=timedelta(seconds=settings.drill_lease_seconds))
    admin_check = is_admin or (lambda user_id: user_id in settings.admin_user_ids)
    schedules = ScheduleService(sessions, catalog, admin_check)
    drill_commands = DrillCommands(schedules, drills, clock, settings.default_timezone, bot_in_channel or (lambda channel_id: None))
    career = CareerCommands(lookups, drill_commands)
    return Services(settings, content, catalog, lookups, career, engine=engine, drills=drills, schedules=schedules, clock=clock)
