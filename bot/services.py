"""Wiring of the use-cases, shared by the Slack app and the console."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from bot.config import Settings
from bot.content.loader import LoadResult, load_directory
from bot.domain.catalog import RoleCatalog
from bot.lookups import Lookups
from bot.slack.career import CareerCommands

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    content: LoadResult
    catalog: RoleCatalog
    lookups: Lookups
    career: CareerCommands

    @property
    def healthy(self) -> bool:
        return len(self.catalog) > 0


def build_services(settings: Settings, rng: random.Random | None = None) -> Services:
    content = load_directory(settings.content_dir)
    for problem in content.problems:
        (log.error if problem.severity == "error" else log.warning)("content: %s", problem)
    catalog = RoleCatalog(content.roles)
    log.info("loaded %d role(s) from %s", len(catalog), settings.content_dir)
    lookups = Lookups(catalog, rng)
    return Services(settings=settings, content=content, catalog=catalog, lookups=lookups, career=CareerCommands(lookups))
