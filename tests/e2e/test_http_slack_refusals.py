"""When Slack says no, through the real HTTP app: rate limits (a 429 with Retry-After) on the calls
made for a drill and on views.open, a channel archived or deleted under its schedule, a missing
scope, and an admin check Slack cannot answer. The clock is injected and moved tick by tick; the
Web API stand-in counts what Slack saw."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.store.models import DrillRow
from bot.testing import ADMIN, CH
from bot.testing.botserver import drill_server, homes, open_home, press_in_view
from bot.testing.reading import blocks_text
from bot.testing.signing import reply

UTC = timezone.utc
WORKSPACE_ADMIN = "UWSADMIN1"  # an admin by users.info only
RATE_LIMITED = (429, {"Retry-After": "30"}, {"ok": False, "error": "ratelimited"})


@pytest.fixture
def bot(stub_api, db_url):
    stub_api.handlers["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.params.get("user"), "is_admin": call.params.get("user") == WORKSPACE_ADMIN, "is_owner": False},
    }
    server = drill_server(stub_api, db_url)
    # The Home's debounce window never closes on its own here.
    server.home.refresh.schedule = lambda delay, run: None
    yield server
    server.stop()


def at(bot, when: datetime):
    bot.clock_.now = when
    return bot.tick()


def tick_every_second(bot, start: datetime, seconds: int) -> None:
    for n in range(seconds):
        at(bot, start + timedelta(seconds=n))


def dms_to(stub_api, user_id: str) -> list[str]:
    return [c.params.get("text") or "" for c in stub_api.calls_to("chat.postMessage") if c.params.get("channel") == user_id]


def posts_in(stub_api, channel_id: str) -> list:
    return [c for c in stub_api.calls_to("chat.postMessage") if c.params.get("channel") == channel_id]


def refuse_in(stub_api, channel_id: str, error: str, **extra) -> None:
    """Slack answers every chat.postMessage in `channel_id` with this error (HTTP 200, ok: false)."""
    post = stub_api.handlers["chat.postMessage"]
    stub_api.handlers["chat.postMessage"] = lambda call: (
        {"ok": False, "error": error, **extra} if call.params.get("channel") == channel_id else post(call)
    )


# ----------------------------------------------------------------------------- Retry-After


def test_a_rate_limited_edit_of_the_question_is_not_tried_again_before_retry_after(bot, stub_api):
    assert "設定しました" in blocks_text(bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1m", user_id=ADMIN)["blocks"])
    at(bot, datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC))
    stub_api.script("chat.update", RATE_LIMITED, RATE_LIMITED)

    revealed = datetime(2026, 11, 25, 9, 1, 5, tzinfo=UTC)
    at(bot, revealed)  # the reveal is posted; the edit of the question answers 429, Retry-After 30
    assert len([c for c in stub_api.calls_to("chat.postMessage") if c.params.get("thread_ts")]) == 1
    tick_every_second(bot, revealed + timedelta(seconds=1), 29)
    assert len(stub_api.calls_to("chat.update")) == 1

    at(bot, revealed + timedelta(seconds=31))  # Retry-After has passed: tried again, 429 again
    assert len(stub_api.calls_to("chat.update")) == 2
    tick_every_second(bot, revealed + timedelta(seconds=32), 29)
    assert len(stub_api.calls_to("chat.update")) == 2

    at(bot, revealed + timedelta(seconds=62))
    at(bot, revealed + timedelta(seconds=63))
    updates = stub_api.calls_to("chat.update")
    assert len(updates) == 3 and "公開しました" in blocks_text(updates[-1].params["blocks"])
    assert len([c for c in stub_api.calls_to("chat.postMessage") if c.params.get("thread_ts")]) == 1  # one reveal


def test_rate_limited_answer_feedback_waits_for_retry_after_and_reaches_everyone_once(bot, stub_api):
    assert "設定しました" in blocks_text(bot.answer("schedule set cto 09:00 tz=UTC reveal=+1m", user_id=ADMIN)["blocks"])
    at(bot, datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC))
    drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    with bot.core.cycle.sessions() as s:
        row = s.scalars(select(DrillRow)).one()
    points = bot.core.catalog.by_slug("cto").question_by_id(row.question_id).points
    for n, user in enumerate(("UAKI00001", "UBEN00001"), start=1):
        assert bot.event(reply(f"1764061210.00000{n}", user, drill_ts, text=f"{points[0]}。"), f"Ev{n}").status == 200
    stub_api.script("chat.postEphemeral", RATE_LIMITED)

    revealed = datetime(2026, 11, 25, 9, 1, 5, tzinfo=UTC)
    at(bot, revealed)  # the first member's feedback answers 429: nobody else is tried meanwhile
    assert len(stub_api.calls_to("chat.postEphemeral")) == 1
    tick_every_second(bot, revealed + timedelta(seconds=1), 29)
    assert len(stub_api.calls_to("chat.postEphemeral")) == 1

    at(bot, revealed + timedelta(seconds=31))
    at(bot, revealed + timedelta(seconds=32))
    calls = stub_api.calls_to("chat.postEphemeral")
    assert len(calls) == 3
    delivered = [c.params["user"] for c in calls[1:]]
    assert sorted(delivered) == ["UAKI00001", "UBEN00001"]


# ----------------------------------------------------------------------------- a channel gone for good


def test_an_archived_channel_pauses_its_schedule_and_the_admin_is_told_once(bot, stub_api):
    assert "設定しました" in blocks_text(bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1h", user_id=ADMIN)["blocks"])
    post = stub_api.handlers["chat.postMessage"]
    refuse_in(stub_api, CH, "is_archived")

    for day in (25, 26, 27, 28):
        at(bot, datetime(2026, 11, day, 9, 0, 5, tzinfo=UTC))
        at(bot, datetime(2026, 11, day, 10, 0, 5, tzinfo=UTC))
    assert len(posts_in(stub_api, CH)) == 1  # tried on the first day only
    (dm,) = dms_to(stub_api, ADMIN)
    assert f"<#{CH}>" in dm and "アーカイブ" in dm and "一時停止" in dm and "/career schedule resume" in dm
    assert "/invite" not in dm

    shown = blocks_text(bot.answer("schedule show", user_id=ADMIN)["blocks"])
    assert "一時停止中" in shown and "アーカイブ" in shown and "次回の投稿" not in shown
    open_home(bot, ADMIN, "EvHome1")
    home = blocks_text(homes(stub_api, ADMIN, 1)[-1]["blocks"])
    assert f"<#{CH}>" in home and "アーカイブ" in home

    # Unarchived and resumed by the admin: the reason is gone, and drills post again.
    stub_api.handlers["chat.postMessage"] = post
    bot.clock_.now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert "再開しました" in blocks_text(bot.answer("schedule resume", user_id=ADMIN)["blocks"])
    shown = blocks_text(bot.answer("schedule show", user_id=ADMIN)["blocks"])
    assert "アーカイブ" not in shown and "次回の投稿:* 2026-11-29" in shown
    at(bot, datetime(2026, 11, 29, 9, 0, 5, tzinfo=UTC))
    assert len(posts_in(stub_api, CH)) == 2 and len(dms_to(stub_api, ADMIN)) == 1


def test_a_deleted_channel_pauses_its_schedule_after_drill_now_with_no_invite_advice(bot, stub_api):
    assert "設定しました" in blocks_text(bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1h", user_id=ADMIN)["blocks"])
    refuse_in(stub_api, CH, "channel_not_found")
    stub_api.handlers["conversations.info"] = lambda call: {"ok": False, "error": "channel_not_found"}
    bot.clock_.now = datetime(2026, 11, 25, 8, 59, tzinfo=UTC)
    assert "投稿します" in blocks_text(bot.answer("drill now", user_id=ADMIN)["blocks"])
    bot.tick()
    bot.clock_.now = datetime(2026, 11, 25, 8, 59, 30, tzinfo=UTC)
    bot.answer("drill now", user_id=ADMIN)  # once more: the schedule is paused, the admin already told
    bot.tick()
    for day in (25, 26, 27):
        at(bot, datetime(2026, 11, day, 9, 0, 5, tzinfo=UTC))
    assert len(posts_in(stub_api, CH)) == 2  # the two drills asked for now; no scheduled day after
    (dm,) = dms_to(stub_api, ADMIN)
    assert f"<#{CH}>" in dm and "削除" in dm and "一時停止" in dm and "/career schedule set" in dm
    assert "/invite" not in dm and "今日のドリル" not in dm

    shown = blocks_text(bot.answer("schedule show", user_id=ADMIN)["blocks"])
    assert "一時停止中" in shown and "見つからない" in shown
    # Slack no longer knows the channel, so members' Homes leave it out; its admin still sees why.
    open_home(bot, ADMIN, "EvHome1")
    home = blocks_text(homes(stub_api, ADMIN, 1)[-1]["blocks"])
    assert f"<#{CH}>" in home and "見つからない" in home
    open_home(bot, "UMEMBER01", "EvHome2")
    assert f"<#{CH}>" not in blocks_text(homes(stub_api, "UMEMBER01", 1)[-1]["blocks"])


def test_a_bot_removed_from_the_channel_does_not_pause_it_and_the_admin_is_told_to_invite_it(bot, stub_api):
    assert "設定しました" in blocks_text(bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1h", user_id=ADMIN)["blocks"])
    refuse_in(stub_api, CH, "not_in_channel")
    at(bot, datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC))
    at(bot, datetime(2026, 11, 26, 9, 0, 5, tzinfo=UTC))
    assert len(posts_in(stub_api, CH)) == 2  # an admin can fix it: the schedule keeps running
    dms = dms_to(stub_api, ADMIN)
    assert len(dms) == 2 and all("/invite @career-drill" in dm for dm in dms)
    assert "一時停止中" not in blocks_text(bot.answer("schedule show", user_id=ADMIN)["blocks"])


def test_a_missing_scope_on_the_post_names_the_scope_slack_needs(bot, stub_api):
    assert "設定しました" in blocks_text(bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1h", user_id=ADMIN)["blocks"])
    refuse_in(stub_api, CH, "missing_scope", needed="chat:write.public", provided="chat:write,commands")
    at(bot, datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC))
    (dm,) = dms_to(stub_api, ADMIN)
    assert "chat:write.public" in dm and "missing_scope" not in dm
    assert "一時停止中" not in blocks_text(bot.answer("schedule show", user_id=ADMIN)["blocks"])


# ----------------------------------------------------------------------------- the admin check


@pytest.mark.parametrize(
    "error, extra, says",
    [
        ("missing_scope", {"needed": "users:read"}, "users:read"),
        ("invalid_auth", {}, "再インストール"),
        ("user_not_found", {}, "ADMIN_USER_IDS"),
    ],
)
def test_when_users_info_refuses_an_admin_is_told_the_check_failed_not_that_they_are_no_admin(bot, stub_api, error, extra, says):
    stub_api.handlers["users.info"] = lambda call: {"ok": False, "error": error, **extra}
    answer = blocks_text(bot.answer("schedule set ciso 09:00 tz=UTC", user_id=WORKSPACE_ADMIN)["blocks"])
    assert "確認できませんでした" in answer and says in answer
    assert "管理者だけ" not in answer and "少し待って" not in answer
    assert "スケジュールがありません" in blocks_text(bot.answer("schedule show")["blocks"])


# ----------------------------------------------------------------------------- views.open and the export


def test_a_rate_limited_views_open_is_answered_at_once_not_after_sleeping_past_the_trigger(bot, stub_api):
    stub_api.script("views.open", (429, {"Retry-After": "5"}, {"ok": False, "error": "ratelimited"}))
    ack = bot.command("schedule", user_id=ADMIN, response_url=stub_api.response_url("form"))
    assert ack.status == 200
    answer = stub_api.answer_at("form", timeout=2.5)  # a trigger is good for 3 s: no waiting out Retry-After
    assert "混み合って" in answer["text"] and "/career schedule" in answer["text"]
    bot.lazy.settle()
    assert len(stub_api.calls_to("views.open")) == 1


def test_a_rate_limited_modal_from_a_home_button_is_answered_on_the_home_at_once(bot, stub_api):
    open_home(bot, "UMEMBER01", "EvHome1")
    (home,) = homes(stub_api, "UMEMBER01", 1)
    ciso = next(
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("home_role.") and e["text"]["text"] == "CISO"
    )
    stub_api.script("views.open", (429, {"Retry-After": "5"}, {"ok": False, "error": "ratelimited"}))
    assert press_in_view(bot, ciso["action_id"], ciso["value"], home, "UMEMBER01").status == 200
    bot.lazy.settle(timeout=2.5)  # answered within the trigger's 3 s, not after Retry-After
    assert len(stub_api.calls_to("views.open")) == 1
    assert "混み合って" in blocks_text(homes(stub_api, "UMEMBER01", 2)[-1]["blocks"])


def test_an_export_slack_refuses_with_not_in_channel_says_to_invite_the_bot(bot, stub_api):
    assert "設定しました" in blocks_text(bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1m", user_id=ADMIN)["blocks"])
    at(bot, datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC))
    drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    assert bot.event(reply("1764061210.000001", "UAKI00001", drill_ts), "Ev1").status == 200
    stub_api.script("files.completeUploadExternal", (200, {}, {"ok": False, "error": "not_in_channel"}))
    answer = blocks_text(bot.answer("export 7", user_id=ADMIN)["blocks"])
    assert "/invite @career-drill" in answer and "少し待って" not in answer
