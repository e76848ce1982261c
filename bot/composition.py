"""The one composition root: settings → engine → content → use-cases → router → Slack app → ticker.

Everything is built here, in order, with its parts passed in; nothing is patched in afterwards.
The console and the tests build the same graph with their own chat port, admin check and clock.
"""

from __future__ import annotations

import logging
import random
import socket
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Callable

from slack_bolt import App
from sqlalchemy import Engine

from bot.commands.drill import DrillCommands
from bot.commands.feedback import FeedbackCommands
from bot.commands.learning import LearningCommands
from bot.commands.standings import StandingsCommands
from bot.domain.coverage import Analyse
from bot.commands.router import CommandRouter
from bot.config import Settings
from bot.content.loader import LoadResult, load_directory
from bot.domain.catalog import RoleCatalog
from bot.ports import ChatPort
from bot.store.db import make_engine, session_factory, upgrade
from bot.ticker import Ticker
from bot.usecases.announcements import Announcements
from bot.usecases.delivery import DrillDelivery
from bot.usecases.drill_cycle import DrillCycle
from bot.usecases.export import Export
from bot.usecases.feedback import AnswerCheck, Feedback, FeedbackDelivery
from bot.usecases.leaderboard import Leaderboard
from bot.usecases.learning import Learning
from bot.usecases.lookups import Lookups
from bot.usecases.replies import Replies
from bot.usecases.schedule_admin import ScheduleAdmin

if TYPE_CHECKING:
    from bot.slack.home import HomeParts
    from bot.usecases.home import Home, Visible

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def load_catalog(settings: Settings) -> tuple[LoadResult, RoleCatalog]:
    content = load_directory(settings.content_dir)
    for problem in content.problems:
        (log.error if problem.severity == "error" else log.warning)("content: %s", problem)
    catalog = RoleCatalog(content.roles)
    if len(catalog) == 0:
        log.error("no role documents were loaded from %s: lookups and drills have nothing to show", settings.content_dir)
    else:
        log.info("loaded %d role(s) from %s", len(catalog), settings.content_dir)
    return content, catalog


def default_analyser() -> Analyse:
    """The Japanese morphological analyser behind answer feedback (see docs/FEEDBACK.md)."""
    from bot.analysis import load_analyser

    return load_analyser().tokens


def build_router(settings: Settings, rng: random.Random | None = None) -> CommandRouter:
    """Lookups only, with no database: what `check-content`-style tools and lookup tests need."""
    _content, catalog = load_catalog(settings)
    return CommandRouter(Lookups(catalog, rng))


@dataclass(frozen=True)
class Bot:
    """Every part of the running bot, built once."""

    settings: Settings
    content: LoadResult
    catalog: RoleCatalog
    router: CommandRouter
    engine: Engine
    replies: Replies
    learning: Learning
    answer_check: AnswerCheck
    schedules: ScheduleAdmin
    delivery: DrillDelivery
    cycle: DrillCycle
    ticker: Ticker
    clock: Callable[[], datetime]

    @property
    def healthy(self) -> bool:
        return len(self.catalog) > 0

    def health(self) -> dict:
        return {"ok": self.healthy, "roles": len(self.catalog)}

    def start_in_worker(self) -> None:
        """In each forked web worker: drop the connections inherited from the parent (two processes
        on one socket corrupt each other's protocol state), then start this worker's ticker."""
        self.engine.dispose(close=False)
        self.ticker.start()


def build_bot(
    settings: Settings,
    chat: ChatPort,
    is_admin: Callable[[str], bool],
    bot_in_channel: Callable[[str], bool | None],
    clock: Callable[[], datetime] = utc_now,
    rng: random.Random | None = None,
    database_url: str | None = None,
    zone_of: Callable[[str], str | None] = lambda user_id: None,
    analyser: Callable[[], Analyse] | None = None,
    name_of: Callable[[str], str] = lambda user_id: user_id,
) -> Bot:
    """`zone_of` gives a member's time zone (their Slack profile), or None for DEFAULT_TIMEZONE;
    `name_of` how a member is shown without a mention (their display name)."""
    content, catalog = load_catalog(settings)
    url = database_url or settings.database_url
    engine = make_engine(url)
    upgrade(engine, url, question_ids={role.slug: {q.number: q.id for q in role.questions} for role in catalog.roles})
    sessions = session_factory(engine)
    answer_check = AnswerCheck(catalog, analyser or default_analyser)
    replies = Replies(sessions, answer_check)
    learning = Learning(sessions, catalog, lambda user_id: zone_of(user_id) or settings.default_timezone)
    delivery = DrillDelivery(
        sessions, catalog, chat, lease=timedelta(seconds=settings.drill_lease_seconds), record_reply=replies.record,
        rng=rng, host=socket.gethostname(),
    )
    feedback_delivery = FeedbackDelivery(sessions, catalog, chat, delivery.lease, lambda: delivery.owner)
    announcements = Announcements(sessions, catalog, chat, delivery.lease, lambda: delivery.owner, name_of)
    cycle = DrillCycle(sessions, delivery, feedback=feedback_delivery, announcements=announcements)
    ticker = Ticker(cycle.tick, clock, settings.drill_tick_seconds)
    schedules = ScheduleAdmin(sessions, catalog, is_admin, wake=ticker.wake)
    drill_commands = DrillCommands(schedules, replies, clock, settings.default_timezone, bot_in_channel, learning)
    leaderboard = Leaderboard(sessions, name_of, settings.default_timezone)
    standings = StandingsCommands(leaderboard, Export(sessions, catalog, chat, name_of, settings.default_timezone), schedules, clock, name_of)
    router = CommandRouter(Lookups(catalog, rng), drill_commands, LearningCommands(learning, clock), FeedbackCommands(Feedback(sessions, catalog), clock), standings=standings)
    return Bot(settings, content, catalog, router, engine, replies, learning, answer_check, schedules, delivery, cycle, ticker, clock)


@dataclass(frozen=True)
class SlackBot:
    bot: Bot
    app: App
    home: "HomeParts | None" = None  # the App Home's publisher and debounced refresh


def build_slack_bot(settings: Settings, clock: Callable[[], datetime] = utc_now, rng: random.Random | None = None, listener_executor: Executor | None = None) -> SlackBot:
    from bot.slack.app import create_app
    from bot.slack.chat import Admins, Profiles, SlackChat, TimeZones
    from bot.slack.client import make_claim_client, make_web_client
    from bot.slack.listeners.schedule_modal import ScheduleEditor
    from bot.slack.metadata import Sealer

    client = make_web_client(settings)
    chat = SlackChat(make_claim_client(settings), client)
    profiles = Profiles(client)
    admins = Admins(profiles, settings.admin_user_ids)
    zones = TimeZones(profiles)
    bot = build_bot(settings, chat, is_admin=admins.is_admin, bot_in_channel=chat.bot_in_channel, clock=clock, rng=rng, zone_of=zones.of, name_of=profiles.name_of)
    # Loaded here, before gunicorn forks its workers: they share the analyser's dictionary pages,
    # and the first reply is not slowed by loading it (figures in docs/PERFORMANCE.md).
    bot.answer_check.warm()
    # The editor's metadata is sealed with the signing secret (Socket Mode has none: the bot token,
    # which every replica shares too).
    sealer = Sealer(settings.signing_secret or settings.bot_token or "")
    editor = ScheduleEditor(bot.schedules, bot.catalog, admins.known, sealer, settings.default_timezone, clock)
    home = build_slack_home(bot, client, clock)
    app = create_app(settings, client, bot.router, bot.replies, schedule_editor=editor, home=home, listener_executor=listener_executor)
    return SlackBot(bot, app, home)


def build_home(bot: Bot, visible: "Visible | None" = None) -> "Home":
    """The App Home's use-case over the bot's parts; `visible` says which channels a member can see
    (every channel when no chat service can tell, as in the console)."""
    from bot.usecases.home import Home, everyone_sees_all

    return Home(session_factory(bot.engine), bot.learning, bot.schedules, bot.catalog, visible or everyone_sees_all)


def build_slack_home(bot: Bot, client, clock: Callable[[], datetime]) -> "HomeParts":
    from bot.slack.home import ChannelAccess, HomeParts, HomePublisher, HomeRefresh

    home = build_home(bot, ChannelAccess(client).visible)
    publisher = HomePublisher(client, home, clock)
    return HomeParts(home, publisher, HomeRefresh(publisher.publish, home.openers), clock)
