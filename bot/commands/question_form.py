"""The question form: what `/career propose`, App Home's ✍️ 質問を提案 and an admin's 編集して承認 /
編集 open, the reject modal's reason, and what a submission does. Slack's modal talks to this; how
the form travels (a modal, sealed private_metadata, views.update) is the adapter's business.

A proposal is checked and stored inside Slack's ack (one short write, so the daily cap's sentence
can stand under its field): the member's time zone is read from memory then (`known_zone`), which
opening the form filled. An admin's decision is checked in the ack and made afterwards, since the
admin check may ask Slack."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.commands.schedule_editor import FORGED
from bot.commands.team_questions import TeamQuestionCommands, key_and_version
from bot.domain import question_form as qf
from bot.domain.catalog import Resolved
from bot.domain.team_questions import COMMON_TARGET, REASON_CHARACTERS, Draft, Status
from bot.views.action_ids import Kind
from bot.views.refusals import FORGED_BUTTON, QUESTION_NOT_ADMIN, REFUSALS, STALE_QUESTION, refusal

PROPOSE, APPROVE, EDIT, REJECT = "propose", "approve", "edit", "reject"
MODES = (PROPOSE, APPROVE, EDIT, REJECT)
OTHER_USER = "このフォームはほかのメンバーが開いたものです。何も変更していません。ご自身でフォームを開いてください。"
_BUTTONS = {APPROVE: Kind.TEAM_EDIT_APPROVE, EDIT: Kind.TEAM_EDIT, REJECT: Kind.TEAM_REJECT}
_EXPECTED = {APPROVE: Status.PENDING, EDIT: Status.APPROVED, REJECT: Status.PENDING}


@dataclass(frozen=True)
class Opened:
    """What a form was opened for; the adapter carries it with the form, safe from changes."""

    mode: str  # propose | approve (編集して承認) | edit (an approved question) | reject
    user_id: str  # who opened it: only they may submit it
    key: int = 0  # the question's row (not for a proposal)
    version: int = 0  # its version when the form opened: a decision made since wins


@dataclass(frozen=True)
class Form:
    """A form to show: its first values (block id → value), the roles to choose from, what it is for."""

    opened: Opened
    values: dict[str, str]
    targets: list[tuple[str, str]]
    proposed_by: str = ""


@dataclass(frozen=True)
class Refused:
    sentence: str  # mrkdwn, with its mark


@dataclass(frozen=True)
class Invalid:
    errors: dict[str, str]  # block id → what to fix, shown under it


@dataclass(frozen=True)
class Valid:
    opened: Opened
    draft: Draft | None  # None for a rejection
    reason: str = ""


class QuestionForm:
    def __init__(
        self,
        commands: TeamQuestionCommands,
        known_admin: Callable[[str, str], bool | None] = lambda user_id, team_id: None,  # from memory only
        known_zone: Callable[[str, str], str | None] = lambda user_id, team_id: None,  # from memory only
        default_timezone: str = "UTC",
    ):
        self.commands = commands
        self.questions = commands.questions
        self.known_admin = known_admin
        self.known_zone = known_zone
        self.default_timezone = default_timezone

    # ------------------------------------------------------------------ opening

    def refuse_opening(self, user_id: str, mode: str, *, team_id: str) -> Refused | None:
        """Decided from memory alone (an opening has 3 s): anyone may propose; a user known not to
        be an admin opens no decision. Everyone else's submission is checked in full."""
        if mode != PROPOSE and self.known_admin(user_id, team_id) is False:
            return Refused(QUESTION_NOT_ADMIN)
        return None

    def propose_form(self, user_id: str, query: str = "") -> Form:
        """The empty form; `query` (`/career propose cto`) preselects that role, or the common questions."""
        values: dict[str, str] = {}
        found = self.questions.catalogs.resolve(query) if query.strip() else None
        if isinstance(found, Resolved):
            values[qf.BLOCKS["target"]] = COMMON_TARGET if found.role.is_common else found.role.slug
        return Form(Opened(PROPOSE, user_id), values, self.questions.targets())

    def remember_zone(self, user_id: str, *, team_id: str) -> None:
        """Read the member's time zone while they write, so the submission finds it in memory."""
        self.questions.zone_of(user_id, team_id)

    def decision_form(self, user_id: str, mode: str, value: str, *, team_id: str) -> Form | Refused:
        """編集して承認 or 編集 (`value`: the button's key|version): the question as it stands, if it
        is still what the button was drawn from and the user is an admin."""
        found = key_and_version(_BUTTONS[mode], value)
        if found is None:
            return Refused(f"⚠️ {FORGED_BUTTON}")
        try:
            self.questions.authorize(user_id, team_id=team_id)
        except REFUSALS as err:
            return Refused(refusal(err))
        key, version = found
        tq = self.questions.get(key, team_id=team_id)
        if tq is None or tq.version != version or tq.status is not _EXPECTED[mode]:
            return Refused(f"⚠️ {STALE_QUESTION}")
        return Form(Opened(mode, user_id, key, version), qf.values_of(tq.draft), self.questions.targets(), tq.proposed_by)

    def reject_opened(self, user_id: str, value: str) -> Opened | Refused:
        """却下 (`value`: the button's key|version): the reason modal needs nothing else."""
        found = key_and_version(Kind.TEAM_REJECT, value)
        if found is None:
            return Refused(f"⚠️ {FORGED_BUTTON}")
        return Opened(REJECT, user_id, *found)

    # ------------------------------------------------------------------ submitting

    def check(self, opened: Opened | None, user_id: str, values: Mapping[str, str]) -> Refused | Invalid | Valid:
        """What a submission amounts to, from itself alone (no I/O: Slack's ack waits on this).
        `opened`: what the form was opened for, or None when that cannot be trusted."""
        if opened is None or opened.mode not in MODES:
            return Refused(f"⚠️ {FORGED}")
        if opened.user_id != user_id:
            return Refused(f"⚠️ {OTHER_USER}")
        if opened.mode == REJECT:
            reason = values.get(qf.REASON, "")
            return Valid(opened, None, " ".join(reason.split())[:REASON_CHARACTERS] if isinstance(reason, str) else "")
        draft = qf.draft_from(values, target=self._target(values.get(qf.BLOCKS["target"], "")))
        errors = self.questions.check(draft)
        return Invalid(qf.errors_by_block(errors)) if errors else Valid(opened, draft)

    def _target(self, value: str) -> str:
        """The role the form names: a menu's value, or a name typed where the menu would not fit."""
        value = (value or "").strip()
        if not value or value in {target for target, _ in self.questions.targets()}:
            return value
        found = self.questions.catalogs.resolve(value)
        if isinstance(found, Resolved):
            return COMMON_TARGET if found.role.is_common else found.role.slug
        return value

    def propose(self, checked: Valid, *, team_id: str) -> Invalid | None:
        """Store a checked proposal (in the ack); the sentence under its field when it is refused."""
        assert checked.draft is not None
        user_id = checked.opened.user_id
        zone = self.known_zone(user_id, team_id) or self.default_timezone
        errors = self.commands.propose(user_id, checked.draft, team_id=team_id, zone=zone)
        return Invalid(qf.errors_by_block(errors)) if errors else None

    def decide(self, checked: Valid, *, team_id: str) -> str:
        """An admin's form, checked: approve as edited, save an edit, or reject. What the modal says."""
        opened = checked.opened
        if opened.mode == REJECT:
            return self.commands.reject(opened.user_id, opened.key, opened.version, checked.reason, team_id=team_id)
        assert checked.draft is not None
        if opened.mode == APPROVE:
            return self.commands.approve_edited(opened.user_id, opened.key, opened.version, checked.draft, team_id=team_id)
        return self.commands.edit(opened.user_id, opened.key, opened.version, checked.draft, team_id=team_id)
