"""The one composition root: settings → engine → content → use-cases → router → Slack app → ticker.

Everything is built here, in order, with its parts passed in; nothing is patched in afterwards.
The console and the tests build the same graph with their own chat port, admin check and clock.
"""

from __future__ import annotations

import logging
import random
import socket
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from sqlalchemy import Engine

from bot.commands.drill import DrillCommands
from bot.commands.feedback import FeedbackCommands
from bot.commands.learning import LearningCommands
from bot.commands.mock import MockCommands
from bot.commands.question_exchange import QuestionExchangeCommands
from bot.commands.router import CommandRouter
from bot.commands.standings import StandingsCommands
from bot.commands.team_questions import TeamQuestionCommands
from bot.config import Settings
from bot.content.loader import LoadResult, load_directory
from bot.domain.answer_feedback import Analyse
from bot.domain.catalog import RoleCatalog
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import ChatError, ChatPort, ChatPorts
from bot.store.db import make_engine, session_factory, upgrade
from bot.ticker import Ticker
from bot.usecases.announcements import Announcements
from bot.usecases.delivery import AdminTexts, DrillDelivery
from bot.usecases.drill_cycle import DrillCycle
from bot.usecases.export import Export
from bot.usecases.feedback import AnswerCheck, Feedback, FeedbackDelivery
from bot.usecases.leaderboard import Leaderboard
from bot.usecases.learning import Learning
from bot.usecases.lookups import Lookups
from bot.usecases.member_home import everyone_sees_all
from bot.usecases.mock_interviews import MockInterviews
from bot.usecases.model_answers import ModelAnswers
from bot.usecases.outbox import Outbox
from bot.usecases.question_exchange import QuestionExchange
from bot.usecases.replays import Replays
from bot.usecases.replies import Replies
from bot.usecases.schedule_admin import ScheduleAdmin, Visible
from bot.usecases.team_questions import TeamCatalogs, TeamQuestions
from bot.usecases.workspaces import Workspaces
from bot.views import drill_notices

if TYPE_CHECKING:
    from bot.commands.home_tab import HomeTab
    from bot.commands.question_form import QuestionForm
    from bot.commands.schedule_editor import ScheduleEditor
    from bot.slack.channel_access import ChannelAccess
    from bot.slack.client import TeamClients
    from bot.slack.home_publisher import HomeParts
    from bot.slack.installations import Installations
    from bot.slack.listeners.question_import import QuestionImport
    from bot.slack.oauth import OAuthParts
    from bot.usecases.member_home import Home
    from bot.web import WebApp

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
    workspaces: Workspaces
    mock: MockInterviews  # one-to-one mock interviews (模擬面接)
    mock_commands: MockCommands
    team_questions: TeamQuestions  # a workspace's own questions: proposals, approvals, imports
    question_exchange: QuestionExchange  # … and their export and import as Markdown (admins)
    team_commands: TeamQuestionCommands  # their commands: the list, decisions, the proposer's DMs

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
    chat: ChatPort | None,
    is_admin: Callable[[str, str], bool],
    bot_in_channel: Callable[[str, str], bool | None],
    clock: Callable[[], datetime] = utc_now,
    rng: random.Random | None = None,
    database_url: str | None = None,
    zone_of: Callable[[str, str], str | None] = lambda user_id, team_id: None,
    analyser: Callable[[], Analyse] | None = None,
    name_of: Callable[[str, str], str] = lambda user_id, team_id: user_id,
    chats: ChatPorts | None = None,
    engine: Engine | None = None,
    visible: Visible = everyone_sees_all,
) -> Bot:
    """The Slack-facing callables take (…, team id): `is_admin(user, team)`, `bot_in_channel(channel,
    team)`, `zone_of(user, team)` (a member's time zone from their Slack profile, or None for
    DEFAULT_TIMEZONE) and `name_of(user, team)` (how a member is shown without a mention). `chats`
    gives each workspace's chat port; without it every workspace uses `chat`. `engine` is the
    database's, when the caller needs it before the bot is built (the OAuth stores). `visible(user,
    channels, team)` says which channels a member can see (every one when not given)."""
    content, _documents = load_catalog(settings)
    url = database_url or settings.database_url
    engine = engine or make_engine(url)
    upgrade(engine, url, content_dir=settings.content_dir)
    sessions = session_factory(engine)
    # The documents, and each workspace's own questions (チームの質問) with them, kept in memory.
    catalog = TeamCatalogs(content.roles, sessions)
    catalog.load_all()
    if chats is None:
        assert chat is not None, "build_bot needs a chat port or one per workspace"
        chats = lambda team_id: chat  # noqa: E731 - one chat service for every workspace
    answer_check = AnswerCheck(catalog, analyser or default_analyser)
    replies = Replies(sessions, answer_check)
    learning = Learning(sessions, catalog, lambda user_id, team_id: zone_of(user_id, team_id) or settings.default_timezone)
    # Every message sent under a claim (drills, reminders, digests, answer feedback) goes through it.
    outbox = Outbox(sessions, chats, lease=timedelta(seconds=settings.drill_lease_seconds), clock=clock, host=socket.gethostname())
    delivery = DrillDelivery(
        sessions,
        catalog,
        outbox,
        record_reply=replies.record,
        rng=rng,
        texts=AdminTexts(post_failed=drill_notices.post_failed, channel_gone=drill_notices.channel_gone),
    )
    feedback_delivery = FeedbackDelivery(sessions, catalog, outbox)
    announcements = Announcements(sessions, catalog, outbox, name_of)
    workspaces = Workspaces(sessions, timedelta(days=settings.workspace_retention_days))
    # A session's feedback is due a few seconds after its answer's last message: the ticker is woken
    # at that instant rather than left to its next interval.
    mock = MockInterviews(
        sessions,
        catalog,
        answer_check,
        learning,
        outbox,
        chats,
        wake=lambda at: ticker.wake_at(at, mock.tick),
        quiet=timedelta(seconds=settings.mock_answer_quiet_seconds),
    )
    cycle = DrillCycle(
        sessions,
        delivery,
        feedback=feedback_delivery,
        announcements=announcements,
        workspaces=workspaces,
        mock=mock,
        refresh=catalog.load_all,
    )
    ticker = Ticker(cycle.tick, clock, settings.drill_tick_seconds)
    schedules = ScheduleAdmin(sessions, catalog, is_admin, wake=ticker.wake)
    drill_commands = DrillCommands(schedules, replies, clock, settings.default_timezone, bot_in_channel, learning, visible)
    leaderboard = Leaderboard(sessions, name_of, settings.default_timezone)
    standings = StandingsCommands(
        leaderboard, Export(sessions, catalog, chats, name_of, settings.default_timezone), schedules, clock, name_of
    )
    lookups = Lookups(catalog, rng)
    team_questions = TeamQuestions(
        sessions,
        catalog,
        is_admin,
        lambda user_id, team_id: zone_of(user_id, team_id) or settings.default_timezone,
        settings.admin_user_ids,
    )
    question_exchange = QuestionExchange(team_questions, chats)
    team_commands = TeamQuestionCommands(team_questions, chats, clock)
    learning_commands = LearningCommands(learning, clock)
    mock_commands = MockCommands(mock, lookups, learning_commands, clock)
    router = CommandRouter(
        lookups,
        drill_commands,
        learning_commands,
        FeedbackCommands(Feedback(sessions, catalog), clock),
        standings=standings,
        model_answers=ModelAnswers(sessions, catalog),
        mock=mock_commands,
        exchange=QuestionExchangeCommands(question_exchange, clock),
        team=team_commands,
    )
    return Bot(
        settings,
        content,
        catalog,
        router,
        engine,
        replies,
        learning,
        answer_check,
        schedules,
        delivery,
        cycle,
        ticker,
        clock,
        workspaces,
        mock,
        mock_commands,
        team_questions,
        question_exchange,
        team_commands,
    )


@dataclass(frozen=True)
class SlackBot:
    bot: Bot
    app: App
    home: HomeParts | None = None  # the App Home's publisher and debounced refresh
    clients: TeamClients | None = None  # each workspace's Web API clients
    oauth: OAuthParts | None = None  # OAuth mode's install flow and stores
    installations: Installations | None = None  # OAuth mode: each workspace's (rotated) bot token


def build_slack_bot(
    settings: Settings, clock: Callable[[], datetime] = utc_now, rng: random.Random | None = None, listener_executor: Executor | None = None
) -> SlackBot:
    """Single-workspace mode (SLACK_BOT_TOKEN) or OAuth mode (SLACK_CLIENT_ID/SECRET): the same bot,
    with each workspace's token found per call (see bot.slack.client.TeamClients)."""
    from bot.slack.app import create_app
    from bot.slack.channel_access import ChannelAccess
    from bot.slack.chat import Admins, Profiles, SlackChat, TimeZones
    from bot.slack.client import TeamClients, make_web_client
    from bot.slack.listeners.schedule_modal import ScheduleModal
    from bot.slack.listeners.team_questions import QuestionModal
    from bot.slack.metadata import QUESTION_FORMS, Sealer
    from bot.slack.teams import authorized_team, fixed_team

    engine = make_engine(settings.database_url)
    oauth = installations = None
    if settings.oauth_mode:
        from bot.slack.installations import Installations
        from bot.slack.oauth import build_oauth_flow

        # An install after an uninstall cancels the pending deletion of that workspace's data (the
        # bot is built below; the flow calls this only when a member installs).
        oauth = build_oauth_flow(settings, engine, on_installed=lambda installation: _installed(bot, installation, clock), clock=clock)
        assert settings.client_id and settings.client_secret
        installations = Installations(
            engine,
            oauth.installation_store,
            settings.client_id,
            settings.client_secret,
            settings.slack_api_url,
            timeout_seconds=settings.slack_timeout_seconds,
        )
        clients = TeamClients(settings, bot_token=_token_lookup(installations))
        team_of: Callable[[Mapping[Any, Any]], str] = authorized_team
        single = None
    else:
        clients = TeamClients(settings)
        # The one workspace this token serves: rows from before workspaces were recorded are its.
        single = clients.reader(SINGLE_WORKSPACE).auth_test()
        team_of = fixed_team(single.get("team_id"))

    def chats(team_id: str) -> ChatPort:
        reader, poster = clients.pair(team_id)  # one token lookup, not one per client
        return SlackChat(poster, reader)

    def bot_in_channel(channel_id: str, team_id: str) -> bool | None:
        try:
            return SlackChat(clients.reader(team_id)).bot_in_channel(channel_id)
        except ChatError:  # not installed, or its token could not be renewed: cannot tell
            return None

    profiles = Profiles(clients.reader)
    # One cache of which channels are private and who is in them, for Home and `schedule list` alike.
    access = ChannelAccess(clients.reader)
    admins = Admins(profiles, settings.admin_user_ids)
    zones = TimeZones(profiles)
    bot = build_bot(
        settings,
        None,
        is_admin=admins.is_admin,
        bot_in_channel=bot_in_channel,
        clock=clock,
        rng=rng,
        zone_of=zones.of,
        name_of=profiles.name_of,
        chats=chats,
        engine=engine,
        visible=access.visible,
    )
    unclaimed = bot.workspaces.unclaimed_schedules(SINGLE_WORKSPACE) if single is None else []
    if unclaimed:
        log.warning(
            "%d schedule(s) (e.g. in %s) were stored before workspaces were recorded and belong to no workspace yet:"
            " start once with SLACK_BOT_TOKEN to claim them for their workspace (docs/WORKSPACES.md)",
            len(unclaimed),
            unclaimed[0],
        )
    if single is not None and single.get("team_id"):
        adopted = bot.workspaces.adopt_single_workspace(
            SINGLE_WORKSPACE, team_id=str(single["team_id"]), enterprise_id=single.get("enterprise_id")
        )
        if adopted:
            log.info("%d stored row(s) from before workspaces were recorded now belong to team %s", adopted, single["team_id"])
    # Loaded here, before gunicorn forks its workers: they share the analyser's dictionary pages,
    # and the first reply is not slowed by loading it (figures in docs/PERFORMANCE.md).
    bot.answer_check.warm()
    # The editor's metadata is sealed with the signing secret (Socket Mode has none: the bot token,
    # which every replica shares too).
    sealer = Sealer(settings.signing_secret or settings.bot_token or "")
    modal = ScheduleModal(build_schedule_editor(bot, admins.known), sealer)
    question_modal = QuestionModal(
        build_question_form(bot, admins.known, zones.known), Sealer(settings.signing_secret or settings.bot_token or "", QUESTION_FORMS)
    )
    home = build_slack_home(bot, clients.reader, clock, access)

    def removed(team_id: str, enterprise_id: str | None, sent_at: datetime | None) -> None:
        # The uninstall is recorded first: if deleting the tokens then fails, Slack's retry finds
        # it recorded (doing it again changes nothing) and deletes them.
        assert installations is not None
        if bot.workspaces.uninstalled(clock(), sent_at, team_id=team_id, enterprise_id=enterprise_id) is not None:
            installations.delete(team_id, enterprise_id)

    replays = Replays(session_factory(engine))
    from bot.slack.listeners.direct_messages import DirectMessages

    direct_messages = DirectMessages(
        bot.mock,
        bot.mock_commands,
        chats,
        clock,
        first_delivery=lambda key, request_ts: replays.first_delivery(key, request_ts, clock()),
    )
    app = create_app(
        settings,
        make_web_client(settings),
        bot.router,
        bot.replies,
        team_of,
        schedule_modal=modal,
        home=home,
        listener_executor=listener_executor,
        oauth=oauth,
        authorize=installations.authorize if installations else None,
        removed=removed if installations else _removed_single,
        first_delivery=lambda signature, request_ts: replays.first_delivery(signature, request_ts, clock()),
        direct_messages=direct_messages,
        question_import=build_question_import(bot, admins.known, clock),
        question_modal=question_modal,
    )
    return SlackBot(bot, app, home, clients, oauth, installations)


def build_web_app(slack: SlackBot, now: Callable[[], float] = time.time) -> WebApp:
    """The HTTP app of `python -m bot web`: Slack's requests through the front door (size, signature)
    to the Bolt app, the install pages in OAuth mode, and /healthz. `now` is the wall clock of the
    signature window (epoch seconds)."""
    from bot.web import WebApp

    return WebApp(slack.app, slack.bot.health, slack.bot.settings.signing_secret or "", now=now)


def _removed_single(team_id: str, enterprise_id: str | None, sent_at: datetime | None) -> None:
    """A single-workspace deployment's token is its configuration: the bot keeps everything and
    says in the log what to do (its drills fail with invalid_auth until a new token is set)."""
    log.error("the app was uninstalled from workspace %s or its bot token revoked: set a new SLACK_BOT_TOKEN after reinstalling", team_id)


# After a token renewal Slack refused, the workspace's drills wait this long before the next try:
# each try is a call to oauth.v2.access, from every replica, for every open drill.
TOKEN_RETRY_SECONDS = 300.0


def _token_lookup(installations: Installations) -> Callable[[str], str | None]:
    """The workspace's bot token; a renewal that failed is a chat error worth retrying later (a
    drill keeps the Retry-After like a 429's, and is not given up on for it)."""
    from bot.slack.installations import TokenRefreshFailed

    def bot_token(team_id: str) -> str | None:
        try:
            return installations.bot_token(team_id)
        except TokenRefreshFailed as err:
            raise ChatError("token_refresh_failed", retryable=True, retry_after=TOKEN_RETRY_SECONDS) from err

    return bot_token


def _installed(bot: Bot, installation, clock: Callable[[], datetime]) -> None:
    if bot.workspaces.installed(clock(), team_id=installation.team_id, enterprise_id=installation.enterprise_id):
        log.info("team %s installed the app again: the deletion of its data is cancelled; its schedules stay paused", installation.team_id)


def build_home(bot: Bot, visible: Visible | None = None) -> Home:
    """The App Home's use-case over the bot's parts; `visible` says which channels a member can see
    (every channel when no chat service can tell, as in the console)."""
    from bot.usecases.member_home import Home

    return Home(session_factory(bot.engine), bot.learning, bot.schedules, bot.catalog, visible or everyone_sees_all, bot.team_questions)


def build_slack_home(bot: Bot, client, clock: Callable[[], datetime], access: ChannelAccess | None = None) -> HomeParts:
    """`client`: each workspace's Web API client, by team id; `access`: which channels a member can
    see (shared with `schedule list`), asked of `client` when not given."""
    from bot.slack.channel_access import ChannelAccess
    from bot.slack.home_publisher import HomeParts, HomePublisher, HomeRefresh

    tab = build_home_tab(bot, clock, (access or ChannelAccess(client)).visible)
    publisher = HomePublisher(client, tab)
    return HomeParts(tab, publisher, HomeRefresh(publisher.publish, lambda user_ids, team_id: tab.openers(user_ids, team_id=team_id)))


def build_home_tab(bot: Bot, clock: Callable[[], datetime], visible: Visible | None = None) -> HomeTab:
    """The App Home's interactions, for Slack's listeners and the console alike."""
    from bot.commands.home_tab import HomeTab

    return HomeTab(build_home(bot, visible), bot.router, clock)


def build_schedule_editor(bot: Bot, known_admin: Callable[[str, str], bool | None] = lambda user_id, team_id: None) -> ScheduleEditor:
    """The schedule editor form's interactions, for Slack's modal and the console's `:schedule-form`.
    `known_admin(user, team)`: whether the user is an admin, from memory only (None: not known)."""
    from bot.commands.schedule_editor import ScheduleEditor

    return ScheduleEditor(bot.schedules, bot.catalog, known_admin, bot.settings.default_timezone, bot.clock)


def build_question_import(bot: Bot, known_admin: Callable[[str, str], bool | None], clock: Callable[[], datetime]) -> QuestionImport:
    """The import modal of a workspace's own questions: files are read through SLACK_API_URL, capped."""
    from functools import partial

    from bot.slack.files import download_text
    from bot.slack.listeners.question_import import QuestionImport
    from bot.usecases.question_exchange import MAX_IMPORT_BYTES

    settings = bot.settings
    download = partial(download_text, api_url=settings.slack_api_url, max_bytes=MAX_IMPORT_BYTES, timeout=settings.slack_timeout_seconds)
    return QuestionImport(bot.question_exchange, known_admin, clock, download)


def build_question_form(
    bot: Bot, known_admin: Callable[[str, str], bool | None], known_zone: Callable[[str, str], str | None]
) -> QuestionForm:
    """The question form's interactions (propose, 編集して承認, 編集, 却下) for Slack's modal;
    `known_admin` and `known_zone` (user, team) answer from memory only (None: not known)."""
    from bot.commands.question_form import QuestionForm

    return QuestionForm(bot.team_commands, known_admin, known_zone, bot.settings.default_timezone)
