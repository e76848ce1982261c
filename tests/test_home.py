"""The App Home's parts without HTTP: what HomeData holds, the view built from it (within Slack's
limits), the debounced refresh with an injected timer, and which channels a member can see."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from bot.composition import build_home
from bot.domain.memory import Grade
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import Message
from bot.slack.channel_access import ChannelAccess
from bot.slack.home_publisher import HomeRefresh
from bot.testing import ADMIN, CH
from bot.testing.db import sqlite_copy
from bot.testing.reading import blocks_text
from bot.testing.world import World
from bot.views import home_blocks as ui
from bot.views.blocks import section_text

UTC = timezone.utc
ALICE, BOB = "UALICE001", "UBOB00001"


def answered_drill(world: World) -> None:
    """A drill posted at 09:00 in CH and answered by Alice, revealed at 10:00."""
    world.set("ciso", "09:00", "reveal=+1h")
    world.at(9, 0)
    post_ts = world.chat.of("question", CH)[0].ts
    world.replies.record(CH, post_ts, "1764061210.000001", ALICE, datetime(2026, 11, 25, 9, 5, tzinfo=UTC))
    world.at(10, 0)


# ----------------------------------------------------------------------------- HomeData and its view


def test_home_data_holds_the_members_record_channels_and_roles(world):
    answered_drill(world)
    home = build_home(world.bot)
    data = home.data(ALICE, world.clock(), team_id=SINGLE_WORKSPACE)
    assert data.answered == 1 and data.best_streak == 1 and data.admin is False
    assert [c.view.schedule.channel_id for c in data.channels] == [CH] and data.channels[0].mine
    assert len(data.roles) == len(world.bot.catalog.roles) > 0
    assert home.data(ADMIN, world.clock(), team_id=SINGLE_WORKSPACE).admin is True

    view = ui.home_view(data)
    text = blocks_text(view["blocks"])
    assert view["type"] == "home"
    assert "回答したドリル: 1回" in text and "連続回答: 1回" in text and f"<#{CH}>" in text and "あなたの連続回答: 1回" in text


def test_a_graded_question_shows_as_mastery_per_role_on_the_home(world):
    answered_drill(world)
    drill_id = world.rows()[0].id
    world.bot.learning.grade_drill(ALICE, CH, drill_id, Grade.GOOD, world.clock(), team_id=SINGLE_WORKSPACE)
    text = blocks_text(ui.home_view(build_home(world.bot).data(ALICE, world.clock(), team_id=SINGLE_WORKSPACE))["blocks"])
    assert "職種ごとの進み具合" in text and "評価 1問、定着 0問" in text


def test_the_members_own_channels_come_first_and_many_channels_are_cut_with_a_line(world):
    for i in range(60):
        world.set("cto", "07:00", channel=f"C0OTHER{i:02d}")
    answered_drill(world)  # CH: Alice's own, and its next post is later than theirs
    data = build_home(world.bot).data(ALICE, world.clock(), team_id=SINGLE_WORKSPACE)
    assert data.channels[0].view.schedule.channel_id == CH and len(data.channels) == 61
    for admin in (False, True):
        view = ui.home_view(type(data)(**{**data.__dict__, "admin": admin}))
        text = blocks_text(view["blocks"])
        assert len(view["blocks"]) <= 100
        assert text.count("<#C0") == ui.MAX_CHANNELS
        assert "ほかに 41 チャンネルでドリルがあります。すべてのスケジュールは `/career schedule list` で見られます。" in text


def test_a_role_name_with_markup_is_escaped_on_the_home(world):
    world.set("ciso", "09:00")
    data = build_home(world.bot).data(BOB, world.clock(), team_id=SINGLE_WORKSPACE)
    channel = data.channels[0]
    forged = type(channel.view)(channel.view.schedule, channel.view.next, "<!channel> & co")
    data = type(data)(**{**data.__dict__, "channels": (type(channel)(forged, False, 0),)})
    text = blocks_text(ui.home_view(data)["blocks"])
    assert "&lt;!channel&gt; &amp; co" in text and "<!channel>" not in text


def test_a_modal_keeps_the_working_buttons_under_its_own_action_ids_and_drops_sharing():
    message = Message(
        text="card",
        blocks=[
            section_text("概要"),
            {
                "type": "actions",
                "block_id": "b",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "スキル"},
                        "action_id": "career.open_section.1",
                        "value": "ciso|skills",
                    },
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "シェア"},
                        "action_id": "career.share.2",
                        "value": "card|ciso",
                    },
                ],
            },
            {
                "type": "actions",
                "block_id": "s",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "シェア"},
                        "action_id": "career.share.0",
                        "value": "card|ciso",
                    },
                ],
            },
        ],
    )
    view = ui.modal("最高情報セキュリティ責任者（CISO）の概要とキャリア", message)
    assert view["type"] == "modal" and len(view["title"]["text"]) <= 24
    pressed = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert pressed == ["home_modal.career.open_section.1"]
    assert ui.original_action(pressed[0]) == "career.open_section.1"
    assert ui.original_action("career.open_section.1") is None


def test_the_toggle_says_what_happened_and_changes_nothing_for_a_member(world):
    world.set("ciso", "09:00")
    home = build_home(world.bot)
    assert home.toggle(CH, BOB, world.clock(), team_id=SINGLE_WORKSPACE) == "refused"
    assert world.schedules.show(CH, world.clock(), team_id=SINGLE_WORKSPACE).schedule.paused is False
    assert home.toggle("C0NOWHERE", ADMIN, world.clock(), team_id=SINGLE_WORKSPACE) == "missing"
    assert home.toggle(CH, ADMIN, world.clock(), team_id=SINGLE_WORKSPACE) == "paused"
    assert home.toggle(CH, ADMIN, world.clock(), team_id=SINGLE_WORKSPACE) == "resumed"
    # A press carries what its button said: pausing a running drill twice pauses it once.
    assert home.toggle(CH, ADMIN, world.clock(), "pause", team_id=SINGLE_WORKSPACE) == "paused"
    assert home.toggle(CH, ADMIN, world.clock(), "pause", team_id=SINGLE_WORKSPACE) == "already_paused"
    assert world.schedules.show(CH, world.clock(), team_id=SINGLE_WORKSPACE).schedule.paused is True
    assert home.toggle(CH, ADMIN, world.clock(), "resume", team_id=SINGLE_WORKSPACE) == "resumed"
    assert home.toggle(CH, ADMIN, world.clock(), "resume", team_id=SINGLE_WORKSPACE) == "already_running"
    assert world.schedules.show(CH, world.clock(), team_id=SINGLE_WORKSPACE).schedule.paused is False
    assert (
        ui.read_toggle(f"{CH}|pause") == (CH, "pause") and ui.read_toggle(CH) == (CH, None) and ui.read_toggle(f"{CH}|flip") == (CH, None)
    )
    assert ui.toggle_notice("paused", CH) == f"⏸ <#{CH}> のドリルを一時停止しました。"
    assert ui.toggle_notice("paused", "<!here>") == "⏸ &lt;!here&gt; のドリルを一時停止しました。"


def test_an_opening_claims_a_publish_once_until_the_home_is_stale(world):
    home = build_home(world.bot)
    now = world.clock()
    assert home.opened(ALICE, now, team_id=SINGLE_WORKSPACE) is True
    assert home.opened(ALICE, now, team_id=SINGLE_WORKSPACE) is False  # Slack's retry of the same event
    assert home.opened(ALICE, now + timedelta(seconds=11), team_id=SINGLE_WORKSPACE) is True  # she comes back later
    assert home.openers([ALICE, BOB], team_id=SINGLE_WORKSPACE) == {ALICE}


# ----------------------------------------------------------------------------- the console


def test_the_console_shows_the_home_as_text_and_its_role_buttons_press(tmp_path):
    import io

    from bot.config import load_settings
    from bot.console_app import build_console
    from bot.testing import CONTENT_DIR

    out = io.StringIO()
    console = build_console(
        load_settings({"CONTENT_DIR": str(CONTENT_DIR)}),
        sqlite_copy(tmp_path / "c.sqlite3"),
        out=out,
        start=datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
    )
    try:
        console.run(["/career schedule set ciso 09:00", ":home"], interactive=False)
        text = out.getvalue()
        assert "キャリア面接ドリル" in text and "回答したドリル: 0回" in text and "#CCONSOLE1" in text and "CISO" in text
        number = next(i for i, b in enumerate(console.buttons, 1) if b["text"]["text"] == "CISO")
        console.run([str(number)], interactive=False)
        assert "キャリアパス" in out.getvalue().split(":home")[-1]
        # 一時停止 presses as what it says, and the Home shown again offers 再開.
        console.run([":home"], interactive=False)
        number = next(i for i, b in enumerate(console.buttons, 1) if b["text"]["text"] == "⏸ 一時停止")
        console.run([str(number), ":home"], interactive=False)
        assert console.bot.schedules.show("CCONSOLE1", console.clock(), team_id=SINGLE_WORKSPACE).schedule.paused is True
        assert any(b["text"]["text"] == "▶️ 再開" for b in console.buttons)
    finally:
        console.bot.engine.dispose()


# ----------------------------------------------------------------------------- the debounced refresh


class Timer:
    """An injected timer: records the windows started; the test closes them by calling flush()."""

    def __init__(self) -> None:
        self.started: list[float] = []

    def __call__(self, delay: float, run) -> None:
        self.started.append(delay)


def test_twenty_touches_in_one_window_publish_once():
    published: list[str] = []
    timer = Timer()
    refresh = HomeRefresh(lambda user, team: published.append(user), lambda users, team: set(users), delay=2.0, schedule=timer)
    for _ in range(20):
        refresh.touch(ALICE)
    assert timer.started == [2.0] and published == []
    assert refresh.flush() == 1 and published == [ALICE]
    assert refresh.flush() == 0 and published == [ALICE]
    refresh.touch(ALICE)  # a new window after the flush
    assert timer.started == [2.0, 2.0]


def test_a_member_who_never_opened_home_gets_no_publish():
    published: list[str] = []
    refresh = HomeRefresh(lambda user, team: published.append(user), lambda users, team: {u for u in users if u == ALICE}, schedule=Timer())
    refresh.touch(BOB)
    refresh.touch(ALICE)
    assert refresh.flush() == 1 and published == [ALICE]


def test_pending_refreshes_are_bounded_and_a_failing_publish_is_logged_and_dropped(caplog):
    def publish(user_id: str, team_id: str) -> None:
        if user_id == "UFAIL0001":
            raise RuntimeError("views.publish exploded")
        published.append(user_id)

    published: list[str] = []
    refresh = HomeRefresh(publish, lambda users, team: set(users), max_pending=3, schedule=Timer())
    caplog.set_level(logging.WARNING)
    for user in ("UFAIL0001", ALICE, BOB, "UCAROL001"):
        refresh.touch(user)
    assert refresh.pending == 3 and "one dropped" in caplog.text
    assert refresh.flush() == 2 and published == [ALICE, BOB]
    assert "UFAIL0001" in caplog.text and "failed; dropped" in caplog.text


def test_the_refresh_window_runs_on_a_timer_thread_off_the_caller():
    import threading

    done = threading.Event()
    where: list[str] = []

    def publish(user_id: str, team_id: str) -> None:
        where.append(threading.current_thread().name)
        done.set()

    refresh = HomeRefresh(publish, lambda users, team: set(users), delay=0.01)
    refresh.touch(ALICE)
    assert done.wait(5)
    assert where and where[0] != threading.current_thread().name


# ----------------------------------------------------------------------------- visible channels


class Api:
    """Just enough of the Web API client for ChannelAccess, counting calls."""

    def __init__(self, private: set[str], members: dict[str, set[str]], failing: set[str] = frozenset(), gone: set[str] = frozenset()):
        self.private, self.members, self.failing, self.gone = private, members, failing, gone
        self.calls: list[str] = []

    def conversations_info(self, channel: str):
        from slack_sdk.errors import SlackApiError

        self.calls.append(f"info {channel}")
        if channel in self.failing:
            raise SlackApiError(
                "failed", type("R", (), {"status_code": 500, "get": lambda self, k, d=None: "internal_error", "headers": {}})()
            )
        if channel in self.gone:
            raise SlackApiError(
                "not found", type("R", (), {"status_code": 200, "get": lambda self, k, d=None: "channel_not_found", "headers": {}})()
            )
        return {"ok": True, "channel": {"id": channel, "is_private": channel in self.private}}

    def users_conversations(self, user: str, **kwargs):
        self.calls.append(f"member {user}")
        return {"ok": True, "channels": [{"id": c} for c in sorted(self.members.get(user, set()))]}


def test_a_member_sees_public_channels_and_only_the_private_ones_they_are_in_and_answers_are_cached():
    api = Api(private={"CPRIV0001", "CPRIV0002"}, members={ALICE: {"CPRIV0001"}}, failing={"CFAIL0001"})
    access = ChannelAccess(api)  # type: ignore[arg-type]
    channels = ["CPUB00001", "CPRIV0001", "CPRIV0002", "CFAIL0001"]
    assert access.visible(ALICE, channels) == {"CPUB00001", "CPRIV0001"}
    assert access.visible(BOB, channels) == {"CPUB00001"}
    calls = len(api.calls)
    assert access.visible(ALICE, channels) == {"CPUB00001", "CPRIV0001"}
    # Only the failed channel is asked again; privacy and membership come from the cache.
    assert api.calls[calls:] == ["info CFAIL0001"]


def test_a_channel_slack_does_not_know_is_left_out_and_not_asked_about_on_every_publish():
    now = [1000.0]
    api = Api(private=set(), members={}, gone={"CGONE0001"})
    access = ChannelAccess(api, member_ttl=60.0, monotonic=lambda: now[0])  # type: ignore[arg-type]
    assert access.visible(ALICE, ["CPUB00001", "CGONE0001"]) == {"CPUB00001"}
    assert access.visible(BOB, ["CPUB00001", "CGONE0001"]) == {"CPUB00001"}
    assert api.calls == ["info CPUB00001", "info CGONE0001"]
    now[0] += 61  # asked again after a while (the bot may have been invited since)
    assert access.visible(ALICE, ["CPUB00001", "CGONE0001"]) == {"CPUB00001"}
    assert api.calls[2:] == ["info CGONE0001"]
