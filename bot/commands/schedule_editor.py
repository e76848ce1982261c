"""The schedule editor: the form that `/career schedule` and App Home's 編集 / 新しいスケジュール open,
and its submission, which goes through ScheduleAdmin.set (the use-case of `/career schedule set`),
recorded as made from the form. Slack's modal and the console's `:schedule-form` both talk to this;
how the form travels (a modal, sealed private_metadata, views.update) is the adapter's business."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.domain import schedule_form as form
from bot.domain.catalog import RoleCatalog
from bot.domain.schedule_input import ScheduleRequest
from bot.usecases.schedule_admin import OTHER_WORKSPACE, ScheduleAdmin, ScheduleView, StaleSchedule
from bot.views.refusals import NO_ROLES, NOT_ADMIN, REFUSALS, refusal

FORGED = "このフォームの内容を確認できませんでした（改ざんされたか、古い形式のフォームです）。何も変更していません。フォームを開き直してください。"
OTHER_USER = (
    "このフォームはほかのメンバーが開いたものです。何も変更していません。ご自身で `/career schedule` からフォームを開いてください。"
)
UNKNOWN_CHANNEL = "このチャンネルは見つかりませんでした。何も変更していません。チャンネルを確かめて、フォームを開き直してください。"
PICKED_UNKNOWN = "このチャンネルは見つかりませんでした。何も変更していません。プライベートチャンネルの場合は、先に `/invite @career-drill` でボットを招待してから選んでください。"
ALREADY_SCHEDULED = "<#{channel}> にはすでにドリルのスケジュールがあります。何も変更していません。そのチャンネルで `/career schedule` を実行するか、ホームの「編集」から変更してください。"
PICK_CHANNEL = "ドリルを投稿するチャンネル（公開またはプライベートチャンネル）を選んでください。"

# What the adapter knows of the bot in a channel (see ScheduleEditor.save): "missing" when the chat
# service knows no such channel, "outside" when the bot is not in it, None when it is or cannot say.
BotMember = Callable[[str], "str | None"]


@dataclass(frozen=True)
class FormMetadata:
    """What a form was opened for; the adapter carries it with the form, safe from changes."""

    user_id: str  # who opened the form: only they may submit it
    channel_id: str | None  # None: the form has a channel picker (a new schedule)
    version: datetime | None  # the schedule's updated_at when the form opened; None: no schedule yet


@dataclass(frozen=True)
class EditorForm:
    """A form to show: its fields' first values, the roles to choose from, and what it is opened for."""

    values: dict[str, str]
    roles: list[tuple[str, str]]
    opened: FormMetadata


@dataclass(frozen=True)
class Refused:
    """Nothing opens or changes; `sentence` (mrkdwn, with its mark) says why."""

    sentence: str


@dataclass(frozen=True)
class Invalid:
    errors: dict[str, str]  # field → what to fix, shown beside it


@dataclass(frozen=True)
class Valid:
    opened: FormMetadata
    user_id: str
    channel_id: str
    request: ScheduleRequest


@dataclass(frozen=True)
class Saved:
    view: ScheduleView
    channel_id: str
    bot_missing: bool  # the bot is not in the channel yet: the drill cannot post until invited


class ScheduleEditor:
    def __init__(
        self,
        schedules: ScheduleAdmin,
        catalog: RoleCatalog,
        known_admin: Callable[[str, str], bool | None],  # (user id, team id), from memory only
        default_timezone: str,
        clock: Callable[[], datetime],
    ):
        self.schedules = schedules
        self.catalog = catalog
        self.known_admin = known_admin
        self.default_timezone = default_timezone
        self.clock = clock
        self._role_known = form.known_role(catalog)

    # ------------------------------------------------------------------ opening

    def refuse_opening(self, user_id: str, *, team_id: str) -> Refused | None:
        """Whether a form may open, decided from memory alone (an opening has 3 s): a user known
        not to be an admin is refused; anyone else sees the form, and the submission is checked in full."""
        return Refused(NOT_ADMIN) if self.known_admin(user_id, team_id) is False else None

    def form(self, user_id: str, channel_id: str | None, *, team_id: str) -> EditorForm | Refused:
        """The form for `channel_id` (None: with a channel picker), filled in with its schedule."""
        if len(self.catalog) == 0:
            return Refused(f"⚠️ {NO_ROLES}")
        if channel_id and not self.schedules.owned_by(channel_id, team_id=team_id):
            # A Slack Connect channel whose schedule another workspace set: saving would be refused.
            return Refused(f"⚠️ {OTHER_WORKSPACE}")
        schedule, version = self.schedules.for_form(channel_id, team_id=team_id) if channel_id else (None, None)
        values = form.initial_values(schedule, self.default_timezone)
        return EditorForm(values, form.role_choices(self.catalog), FormMetadata(user_id, channel_id, version))

    # ------------------------------------------------------------------ submitting

    def check(self, opened: FormMetadata | None, user_id: str, values: dict[str, str]) -> Refused | Invalid | Valid:
        """What a submission amounts to, from itself alone (no I/O: Slack's ack waits on this).
        `opened`: what the form was opened for, or None when that cannot be trusted."""
        if opened is None:
            return Refused(f"⚠️ {FORGED}")
        if opened.user_id != user_id:
            return Refused(f"⚠️ {OTHER_USER}")
        errors: dict[str, str] = {}
        channel_id = opened.channel_id
        if channel_id is None:
            channel_id = values.get(form.CHANNEL, "").strip()
            if not form.is_channel_id(channel_id):
                errors[form.CHANNEL] = PICK_CHANNEL
        elif not form.is_channel_id(channel_id):
            return Refused(f"⚠️ {UNKNOWN_CHANNEL}")
        parsed = form.parse_form(values, self._role_known)
        if isinstance(parsed, dict):
            errors.update(parsed)
        if errors:
            return Invalid(errors)
        assert isinstance(parsed, ScheduleRequest)
        return Valid(opened, user_id, channel_id, parsed)

    def save(self, checked: Valid, bot_member: BotMember, *, team_id: str) -> Saved | Refused:
        """Save a checked submission. `bot_member(channel)` is asked only once the user is known to
        be an admin, so a non-admin learns nothing of the channel either."""
        user_id, channel_id = checked.user_id, checked.channel_id
        try:
            self.schedules.authorize(user_id, team_id=team_id)
            member = bot_member(channel_id)
            if member == "missing":
                if checked.opened.channel_id is None:
                    # Picked from the list: no such channel, or a private one the bot has not been
                    # invited to (Slack answers the same for both).
                    return Refused(f"⚠️ {PICKED_UNKNOWN}")
                # The form was opened in (or for) this channel: a private channel the bot is not in
                # yet. Saved with the same warning as `schedule set`.
                member = "outside"
            view = self.schedules.set(
                channel_id,
                user_id,
                checked.request,
                self.clock(),
                source="modal",
                expected_version=checked.opened.version,
                team_id=team_id,
            )
        except REFUSALS as err:
            if isinstance(err, StaleSchedule) and checked.opened.channel_id is None:
                # Picked from the list, and the channel has a schedule already (made meanwhile).
                return Refused(f"⚠️ {ALREADY_SCHEDULED.format(channel=channel_id)}")
            return Refused(refusal(err))
        return Saved(view, channel_id, bot_missing=member == "outside")
