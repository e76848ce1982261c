"""A workspace's own questions (チームの質問), as the router, the App Home and the question form
use them: a member's proposal and the DM that confirms it, an admin's decisions (承認 on the Home,
編集して承認, 却下, 編集, 廃止) with the proposer told privately, and `/career questions list`.

Every decision re-checks the admin right and the version the button or form was drawn from: a
forged value, a non-admin, or a question another admin decided meanwhile changes nothing and gets
one sentence. What is sent to a member goes through the views, escaped."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.domain.command_text import QuestionsCommand
from bot.domain.team_questions import Draft, TeamQuestion
from bot.ports import ChatPorts, Message
from bot.usecases.team_questions import Decision, NotAllowed, TeamQuestions
from bot.views import team_question_blocks as ui
from bot.views.action_ids import Kind, Pressed, action_id, decode
from bot.views.blocks import notice
from bot.views.refusals import FORGED_BUTTON, QUESTION_LIST_NOT_ADMIN, REFUSALS, refusal

log = logging.getLogger(__name__)

# `/career propose` where no modal can open (the console): what it does in Slack.
PROPOSE_IN_SLACK = (
    "✍️ 質問の提案は Slack で `/career propose [職種|common]` を実行するか、ホームの「✍️ 質問を提案」から開くフォームで行えます。"
)
# A button that opens a modal, pressed where none can open (the console).
MODAL_ONLY = "このボタンは Slack でだけ使えます（フォームが開きます）。"


def key_and_version(kind: Kind, value: str) -> tuple[int, int] | None:
    """The (key, version) a question's button carries; None for anything a button never carries."""
    pressed = decode(action_id(kind), value)
    key, version = pressed.row_id_at(0), pressed.int_at(1)
    if len(pressed.parts) != 2 or key is None or version is None:
        return None
    return key, version


class TeamQuestionCommands:
    def __init__(self, questions: TeamQuestions, chats: ChatPorts, clock: Callable[[], datetime]):
        self.questions = questions
        self.chats = chats
        self.clock = clock

    def labelled(self, questions: Sequence[TeamQuestion]) -> list[tuple[TeamQuestion, str]]:
        return [(tq, self.questions.target_label(tq.draft.target)) for tq in questions]

    # ------------------------------------------------------------------ members

    def propose(self, user_id: str, draft: Draft, *, team_id: str, zone: str | None = None) -> dict[str, str]:
        """Store a proposal: {} when stored, or the sentence per Draft field (the daily cap included)."""
        return self.questions.propose(user_id, draft, self.clock(), team_id=team_id, zone=zone)

    def tell_proposed(self, user_id: str, draft: Draft, *, team_id: str) -> bool:
        """The proposer's DM: it went to the admins."""
        return self._dm(user_id, ui.proposal_received(draft, self.questions.target_label(draft.target)), team_id)

    def tell_admins(self, user_id: str, *, team_id: str) -> int:
        """A new proposal, told by DM to the workspace's admins the bot knows: how many were told."""
        admins = self.questions.admins_to_tell(user_id, team_id=team_id)
        if not admins:
            return 0
        text = ui.proposal_for_admins(user_id, len(self.questions.pending(team_id=team_id)))
        return sum(self._dm(admin, text, team_id) for admin in admins)

    # ------------------------------------------------------------------ admins' decisions

    def approve(self, user_id: str, value: str, *, team_id: str) -> str:
        """承認 pressed on an admin's Home (`value`: the button's key|version): what the Home says."""
        found = key_and_version(Kind.TEAM_APPROVE, value)
        if found is None:
            return f"⚠️ {FORGED_BUTTON}"
        try:
            decision = self.questions.approve(user_id, *found, self.clock(), team_id=team_id)
        except REFUSALS as err:
            return refusal(err)
        assert isinstance(decision, Decision)  # without a draft there is nothing to check
        return ui.approved(decision.question, self._tell(decision, team_id))

    def approve_edited(self, user_id: str, key: int, version: int, draft: Draft, *, team_id: str) -> str:
        """編集して承認's form, submitted: approved as the admin left it."""
        try:
            decision = self.questions.approve(user_id, key, version, self.clock(), team_id=team_id, draft=draft)
        except REFUSALS as err:
            return refusal(err)
        if not isinstance(decision, Decision):
            return ui.invalid(decision)
        return ui.approved(decision.question, self._tell(decision, team_id))

    def reject(self, user_id: str, key: int, version: int, reason: str, *, team_id: str) -> str:
        try:
            decision = self.questions.reject(user_id, key, version, reason, self.clock(), team_id=team_id)
        except REFUSALS as err:
            return refusal(err)
        return ui.rejected(decision.question, self._tell(decision, team_id))

    def edit(self, user_id: str, key: int, version: int, draft: Draft, *, team_id: str) -> str:
        """編集 on an approved question, submitted: the same id with the new text."""
        try:
            edited = self.questions.edit(user_id, key, version, draft, self.clock(), team_id=team_id)
        except REFUSALS as err:
            return refusal(err)
        return ui.invalid(edited) if isinstance(edited, dict) else ui.edited(edited)

    # ------------------------------------------------------------------ `/career questions list` and its buttons

    def handle(self, command: QuestionsCommand, user_id: str, *, team_id: str) -> Message:
        """`/career questions list [page]`."""
        page = int(command.query) if command.query.isascii() and command.query.isdigit() else 1
        return self.listing(user_id, page, team_id=team_id)

    def listing(self, user_id: str, page: int = 1, *, team_id: str, said: str = "") -> Message:
        """The approved and retired questions, for an admin; `said`: a line at its top."""
        try:
            self.questions.authorize(user_id, team_id=team_id)
        except NotAllowed:
            return notice(QUESTION_LIST_NOT_ADMIN)
        except REFUSALS as err:
            return notice(refusal(err))
        return ui.team_list(self.labelled(self.questions.listed(team_id=team_id)), page, said)

    def press(self, pressed: Pressed, value: str, user_id: str, *, team_id: str) -> Message:
        """A question's button that the router answers: 廃止 on the list (the list comes back in its
        place, saying what happened), and 承認 where no Home is published (the console)."""
        if pressed.kind is Kind.TEAM_APPROVE:
            return notice(self.approve(user_id, value, team_id=team_id))
        if pressed.kind is not Kind.TEAM_RETIRE:
            return notice(MODAL_ONLY)
        found = key_and_version(Kind.TEAM_RETIRE, value)
        if found is None:
            return notice(f"⚠️ {FORGED_BUTTON}")
        try:
            retired = self.questions.retire(user_id, *found, self.clock(), team_id=team_id)
        except REFUSALS as err:
            return notice(refusal(err))
        listed = self.listing(user_id, team_id=team_id, said=ui.retired(retired))
        return Message(listed.text, listed.blocks, replace_original=True)

    # ------------------------------------------------------------------ telling people

    def _tell(self, decision: Decision, team_id: str) -> bool:
        return self._dm(decision.question.proposed_by, ui.decision_notice(decision), team_id)

    def _dm(self, user_id: str, text: str, team_id: str) -> bool:
        """A DM to one member (the chat port's notify); False when it could not be sent: the
        decision stands, and the admin is told the proposer was not."""
        try:
            self.chats(team_id).notify(user_id, text)
        except Exception:  # noqa: BLE001 - a DM that fails must not undo or hide a decision made
            log.exception("could not tell %s about their question", user_id)
            return False
        return True
