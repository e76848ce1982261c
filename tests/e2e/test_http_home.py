"""The App Home through the real HTTP app: signed app_home_opened events and Home/modal button
presses in, views.publish / views.open / views.update out (the Web API stand-in records them)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.domain.schedule_input import parse_schedule_set
from bot.testing import ADMIN, CH
from bot.testing.botserver import TEAM_ID, drill_server, homes, open_home, press_in_view
from bot.testing.reading import blocks_text
from bot.testing.signing import reply

UTC = timezone.utc
ALICE, BOB = "UALICE001", "UBOB00001"
SECRET = "C0SECRET1"


@pytest.fixture
def home_bot(stub_api, db_url):
    server = drill_server(stub_api, db_url)
    # The debounce window never closes on its own here: the test flushes it, as the timer would.
    server.home.refresh.schedule = lambda delay, run: None
    yield server
    server.stop()


def opened(stub_api, method: str, count: int) -> list[dict]:
    calls = stub_api.wait_for(method, count=count, timeout=10)
    assert len(calls) >= count, f"{method}: {len(calls)} calls, expected {count}"
    return [stub_api._view_of(c) for c in calls]


def buttons(view: dict) -> list[dict]:
    return [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


def schedule(bot, channel_id: str = CH, text: str = "ciso 09:00 tz=UTC reveal=+1m") -> None:
    bot.core.schedules.set(channel_id, ADMIN, parse_schedule_set(text.split(), "UTC"), bot.clock_(), team_id=TEAM_ID)


def test_a_member_opens_home_and_sees_their_stats_and_the_channel(home_bot, stub_api):
    bot = home_bot
    assert "設定しました" in blocks_text(bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1m", user_id=ADMIN)["blocks"])
    bot.clock_.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    bot.tick()
    drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    assert bot.event(reply("1764061210.000001", ALICE, drill_ts), "Ev1").status == 200
    # Alice has not opened her Home yet: her reply publishes nothing.
    assert bot.home.refresh.flush() == 0
    assert stub_api.calls_to("views.publish") == []

    assert open_home(bot, ALICE, "EvH1").status == 200
    (home,) = homes(stub_api, ALICE, 1)
    assert home["type"] == "home" and len(home["blocks"]) <= 100
    text = blocks_text(home["blocks"])
    assert "回答したドリル: 1回" in text and "今日の復習: 0問" in text
    assert "連続回答: 1回（チャンネルごとの毎日のドリルでの最長記録）" in text
    assert f"<#{CH}>" in text and "CISO" in text and "毎日 09:00（UTC）" in text and "次回 2026-11-26（木）09:00 UTC" in text
    assert "あなたの連続回答: 1回" in text
    assert any(b["action_id"] == "home_review" for b in buttons(home))
    assert any(b["action_id"].startswith("home_role.") for b in buttons(home))
    # A member sees no admin buttons.
    assert not any(b["action_id"].startswith("home_schedule") for b in buttons(home))


def test_the_messages_tab_publishes_nothing_and_a_retried_event_publishes_once(home_bot, stub_api):
    bot = home_bot
    assert open_home(bot, BOB, "EvM1", tab="messages").status == 200
    for retry in (None, 1, 2, 3):  # Slack's retries of one delivery
        assert open_home(bot, ALICE, "EvR1", retry=retry).status == 200
    assert open_home(bot, "UCAROL001", "EvC1").status == 200
    homes(stub_api, "UCAROL001", 1)
    assert len(homes(stub_api, ALICE, 1)) == 1
    assert stub_api.published(BOB) == []
    assert {c.params.get("user_id") for c in stub_api.calls_to("views.publish")} == {ALICE, "UCAROL001"}


def test_a_burst_of_replies_republishes_the_home_once(home_bot, stub_api):
    bot = home_bot
    schedule(bot)
    bot.clock_.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    bot.tick()
    drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    assert open_home(bot, ALICE, "EvH1").status == 200
    homes(stub_api, ALICE, 1)
    for i in range(20):
        assert bot.event(reply(f"1764061210.{i + 1:06d}", ALICE, drill_ts), f"Ev{i}").status == 200
    assert bot.home.refresh.flush() == 1
    published = stub_api.published(ALICE)
    assert len(published) == 2
    assert "回答したドリル: 1回" in blocks_text(published[-1]["blocks"])


def test_an_admin_sees_edit_and_pause_and_a_member_does_not(home_bot, stub_api):
    bot = home_bot
    schedule(bot)
    open_home(bot, ADMIN, "EvA1")
    open_home(bot, BOB, "EvB1")
    (admin,) = homes(stub_api, ADMIN, 1)
    (member,) = homes(stub_api, BOB, 1)
    admin_buttons = {(b["action_id"], b["value"]): b["text"]["text"] for b in buttons(admin)}
    assert admin_buttons[("home_schedule_edit", CH)] == "✏️ 編集"
    assert admin_buttons[("home_schedule_toggle", f"{CH}|pause")] == "⏸ 一時停止"
    assert any(a == "home_schedule_new" for a, _ in admin_buttons)
    assert f"<#{CH}>" in blocks_text(member["blocks"])
    assert not any(b["action_id"].startswith("home_schedule") for b in buttons(member))


def test_a_private_channel_is_listed_only_for_its_members(home_bot, stub_api):
    bot = home_bot
    stub_api.private_channels.add(SECRET)
    stub_api.private_members[ALICE] = {SECRET}
    schedule(bot)
    schedule(bot, SECRET, "cto 10:00 tz=UTC")
    open_home(bot, ALICE, "EvA1")
    open_home(bot, BOB, "EvB1")
    alice = blocks_text(homes(stub_api, ALICE, 1)[0]["blocks"])
    bob = blocks_text(homes(stub_api, BOB, 1)[0]["blocks"])
    assert f"<#{SECRET}>" in alice and f"<#{CH}>" in alice
    assert f"<#{SECRET}>" not in bob and f"<#{CH}>" in bob


def test_schedule_list_shows_a_private_channels_schedule_only_to_its_members_as_home_does(home_bot, stub_api):
    bot = home_bot
    stub_api.private_channels.add(SECRET)
    stub_api.private_members[ALICE] = {SECRET}
    schedule(bot)
    schedule(bot, SECRET, "cto 10:00 tz=UTC")
    alice = blocks_text(bot.answer("schedule list", user_id=ALICE)["blocks"])
    bob = blocks_text(bot.answer("schedule list", user_id=BOB)["blocks"])
    assert f"<#{SECRET}>" in alice and f"<#{CH}>" in alice and "（2件）" in alice
    assert f"<#{SECRET}>" not in bob and f"<#{CH}>" in bob and "（1件）" in bob
    # Bob's Home agrees with his list.
    open_home(bot, BOB, "EvB1")
    home = blocks_text(homes(stub_api, BOB, 1)[0]["blocks"])
    assert f"<#{SECRET}>" not in home and f"<#{CH}>" in home


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_two_hundred_drill_channels_make_a_truncated_home_that_says_so(home_bot, stub_api):
    bot = home_bot
    for i in range(200):
        schedule(bot, f"C0MANY{i:03d}", "ciso 09:00 tz=UTC")
    open_home(bot, ADMIN, "EvA1")
    (home,) = homes(stub_api, ADMIN, 1)
    assert len(home["blocks"]) <= 100
    assert all(len(b["text"]["text"]) <= 3000 for b in home["blocks"] if b["type"] == "section")
    text = blocks_text(home["blocks"])
    assert "ほかに 180 チャンネルでドリルがあります。" in text and "`/career schedule list`" in text
    assert text.count("<#C0MANY") == 20


def test_an_admin_pauses_from_home_and_sees_it_and_a_member_cannot(home_bot, stub_api):
    bot = home_bot
    schedule(bot)
    open_home(bot, ADMIN, "EvA1")
    (home,) = homes(stub_api, ADMIN, 1)
    assert press_in_view(bot, "home_schedule_toggle", toggle_of(home)["value"], home, ADMIN).status == 200
    paused = homes(stub_api, ADMIN, 2)[-1]
    text = blocks_text(paused["blocks"])
    assert f"⏸ <#{CH}> のドリルを一時停止しました。" in text and "⏸ 一時停止中" in text
    assert any(b["action_id"] == "home_schedule_toggle" and b["text"]["text"] == "▶️ 再開" for b in buttons(paused))
    assert bot.core.schedules.show(CH, bot.clock_(), team_id=TEAM_ID).schedule.paused is True
    assert "一時停止" in blocks_text(bot.answer("schedule history")["blocks"])

    # A member's forged press changes nothing, and their Home says why.
    open_home(bot, BOB, "EvB1")
    (member,) = homes(stub_api, BOB, 1)
    assert press_in_view(bot, "home_schedule_toggle", CH, member, BOB).status == 200
    refused = blocks_text(homes(stub_api, BOB, 2)[-1]["blocks"])
    assert "管理者だけです。何も変更していません。" in refused
    assert bot.core.schedules.show(CH, bot.clock_(), team_id=TEAM_ID).schedule.paused is True

    # The admin resumes it.
    assert press_in_view(bot, "home_schedule_toggle", toggle_of(paused)["value"], paused, ADMIN).status == 200
    assert "のドリルを再開しました。" in blocks_text(homes(stub_api, ADMIN, 3)[-1]["blocks"])
    assert bot.core.schedules.show(CH, bot.clock_(), team_id=TEAM_ID).schedule.paused is False


def toggle_of(view: dict) -> dict:
    (found,) = [b for b in buttons(view) if b["action_id"] == "home_schedule_toggle"]
    return found


def test_a_pause_pressed_twice_or_on_a_stale_home_never_resumes_the_drill(home_bot, stub_api):
    bot = home_bot
    schedule(bot)
    open_home(bot, ADMIN, "EvA1")
    (home,) = homes(stub_api, ADMIN, 1)
    pause = toggle_of(home)
    assert pause["text"]["text"] == "⏸ 一時停止"
    # A double click: two presses of the same 一時停止 button.
    assert press_in_view(bot, "home_schedule_toggle", pause["value"], home, ADMIN).status == 200
    homes(stub_api, ADMIN, 2)
    assert press_in_view(bot, "home_schedule_toggle", pause["value"], home, ADMIN).status == 200
    second = blocks_text(homes(stub_api, ADMIN, 3)[-1]["blocks"])
    assert f"⏸ <#{CH}> のドリルはすでに一時停止中です。何も変更していません。" in second
    assert bot.core.schedules.show(CH, bot.clock_(), team_id=TEAM_ID).schedule.paused is True

    # Another admin resumed it by command; this Home still shows ▶️ 再開 and is pressed twice.
    paused_home = homes(stub_api, ADMIN, 3)[-1]
    resume = toggle_of(paused_home)
    assert resume["text"]["text"] == "▶️ 再開"
    bot.core.schedules.resume(CH, ADMIN, bot.clock_(), team_id=TEAM_ID)
    assert press_in_view(bot, "home_schedule_toggle", resume["value"], paused_home, ADMIN).status == 200
    said = blocks_text(homes(stub_api, ADMIN, 4)[-1]["blocks"])
    assert f"▶️ <#{CH}> のドリルはすでに実行中です。何も変更していません。" in said
    assert bot.core.schedules.show(CH, bot.clock_(), team_id=TEAM_ID).schedule.paused is False


def test_a_role_button_opens_the_role_card_in_a_modal_whose_buttons_work(home_bot, stub_api):
    bot = home_bot
    open_home(bot, BOB, "EvB1")
    (home,) = homes(stub_api, BOB, 1)
    ciso = next(b for b in buttons(home) if b["action_id"].startswith("home_role.") and b["text"]["text"] == "CISO")
    assert press_in_view(bot, ciso["action_id"], ciso["value"], home, BOB).status == 200
    (modal,) = opened(stub_api, "views.open", 1)
    assert stub_api.calls_to("views.open")[0].params["trigger_id"] == "4.5.6"
    assert modal["type"] == "modal" and modal["title"]["text"] == "CISO"
    text = blocks_text(modal["blocks"])
    assert "キャリアパス" in text and "概要" in text
    modal_buttons = buttons(modal)
    assert modal_buttons and all(b["action_id"].startswith("home_modal.career.") for b in modal_buttons)
    assert not any("share" in b["action_id"] for b in modal_buttons)  # no channel to share to from here

    skills = next(b for b in modal_buttons if "open_section" in b["action_id"] and b["value"].endswith("|skills"))
    shown = {**modal, "id": stub_api.calls_to("views.open")[0].response["view"]["id"]}
    assert press_in_view(bot, skills["action_id"], skills["value"], shown, BOB).status == 200
    (update,) = opened(stub_api, "views.update", 1)
    assert stub_api.calls_to("views.update")[0].params["view_id"] == shown["id"]
    assert "スキル" in blocks_text(update["blocks"])


def test_the_review_button_opens_a_modal_and_a_grade_in_it_updates_the_modal_and_the_home(home_bot, stub_api):
    bot = home_bot
    open_home(bot, ALICE, "EvA1")
    (home,) = homes(stub_api, ALICE, 1)
    assert "評価 1問" not in blocks_text(home["blocks"])
    assert press_in_view(bot, "home_review", "start", home, ALICE).status == 200
    opened(stub_api, "views.open", 1)
    (card,) = opened(stub_api, "views.update", 1)  # the loading modal, then the review card in its place
    view_id = stub_api.calls_to("views.open")[0].response["view"]["id"]
    assert stub_api.calls_to("views.update")[0].params["view_id"] == view_id
    assert "新しい質問" in blocks_text(card["blocks"])

    (show,) = buttons(card)
    assert show["action_id"].startswith("home_modal.career.review_points.")
    assert press_in_view(bot, show["action_id"], show["value"], {**card, "id": view_id}, ALICE).status == 200
    points = opened(stub_api, "views.update", 2)[-1]
    assert "回答ポイント" in blocks_text(points["blocks"])
    grades = buttons(points)
    assert len(grades) == 4
    assert press_in_view(bot, grades[2]["action_id"], grades[2]["value"], {**points, "id": view_id}, ALICE).status == 200
    done = opened(stub_api, "views.update", 3)[-1]
    assert "「普通」で記録しました" in blocks_text(done["blocks"])
    assert stub_api.calls_to("views.update")[2].params["view_id"] == view_id

    # The grade changed what her Home shows: it is republished once the window closes.
    for _ in range(200):
        if bot.home.refresh.pending:
            break
        stub_api.wait_for("never.called", timeout=0.01)
    assert bot.home.refresh.flush() == 1
    assert "評価 1問" in blocks_text(stub_api.published(ALICE)[-1]["blocks"])


def wait_pending(bot) -> None:
    """The touch comes from a lazy listener: wait (bounded) until it is in the window."""
    for _ in range(500):
        if bot.home.refresh.pending:
            return
        bot.stub.wait_for("never.called", timeout=0.01)


def test_a_schedule_command_and_a_grade_on_a_reveal_republish_the_home(home_bot, stub_api):
    from bot.testing.botserver import post_and_reveal
    from bot.testing.reading import buttons as message_buttons

    bot = home_bot
    open_home(bot, ADMIN, "EvA1")
    open_home(bot, ALICE, "EvB1")
    homes(stub_api, ADMIN, 1)
    homes(stub_api, ALICE, 1)

    reveal = post_and_reveal(bot, stub_api)  # the admin's `schedule set` is among its commands
    wait_pending(bot)
    assert bot.home.refresh.flush() >= 1
    assert f"<#{CH}>" in blocks_text(stub_api.published(ADMIN)[-1]["blocks"])

    easy = next(b for b in message_buttons(reveal["blocks"]) if b["action_id"].startswith("career.grade."))
    bot.press_answer(easy["action_id"], easy["value"], user_id=ALICE)
    wait_pending(bot)
    assert bot.home.refresh.flush() == 1
    alice = blocks_text(stub_api.published(ALICE)[-1]["blocks"])
    assert "評価 1問" in alice and "回答したドリル: 1回" in alice

    bot.answer("schedule pause", user_id=ADMIN)
    wait_pending(bot)
    assert bot.home.refresh.flush() == 1
    assert "⏸ 一時停止中" in blocks_text(stub_api.published(ADMIN)[-1]["blocks"])
