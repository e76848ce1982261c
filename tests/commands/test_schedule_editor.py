"""The schedule editor's form without Slack or a database: what a submission amounts to, and that a
refused save reads the same as the same refusal anywhere else (one table, bot.views.refusals)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.commands.schedule_editor import (
    ALREADY_SCHEDULED,
    FORGED,
    OTHER_USER,
    EditorForm,
    FormMetadata,
    Invalid,
    Refused,
    Saved,
    ScheduleEditor,
    Valid,
)
from bot.domain import schedule_form as form
from bot.domain.schedule import ScheduleError
from bot.ports import AdminCheckFailed
from bot.usecases.schedule_admin import NotAllowed, StaleSchedule
from bot.views import home_blocks
from bot.views.plaintext import mrkdwn_to_text
from bot.views.refusals import CHECK_FAILED, NOT_ADMIN, STALE_FORM, refusal

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
ADMIN, MEMBER, CH = "UADMIN001", "UMEMBER01", "C0STUDY01"


class FakeSchedules:
    """ScheduleAdmin as the editor uses it: `raises` is what `set` (or the admin check) refuses with."""

    def __init__(self, raises: Exception | None = None, refuse_admin: Exception | None = None):
        self.raises = raises
        self.refuse_admin = refuse_admin
        self.saved: list[tuple] = []

    def authorize(self, user_id: str, *, team_id: str) -> None:
        if self.refuse_admin is not None:
            raise self.refuse_admin

    def owned_by(self, channel_id: str, *, team_id: str) -> bool:
        return True

    def for_form(self, channel_id: str, *, team_id: str):
        return None, None

    def set(self, channel_id, user_id, request, now, source="command", expected_version=None, *, team_id):
        if self.raises is not None:
            raise self.raises
        self.saved.append((channel_id, user_id, source, expected_version, team_id))
        return "the schedule view"


def editor(router, schedules: FakeSchedules, known_admin=lambda user_id, team_id: None) -> ScheduleEditor:
    return ScheduleEditor(schedules, router.catalog, known_admin, "Asia/Tokyo", lambda: NOW)  # type: ignore[arg-type]


def filled(ed: ScheduleEditor, channel_id: str | None = CH, user_id: str = ADMIN) -> tuple[FormMetadata, dict[str, str]]:
    opened = ed.form(user_id, channel_id, team_id="T1")
    assert isinstance(opened, EditorForm)
    return opened.opened, {**opened.values, form.ROLE: "all"}


def valid(ed: ScheduleEditor, channel_id: str | None = CH, **values: str) -> Valid:
    opened, fields = filled(ed, channel_id)
    checked = ed.check(opened, ADMIN, {**fields, **values})
    assert isinstance(checked, Valid), checked
    return checked


def test_a_form_opened_for_a_channel_saves_through_the_use_case_marked_as_the_forms(router):
    schedules = FakeSchedules()
    ed = editor(router, schedules)
    saved = ed.save(valid(ed), lambda channel_id: "outside", team_id="T1")
    assert saved == Saved("the schedule view", CH, bot_missing=True)  # type: ignore[arg-type]
    assert schedules.saved == [(CH, ADMIN, "modal", None, "T1")]


def test_a_submission_that_cannot_be_trusted_or_is_not_the_submitters_is_refused(router):
    ed = editor(router, FakeSchedules())
    opened, values = filled(ed)
    assert ed.check(None, ADMIN, values) == Refused(f"⚠️ {FORGED}")
    assert ed.check(opened, MEMBER, values) == Refused(f"⚠️ {OTHER_USER}")
    picker, values = filled(ed, channel_id=None)
    checked = ed.check(picker, ADMIN, {**values, form.CHANNEL: "<!channel>"})
    assert isinstance(checked, Invalid) and set(checked.errors) == {form.CHANNEL}


@pytest.mark.parametrize(
    "error, sentence",
    [
        (NotAllowed(), NOT_ADMIN),
        (AdminCheckFailed(ADMIN, "ratelimited", retryable=True), f"⚠️ {CHECK_FAILED}"),
        (StaleSchedule(), f"⚠️ {STALE_FORM}"),
        (ScheduleError("<!channel> は読めません"), "⚠️ &lt;!channel&gt; は読めません"),
    ],
)
def test_a_refused_save_says_what_the_refusal_table_says(router, error, sentence):
    refuse_admin = error if isinstance(error, (NotAllowed, AdminCheckFailed)) else None
    ed = editor(router, FakeSchedules(raises=None if refuse_admin else error, refuse_admin=refuse_admin))
    assert ed.save(valid(ed), lambda channel_id: None, team_id="T1") == Refused(sentence) == Refused(refusal(error))


def test_the_same_refusal_reads_the_same_on_the_form_the_home_and_in_the_console(router):
    ed = editor(router, FakeSchedules(refuse_admin=NotAllowed()), known_admin=lambda user_id, team_id: False)
    assert ed.refuse_opening(MEMBER, team_id="T1") == Refused(NOT_ADMIN)
    assert home_blocks.toggle_notice("refused", CH) == NOT_ADMIN
    assert home_blocks.toggle_notice("unchecked", CH) == f"⚠️ {CHECK_FAILED}"
    assert "管理者だけです。何も変更していません。" in NOT_ADMIN and mrkdwn_to_text(NOT_ADMIN) == NOT_ADMIN


def test_a_channel_picked_from_the_list_that_has_a_schedule_meanwhile_says_so(router):
    ed = editor(router, FakeSchedules(raises=StaleSchedule()))
    checked = valid(ed, channel_id=None, **{form.CHANNEL: CH})
    assert ed.save(checked, lambda channel_id: None, team_id="T1") == Refused(f"⚠️ {ALREADY_SCHEDULED.format(channel=CH)}")


def test_a_refusal_for_an_error_nobody_wrote_a_sentence_for_is_a_bug_not_a_silence():
    with pytest.raises(TypeError):
        refusal(KeyError("x"))
