"""The `/career` command and its buttons, as one object both Slack and the console talk to.

Listeners parse Slack's payload into (text, user, channel) or (action, value, user), call this, and
send back the `Message` it returns. Lookups are answered from memory, so a listener may answer them
inside Slack's ack; `answers_from_memory` says which commands those are. Drill commands read the
database and may ask Slack who is an admin, so they are answered after the ack.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache

from bot.commands.drill import DrillCommands
from bot.commands.feedback import FeedbackCommands
from bot.commands.learning import LearningCommands
from bot.commands.mock import MockCommands
from bot.commands.question_exchange import QuestionExchangeCommands, is_exchange
from bot.commands.standings import StandingsCommands
from bot.commands.team_questions import PROPOSE_IN_SLACK, TeamQuestionCommands
from bot.domain.catalog import NotFound, Resolved
from bot.domain.command_text import (
    DrillCommand,
    ExportCommand,
    FeedbackCommand,
    Help,
    LeaderboardCommand,
    ListRoles,
    MockCommand,
    Practice,
    ProposeCommand,
    QuestionsCommand,
    ReviewCommand,
    ScheduleCommand,
    ShowRole,
    ShowSection,
    StatsCommand,
    parse_command,
)
from bot.domain.role import Level, Role, levels_from_code, parse_levels
from bot.domain.sections import SECTION_KEYS
from bot.domain.text import clean_user_text
from bot.ports import Message
from bot.usecases.lookups import Lookups, TooFewQuestions
from bot.usecases.model_answers import ModelAnswers, NoModelAnswer
from bot.views import blocks as ui
from bot.views.action_ids import Kind, Pressed, decode
from bot.views.model_answer_blocks import model_answer_message
from bot.views.mrkdwn import escape_mrkdwn
from bot.views.refusals import refusal

log = logging.getLogger(__name__)


_DRILL_COMMANDS = (ScheduleCommand, DrillCommand, StatsCommand, ReviewCommand, FeedbackCommand, LeaderboardCommand, ExportCommand)
_LEARNING_KINDS = (Kind.GRADE, Kind.REVIEW_POINTS, Kind.REVIEW_GRADE, Kind.REVIEW_NEW)
# A workspace's own questions (チームの質問): `/career propose` opens a modal in Slack, and
# `/career questions …` reads the database and asks who is an admin.
_TEAM_COMMANDS = (ProposeCommand, QuestionsCommand)
_TEAM_KINDS = (Kind.PROPOSE_OPEN, Kind.TEAM_APPROVE, Kind.TEAM_EDIT_APPROVE, Kind.TEAM_REJECT, Kind.TEAM_RETIRE, Kind.TEAM_EDIT)
_MOCK_KINDS = (Kind.MOCK_GRADE, Kind.MOCK_AGAIN, Kind.MOCK_REVIEW, Kind.MOCK_ABANDON, Kind.MOCK_CONTINUE, Kind.MOCK_START)
# Schedule commands after which an admin's App Home shows something else.
_CHANGING_SCHEDULE = frozenset({"set", "pause", "resume", "off", "skip"})
# Presses after which the presser's App Home shows something else (their reviews and mastery).
_CHANGING_HOME = (Kind.GRADE, Kind.REVIEW_GRADE, Kind.MOCK_GRADE)


@lru_cache(maxsize=4096)
def _parse(text: str):
    """Parsed once per distinct text: the listener's routing and the answer read the same parse,
    and study groups type the same few commands all day. Commands are immutable."""
    return parse_command(clean_user_text(text, limit=300))


class CommandRouter:
    def __init__(
        self,
        lookups: Lookups,
        drill_commands: DrillCommands | None = None,
        learning: LearningCommands | None = None,
        feedback: FeedbackCommands | None = None,
        standings: StandingsCommands | None = None,
        model_answers: ModelAnswers | None = None,
        mock: MockCommands | None = None,
        exchange: QuestionExchangeCommands | None = None,
        team: TeamQuestionCommands | None = None,
    ):
        self.lookups = lookups
        self.model_answers = model_answers
        self.drill_commands = drill_commands
        self.learning = learning
        self.feedback = feedback
        self.standings = standings
        self.mock = mock
        self.exchange = exchange
        self.team = team

    @property
    def catalog(self):
        return self.lookups.catalog

    # ------------------------------------------------------------------ slash command

    @staticmethod
    def answers_from_memory(text: str) -> bool:
        """True for lookups and help; False for drill commands, which wait on the database or Slack."""
        return not isinstance(_parse(text or ""), (*_DRILL_COMMANDS, MockCommand, *_TEAM_COMMANDS))

    @staticmethod
    def same_answer_for_everyone(text: str) -> bool:
        """True when the answer depends on the text alone (a role, a section, the list, help), so an
        adapter may keep it; a practice question is drawn at random, and drill commands are live."""
        return isinstance(_parse(text or ""), (Help, ListRoles, ShowRole, ShowSection))

    def documents_alone(self, *, team_id: str) -> bool:
        """True when the workspace sees the role documents as they are, without questions of its
        own (チームの質問): an answer that depends on the text alone is the same for it as for anyone."""
        return self.catalog.for_team(team_id=team_id) is self.catalog

    @staticmethod
    def command_changes_home(text: str) -> bool:
        """True when, after this command, the App Home of who typed it shows something else."""
        command = _parse(text or "")
        return isinstance(command, ScheduleCommand) and command.action in _CHANGING_SCHEDULE

    def handle_command(self, text: str, user_id: str = "", channel_id: str = "", *, team_id: str) -> Message:
        """`team_id` is the workspace the command came from: member data and admin checks are per workspace."""
        command = _parse(text or "")
        if isinstance(command, Help):
            return ui.help_message(self.catalog.roles, drills=self.drill_commands is not None, mock=self.mock is not None)
        if isinstance(command, ListRoles):
            return ui.role_list(self.catalog.roles)
        if isinstance(command, FeedbackCommand):
            if self.feedback is None:
                return ui.notice("この環境では回答のチェックが有効になっていません。")
            return self.feedback.handle(command, user_id, team_id=team_id)
        if isinstance(command, ReviewCommand):
            if self.learning is None:
                return ui.notice("この環境では復習機能が有効になっていません。")
            return self.learning.review(user_id, team_id=team_id)
        if isinstance(command, MockCommand):
            if self.mock is None:
                return ui.notice("この環境では模擬面接が有効になっていません。")
            return self.mock.handle(command, user_id, channel_id, team_id=team_id) or ui.notice(
                "🎤 模擬面接を始めました。このDMに1問目を送りました。"
            )
        if isinstance(command, (LeaderboardCommand, ExportCommand)):
            if self.standings is None:
                return ui.notice("この環境ではランキングと書き出しが有効になっていません。")
            return self.standings.handle(command, user_id, channel_id, team_id=team_id)
        if is_exchange(command):
            return self._question_exchange(command, user_id, channel_id, team_id)
        if isinstance(command, _TEAM_COMMANDS):
            return self._team_questions(command, user_id, team_id=team_id)
        if isinstance(command, (ScheduleCommand, DrillCommand, StatsCommand)):
            if self.drill_commands is None:
                return ui.notice("この環境ではドリル機能が有効になっていません。")
            return self.drill_commands.handle(command, user_id, channel_id, team_id=team_id)
        found = self.lookups.find(command.query)
        if isinstance(found, NotFound):
            words = command.query.split()
            if len(words) >= 2:
                # "/career cto 面接対策": a known role and a word that is no section.
                for role_words, rest in ((words[:1], words[1:]), (words[:-1], words[-1:])):
                    head = self.lookups.find(" ".join(role_words))
                    if isinstance(head, Resolved):
                        return ui.unknown_section(head.role, " ".join(rest))
            return ui.not_found(found.query, found.suggestions)
        # The role as this workspace sees it: its own questions (チームの質問) after the document's.
        role = self.catalog.for_team(team_id=team_id).by_slug(found.role.slug) or found.role
        if isinstance(command, ShowRole):
            return self._card(role)
        if isinstance(command, ShowSection):
            return ui.section_view(role, command.section)
        if isinstance(command, Practice):
            try:
                levels = parse_levels(command.levels)
            except ValueError as err:
                return ui.notice(f"⚠️ {escape_mrkdwn(str(err))}")
            return self._practice(role, None, levels)
        raise TypeError(f"unhandled command {command!r}")

    def _question_exchange(self, command, user_id: str, channel_id: str, team_id: str) -> Message:
        """`/career questions export|import`: a workspace's own questions out and in (admins)."""
        if self.exchange is None:
            return ui.notice("この環境ではチームの質問の書き出しと取り込みが有効になっていません。")
        return self.exchange.handle(command, user_id, channel_id, team_id=team_id)

    # ------------------------------------------------------------------ buttons

    @staticmethod
    def press_changes_home(action_id: str, value: str) -> bool:
        """True when, after this press, the App Home of who pressed it shows something else."""
        return decode(action_id, value).kind in _CHANGING_HOME

    def handle_action(self, action_id: str, value: str, user_id: str = "", channel_id: str = "", *, team_id: str) -> Message:
        """Answer a button press. A forged or stale value gets one sentence, never an exception.
        `replace_original` says whether the answer takes the pressed message's place."""
        pressed = decode(action_id, value)
        if pressed.kind is Kind.CHECK_ANSWER:
            if self.feedback is None:
                return ui.notice("この環境では回答のチェックが有効になっていません。")
            return self.feedback.check(pressed, user_id, channel_id, team_id=team_id)
        if pressed.kind is Kind.MODEL_ANSWER:
            return self._model_answer(pressed, channel_id)
        if pressed.kind is Kind.SHARE_LEADERBOARD:
            if self.standings is None:
                return ui.notice("この環境ではランキングが有効になっていません。")
            return self.standings.share(pressed, user_id, channel_id, team_id=team_id)
        if pressed.kind in _MOCK_KINDS:
            if self.mock is None:
                return ui.notice("この環境では模擬面接が有効になっていません。")
            return self.mock.press(pressed, user_id, channel_id, team_id=team_id)
        if pressed.kind in _TEAM_KINDS:
            if self.team is None:
                return ui.notice("この環境ではチームの質問が有効になっていません。")
            return self.team.press(pressed, value, user_id, team_id=team_id)
        if pressed.kind in _LEARNING_KINDS:
            if self.learning is None:
                return ui.notice("この環境では自己評価と復習が有効になっていません。")
            return self.learning.press(pressed, user_id, channel_id, team_id=team_id)
        # The lookup buttons sit on private answers, which each press replaces.
        return replace(self._lookup_action(pressed, action_id, user_id, team_id), replace_original=True)

    def _team_questions(self, command: ProposeCommand | QuestionsCommand, user_id: str, *, team_id: str) -> Message:
        """`/career propose` (in Slack its modal's listener answers first; here, where no modal can
        open, a sentence) and `/career questions list` (`export` and `import` are `_question_exchange`'s)."""
        if self.team is None:
            return ui.notice("この環境ではチームの質問が有効になっていません。")
        if isinstance(command, ProposeCommand):
            return ui.notice(PROPOSE_IN_SLACK)
        if command.action == "list":
            return self.team.handle(command, user_id, team_id=team_id)
        return ui.notice("`/career questions list`（一覧）・`export`（書き出し）・`import`（取り込み）のどれかを指定してください。")

    def _practice(self, role: Role, previous: int | None, levels: frozenset[Level]) -> Message:
        try:
            question = self.lookups.practice_question(role, previous, levels)
        except TooFewQuestions as reason:
            return ui.notice(refusal(reason))
        return ui.question_view(role, question, levels=levels)

    def _model_answer(self, pressed: Pressed, channel_id: str) -> Message:
        drill_id = pressed.row_id_at(0)
        if self.model_answers is None:
            return ui.notice("この環境ではドリルが有効になっていません。")
        if drill_id is None or len(pressed.parts) != 1:
            return ui.notice("⚠️ このボタンは古いか、内容が正しくありません。")
        try:
            role, question = self.model_answers.for_drill(drill_id, channel_id)
        except NoModelAnswer as reason:
            return ui.notice(refusal(reason))
        return model_answer_message(role, question)

    def _lookup_action(self, pressed, action_id: str, user_id: str, team_id: str) -> Message:
        parts = pressed.parts
        role = self.catalog.for_team(team_id=team_id).by_slug(parts[0]) if pressed.kind not in (None, Kind.SHARE) else None
        if pressed.kind is Kind.OPEN_ROLE and role:
            return self._card(role)
        if pressed.kind is Kind.OPEN_SECTION and role and len(parts) == 2 and parts[1] in _SECTION_KEYS:
            return ui.section_view(role, parts[1])
        if pressed.kind is Kind.OPEN_SECTION and role and len(parts) == 3 and parts[1] == "questions" and pressed.int_at(2):
            return ui.section_view(role, "questions", pressed.int_at(2) or 1)
        levels = levels_from_code(parts[2]) if len(parts) == 3 else frozenset()
        if pressed.kind is Kind.PRACTICE and role:
            return self._practice(role, pressed.int_at(1), levels)
        if pressed.kind is Kind.REVEAL_POINTS and role and len(parts) in (2, 3):
            question = role.question(pressed.int_at(1) or -1)
            if question:
                return ui.question_view(role, question, revealed=True, levels=levels)
        if pressed.kind is Kind.SHARE:
            view = self._view_from_share(parts, team_id)
            if view is not None:
                return ui.without_actions(view, user_id)
        log.info("ignored an unknown or stale button", extra={"action_id": action_id})
        return ui.notice(
            "このボタンの内容は見つかりませんでした。内容が更新された可能性があります。もう一度 `/career` からお試しください。"
        )

    def _view_from_share(self, parts: tuple[str, ...], team_id: str) -> Message | None:
        if len(parts) < 2:
            return None
        role = self.catalog.for_team(team_id=team_id).by_slug(parts[1])
        if role is None:
            return None
        if parts[0] == "card":
            return self._card(role)
        if parts[0] == "section" and len(parts) == 3 and parts[2] in _SECTION_KEYS:
            return ui.section_view(role, parts[2])
        if parts[0] == "question" and len(parts) == 4:
            question = role.question(_int(parts[2]) or -1)
            if question:
                return ui.question_view(role, question, revealed=parts[3] == "1")
        return None

    def _card(self, role: Role) -> Message:
        related = [r for r in (self.catalog.by_slug(s) for s in role.related) if r is not None]
        return ui.role_card(role, related)


# Sections that have a page of their own; "question" is the practice flow, not a page.
_SECTION_KEYS = frozenset(SECTION_KEYS) - {"question"}


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
