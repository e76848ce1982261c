"""The schedule editor modal through the real HTTP app: signed slash commands, view submissions and
App Home presses in; views.open / views.update out to the Web API stand-in."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone

import pytest

from bot.domain.schedule import Digest, Remind
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.testing import CONTENT_DIR, TEAM_ID
from bot.testing.botserver import drill_server, updated_form
from bot.testing.db import sqlite_copy
from bot.testing.reading import blocks_text
from bot.testing.signing import form_state, view_action_body, view_submission_body

UTC = timezone.utc
ADMIN = "UADMIN001"  # in ADMIN_USER_IDS
WORKSPACE_ADMIN = "UWSADMIN1"  # an admin by users.info only
MEMBER = "UMEMBER01"
CH = "C0STUDY01"


@pytest.fixture
def modal_bot(stub_api, db_url):
    stub_api.handlers["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.params.get("user"), "is_admin": call.params.get("user") == WORKSPACE_ADMIN, "is_owner": False},
    }
    server = drill_server(stub_api, db_url, start=datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    yield server
    server.stop()


def view_of(call) -> dict:
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def opened_form(bot, stub, user_id: str = ADMIN, text: str = "schedule", updates_before: int = 0) -> dict:
    """Run `/career schedule` and return the form as Slack would hold it after views.update."""
    ack = bot.command(text, user_id=user_id)
    assert ack.status == 200 and not ack.body.strip()
    return updated_form(stub, updates_before + 1)


def submit(bot, view: dict, user_id: str = ADMIN, **changes: str) -> dict:
    ack = bot.post_signed(view_submission_body(view, user_id=user_id, values=form_state(view, **changes)))
    assert ack.status == 200, ack.status
    return ack.json()


def result_text(stub, count: int) -> str:
    """The text of the view the modal shows after the `count`-th views.update."""
    return blocks_text(updated_form(stub, count)["blocks"])


def slug(bot, name: str) -> str:
    return bot.core.catalog.resolve(name).role.slug


def schedule_of(bot):
    view = bot.core.schedules.show(CH, bot.clock(), team_id=TEAM_ID)
    return view.schedule if view else None


def test_an_admin_opens_the_form_fixes_an_inline_error_and_saves_a_schedule_with_remind_and_digest(modal_bot, stub_api):
    bot = modal_bot
    form = opened_form(bot, stub_api, user_id=WORKSPACE_ADMIN)

    calls = [c.method for c in stub_api.calls]
    opened = stub_api.calls_to("views.open")
    assert len(opened) == 1 and opened[0].params["trigger_id"] == "1.2.3"
    # The trigger expires in 3 s: the modal opens before anything else is asked of Slack.
    assert "users.info" not in calls[: calls.index("views.open")]
    assert "submit" not in view_of(opened[0])  # the loading modal cannot be submitted
    update = stub_api.calls_to("views.update")[0].params
    assert update["view_id"] == opened[0].response["view"]["id"] and update["hash"] == opened[0].response["view"]["hash"]
    assert form["callback_id"] == "schedule_editor" and form["private_metadata"] and len(form["blocks"]) <= 100
    inputs = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert set(inputs) == {
        "role",
        "time",
        "tz",
        "tz_other",
        "days",
        "reveal",
        "order",
        "remind",
        "digest",
        "feedback",
        "questions",
        "level",
        "common",
    }
    roles = [o["text"]["text"] for o in inputs["role"]["options"]]
    assert roles[0] == "全職種ローテーション" and "CISO" in roles
    assert inputs["tz"]["options"][0]["value"] == "Asia/Tokyo"
    assert inputs["time"]["initial_time"] == "09:00" and inputs["reveal"]["initial_value"] == "+8h"
    assert len(inputs["days"]["initial_options"]) == 7

    invalid = submit(bot, form, user_id=WORKSPACE_ADMIN, role="ciso", time="25:00")
    assert invalid == {
        "response_action": "errors",
        "errors": {"time": "「25:00」は時刻として正しくありません。00:00〜23:59 で指定してください。"},
    }
    assert schedule_of(bot) is None

    saving = submit(bot, form, user_id=WORKSPACE_ADMIN, role="ciso", time="09:30", days="mon,wed,fri", remind="-1h", digest="fri-18:00")
    assert saving["response_action"] == "update" and "保存しています" in blocks_text(saving["view"]["blocks"])
    saved = result_text(stub_api, 2)
    assert "保存しました" in saved and "09:30" in saved
    assert stub_api.calls_to("views.update")[1].params["view_id"] == form["id"]

    shown = blocks_text(bot.answer("schedule show")["blocks"])
    assert "CISO" in shown and "月・水・金曜 09:30" in shown
    schedule = schedule_of(bot)
    assert schedule.remind == Remind(before=timedelta(hours=1)) and schedule.digest == Digest(day=4, at=time(18, 0))
    history = blocks_text(bot.answer("schedule history")["blocks"])
    assert "*設定*（フォーム）: （なし） → CISO 月・水・金曜 09:30" in history

    # Opened again, the form shows the schedule as it now stands.
    again = opened_form(bot, stub_api, user_id=WORKSPACE_ADMIN, updates_before=2)
    inputs = {b["block_id"]: b["element"] for b in again["blocks"] if b["type"] == "input"}
    assert inputs["role"]["initial_option"]["value"] == slug(bot, "ciso") and inputs["time"]["initial_time"] == "09:30"
    assert inputs["remind"]["initial_value"] == "-1h" and inputs["digest"]["initial_value"] == "fri-18:00"
    assert [o["value"] for o in inputs["days"]["initial_options"]] == ["mon", "wed", "fri"]
    # … and submitting it changes that version of the schedule (it is not stale).
    bot.clock_.now += timedelta(minutes=5)
    submit(bot, again, user_id=WORKSPACE_ADMIN, time="10:00", remind="")
    assert "保存しました" in result_text(stub_api, 4)
    assert (
        schedule_of(bot).post_time == time(10, 0)
        and schedule_of(bot).remind is None
        and schedule_of(bot).digest == Digest(day=4, at=time(18, 0))
    )


def test_a_zone_picked_from_the_list_replaces_a_schedules_uncommon_zone(modal_bot, stub_api):
    bot = modal_bot
    bot.answer("schedule set sre 10:00 tz=Europe/Lisbon", user_id=ADMIN)
    form = opened_form(bot, stub_api)
    inputs = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert inputs["tz"]["initial_option"]["value"] == "Europe/Lisbon" and inputs["tz"]["options"][0]["value"] == "Asia/Tokyo"
    assert "initial_value" not in inputs["tz_other"]
    submit(bot, form, tz="Asia/Tokyo")
    assert "保存しました" in result_text(stub_api, 2)
    assert schedule_of(bot).timezone == "Asia/Tokyo"


def test_a_member_known_not_to_be_an_admin_is_refused_without_a_modal(modal_bot, stub_api):
    bot = modal_bot
    refused = bot.answer("schedule set ciso 09:00", user_id=MEMBER)  # Slack said: not an admin
    assert "管理者だけです" in blocks_text(refused["blocks"])

    ack = bot.command("schedule", user_id=MEMBER, response_url=stub_api.response_url("form"))
    assert ack.status == 200
    answer = stub_api.answer_at("form")
    assert "管理者だけです" in answer["text"] and answer["response_type"] == "ephemeral"
    assert stub_api.calls_to("views.open") == []

    # From App Home, which has no response_url: the refusal is a modal of its own, with no form.
    bot.post_signed(view_action_body("home_schedule_edit", CH, user_id=MEMBER))
    opened = stub_api.wait_for("views.open")
    assert len(opened) == 1 and "管理者だけです" in blocks_text(view_of(opened[0])["blocks"]) and "submit" not in view_of(opened[0])
    assert stub_api.calls_to("views.update") == []


def test_a_form_opened_in_a_private_channel_without_the_bot_saves_and_says_to_invite_it(modal_bot, stub_api):
    bot = modal_bot
    private = "C0PRIV001"
    # Slack answers channel_not_found for a private channel the bot has not been invited to.
    stub_api.handlers["conversations.info"] = lambda call: (
        {"ok": False, "error": "channel_not_found"}
        if call.params.get("channel") == private
        else {"ok": True, "channel": {"id": call.params.get("channel"), "is_member": True}}
    )
    ack = bot.command("schedule", user_id=ADMIN, channel_id=private)
    assert ack.status == 200
    form = updated_form(stub_api, 1)
    assert f"<#{private}>" in blocks_text(form["blocks"])
    submit(bot, form, role="ciso")
    said = result_text(stub_api, 2)
    assert "保存しました" in said and "ボットがまだこのチャンネルに参加していません" in said
    assert bot.core.schedules.show(private, bot.clock(), team_id=TEAM_ID).schedule.role == slug(bot, "ciso")
    # `schedule set` typed there does the same.
    assert "ボットがまだこのチャンネルに参加していません" in blocks_text(
        bot.answer("schedule set sre 10:00", user_id=ADMIN, channel_id=private)["blocks"]
    )


def test_a_form_slack_would_not_open_is_answered_with_a_sentence(modal_bot, stub_api):
    bot = modal_bot
    stub_api.script("views.open", (200, {}, {"ok": False, "error": "expired_trigger_id"}))
    assert bot.command("schedule", user_id=ADMIN, response_url=stub_api.response_url("late")).status == 200
    answer = stub_api.answer_at("late")
    assert (
        answer["text"]
        == "⚠️ スケジュールの編集フォームを開けませんでした。何も変更していません。もう一度 `/career schedule` を実行してください。"
    )
    assert answer["response_type"] == "ephemeral" and stub_api.calls_to("views.update") == []


def test_an_unknown_member_sees_the_form_but_their_submission_changes_nothing(modal_bot, stub_api):
    bot = modal_bot
    form = opened_form(bot, stub_api, user_id="UNEW00001")
    assert submit(bot, form, user_id="UNEW00001", role="ciso")["response_action"] == "update"
    said = result_text(stub_api, 2)
    assert "管理者だけです" in said and "何も変更していません" in said
    bot.lazy.settle()
    assert schedule_of(bot) is None
    assert "変更履歴はまだありません" in blocks_text(bot.answer("schedule history")["blocks"])


def test_a_form_submitted_by_another_member_changes_nothing(modal_bot, stub_api):
    bot = modal_bot
    form = opened_form(bot, stub_api)
    answer = submit(bot, form, user_id=WORKSPACE_ADMIN, role="ciso")
    assert answer["response_action"] == "update" and "ほかのメンバーが開いたもの" in blocks_text(answer["view"]["blocks"])
    bot.lazy.settle()  # the lazy listener has run too, and did nothing
    assert schedule_of(bot) is None
    assert len(stub_api.calls_to("views.update")) == 1


@pytest.mark.parametrize("forge", ["other channel", "unsigned", "missing"])
def test_altered_or_unsigned_metadata_changes_nothing(modal_bot, stub_api, forge):
    bot = modal_bot
    form = opened_form(bot, stub_api)
    payload, _, mac = form["private_metadata"].rpartition("|")
    if forge == "other channel":
        metadata = payload.replace(CH, "C0OTHER01") + "|" + mac
    elif forge == "unsigned":
        metadata = payload
    else:
        metadata = ""
    answer = submit(bot, {**form, "private_metadata": metadata}, role="ciso")
    assert answer["response_action"] == "update" and "確認できませんでした" in blocks_text(answer["view"]["blocks"])
    bot.lazy.settle()  # the lazy listener has run too, and did nothing
    assert schedule_of(bot) is None and bot.core.schedules.show("C0OTHER01", bot.clock(), team_id=TEAM_ID) is None
    assert len(stub_api.calls_to("views.update")) == 1  # nothing follows the refusal


def test_a_form_whose_schedule_changed_after_it_opened_changes_nothing(modal_bot, stub_api):
    bot = modal_bot
    form = opened_form(bot, stub_api)
    assert "設定しました" in blocks_text(bot.answer("schedule set sre 10:00", user_id=ADMIN)["blocks"])

    assert submit(bot, form, role="ciso", time="07:00")["response_action"] == "update"
    said = result_text(stub_api, 2)
    assert "フォームを開いた後に" in said and "開き直して" in said
    assert schedule_of(bot).role == slug(bot, "sre") and schedule_of(bot).post_time == time(10, 0)


def test_the_same_form_submitted_twice_is_saved_once_and_both_submissions_say_so(modal_bot, stub_api):
    """A double click on 保存 (or Slack delivering the submission twice): the second finds the
    schedule already as the form asks. It is saved, not 「フォームを開いた後に…変更されました」."""
    bot = modal_bot
    form = opened_form(bot, stub_api)
    for updates in (2, 3):
        assert submit(bot, form, role="ciso", time="07:00", remind="-1h")["response_action"] == "update"
        bot.lazy.settle()
        said = result_text(stub_api, updates)
        assert "保存しました" in said and "07:00" in said and "フォームを開いた後に" not in said
    assert schedule_of(bot).post_time == time(7, 0) and schedule_of(bot).remind == Remind(before=timedelta(hours=1))
    history = blocks_text(bot.answer("schedule history")["blocks"])
    assert history.count("*設定*（フォーム）") == 1  # one change recorded, not two

    # The same stale form asking for something else is still refused.
    submit(bot, form, role="ciso", time="08:00")
    said = result_text(stub_api, 4)
    assert "フォームを開いた後に" in said and schedule_of(bot).post_time == time(7, 0)


def test_a_forms_errors_use_its_own_labels_and_say_to_empty_a_field_to_turn_it_off(modal_bot, stub_api):
    bot = modal_bot
    form = opened_form(bot, stub_api)
    errors = submit(bot, form, role="ciso", reveal="tomorrow", remind="soon", digest="fri")["errors"]
    assert (
        errors["reveal"]
        == "回答ポイントの公開は HH:MM（投稿と同じ日の時刻）か +30m / +2h（投稿の何分・何時間後）の形で入力してください。「tomorrow」は読めませんでした。"
    )
    assert (
        errors["remind"]
        == "リマインダーは -1h / -30m（公開の何時間・何分前か）か 20:00 のような時刻で入力してください（やめるときは空欄に）。「soon」は読めませんでした。"
    )
    assert (
        errors["digest"]
        == "週間まとめは fri-18:00 のように曜日と時刻を1つずつ入力してください（やめるときは空欄に）。「fri」は読めませんでした。"
    )
    said = " ".join(errors.values())
    assert "reveal" not in said and "remind" not in said and "digest は" not in said and "off" not in said
    errors = submit(bot, form, role="ciso", reveal="+0m")["errors"]
    assert errors == {"reveal": "回答ポイントの公開は投稿の1分後から23時間59分後までの間で指定してください。"}
    assert schedule_of(bot) is None


def test_home_new_schedule_opens_a_form_with_a_channel_picker(modal_bot, stub_api):
    bot = modal_bot
    ack = bot.post_signed(view_action_body("home_schedule_new", "", user_id=ADMIN))
    assert ack.status == 200
    form = updated_form(stub_api, 1)
    assert stub_api.calls_to("views.open")[0].params["trigger_id"] == "7.8.9"
    assert form["blocks"][0]["block_id"] == "channel" and form["blocks"][0]["element"]["type"] == "conversations_select"

    # No channel, or a direct message: the picker's error, on the picker.
    assert submit(bot, form, role="ciso") == {
        "response_action": "errors",
        "errors": {"channel": "ドリルを投稿するチャンネル（公開またはプライベートチャンネル）を選んでください。"},
    }
    assert submit(bot, form, role="ciso", channel="D0DIRECT1")["errors"] == {
        "channel": "ドリルを投稿するチャンネル（公開またはプライベートチャンネル）を選んでください。"
    }

    # A channel Slack does not know.
    stub_api.handlers["conversations.info"] = lambda call: (
        {"ok": False, "error": "channel_not_found"}
        if call.params.get("channel") == "C0GONE001"
        else {"ok": True, "channel": {"id": call.params.get("channel"), "is_member": True}}
    )
    assert submit(bot, form, role="ciso", channel="C0GONE001")["response_action"] == "update"
    gone = result_text(stub_api, 2)
    assert "チャンネルは見つかりませんでした" in gone and "`/invite @career-drill` でボットを招待してから選んでください" in gone
    assert bot.core.schedules.show("C0GONE001", bot.clock(), team_id=TEAM_ID) is None

    # A channel picked as new that meanwhile has a schedule: nothing is overwritten.
    bot.answer("schedule set sre 10:00", user_id=ADMIN)
    submit(bot, form, role="ciso", channel=CH)
    assert "すでにドリルのスケジュールがあります" in result_text(stub_api, 3)
    assert schedule_of(bot).role == slug(bot, "sre")

    # A new channel: saved, from the form.
    submit(bot, form, role="all", channel="C0NEW0001", time="08:15")
    assert "保存しました" in result_text(stub_api, 4)
    created = bot.core.schedules.show("C0NEW0001", bot.clock(), team_id=TEAM_ID)
    assert created.schedule.role == "all" and created.schedule.post_time == time(8, 15)


def test_home_edit_opens_the_channels_form_and_a_forged_channel_opens_none(modal_bot, stub_api):
    bot = modal_bot
    bot.answer("schedule set sre 10:00 remind=-30m", user_id=ADMIN)
    bot.post_signed(view_action_body("home_schedule_edit", CH, user_id=ADMIN))
    form = updated_form(stub_api, 1)
    assert f"<#{CH}>" in blocks_text(form["blocks"])
    inputs = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert inputs["role"]["initial_option"]["value"] == slug(bot, "sre") and inputs["remind"]["initial_value"] == "-30m"

    bot.post_signed(view_action_body("home_schedule_edit", "<!channel>", user_id=ADMIN))
    opened = stub_api.wait_for("views.open", count=2)
    assert "見つかりませんでした" in blocks_text(view_of(opened[1])["blocks"]) and "submit" not in view_of(opened[1])


def test_the_console_submits_the_same_form_with_the_same_errors_and_marks_it_as_the_forms(tmp_path):
    import io

    from bot.config import load_settings
    from bot.console_app import build_console

    out = io.StringIO()
    settings = load_settings({"CONTENT_DIR": str(CONTENT_DIR), "DEFAULT_TIMEZONE": "UTC"})
    console = build_console(settings, sqlite_copy(tmp_path / "console.sqlite3"), out=out, start=datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    try:
        console.run([":schedule-form role=ciso time=25:00 digest=fri"], interactive=False)
        rejected = out.getvalue()
        assert "何も変更していません" in rejected
        assert (
            "投稿時刻: 「25:00」は時刻として正しくありません。" in rejected
            and "週間まとめ: 週間まとめは fri-18:00 のように曜日と時刻を1つずつ入力してください（やめるときは空欄に）" in rejected
        )
        assert console.bot.schedules.show("CCONSOLE1", console.clock(), team_id=SINGLE_WORKSPACE) is None

        console.run(
            [
                ":schedule-form role=ciso time=09:00 tz=Asia/Tokyo days=月,水,金 reveal=+8h remind=-1h digest=fri-18:00",
                "/career schedule history",
            ],
            interactive=False,
        )
        schedule = console.bot.schedules.show("CCONSOLE1", console.clock(), team_id=SINGLE_WORKSPACE).schedule
        assert schedule.days == frozenset({0, 2, 4}) and schedule.timezone == "Asia/Tokyo"
        assert schedule.remind == Remind(before=timedelta(hours=1)) and schedule.digest == Digest(day=4, at=time(18, 0))
        assert "設定（フォーム）" in out.getvalue()
    finally:
        console.bot.engine.dispose()
