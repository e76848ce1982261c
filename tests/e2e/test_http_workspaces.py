"""Two workspaces installed through OAuth on one web process, driven as Slack drives it: the install
pages in a browser, signed commands and events in, the stand-in Web API recording every call and
the token it was made with. Each workspace's calls carry its own token, the scheduler's included;
uninstalling one stops its drills and leaves the other's going."""

from __future__ import annotations

import csv
import io
import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from bot.testing import CONTENT_DIR
from bot.testing.botserver import BotServer, settings_for
from bot.testing.fakes import Clock
from bot.testing.http import request
from bot.testing.oauth import install_workspace
from bot.testing.reading import blocks_text
from bot.testing.signing import action_body, command_body, home_opened_event
from bot.testing.slack_api import metadata_key

UTC = timezone.utc
CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-client-secret-0123456789"


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    token: str
    channel: str
    admin: str
    member: str


A = Team("TALPHA001", "チームA", "xoxb-alpha-token-0123456789", "C0ALPHA01", "UADMINA01", "UMEMBA001")
B = Team("TBRAVO001", "チームB", "xoxb-bravo-token-0123456789", "C0BRAVO01", "UADMINB01", "UMEMBB001")


@pytest.fixture
def two_workspaces(stub_api, db_url, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # where Bolt would put file stores: none may appear
    stub_api.oauth_client = (CLIENT_ID, CLIENT_SECRET)
    clock = Clock(datetime(2026, 11, 25, 8, 50, tzinfo=UTC))
    settings = settings_for(
        stub_api,
        CONTENT_DIR,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        DATABASE_URL=db_url,
        ADMIN_USER_IDS=f"{A.id}:{A.admin},{B.id}:{B.admin}",
    )
    server = BotServer(settings, stub_api, clock=clock, rng=random.Random(11)).start()
    server.clock_ = clock
    yield server
    server.stop()
    assert list(home.iterdir()) == []


def install(server: BotServer, stub_api, team: Team, token: str | None = None) -> str:
    """A member of `team` opens the install page, consents on Slack's page, and comes back."""
    return install_workspace(server.url, stub_api, team.id, team.name, token or team.token, installer=team.admin)


def ask(server: BotServer, team: Team, text: str, user: str, channel: str | None = None) -> dict:
    """A /career command from `team`; its answer, in the ack or through its response_url."""
    server._answers += 1
    name = f"ws{server._answers}"
    ack = server.post_signed(
        command_body(text, user_id=user, channel_id=channel or team.channel, response_url=server.stub.response_url(name), team_id=team.id)
    )
    assert ack.status == 200, ack.status
    return ack.json() if ack.body.strip() else server.stub.answer_at(name)


def event(server: BotServer, team: Team, payload: dict, event_id: str):
    return server.event(payload, event_id, team_id=team.id)


def at(server: BotServer, *when: int) -> None:
    server.clock_.now = datetime(*when, tzinfo=UTC)  # type: ignore[misc]
    server.tick()


def posts_in(stub_api, channel: str, since: int = 0) -> list:
    return [c for c in stub_api.calls[since:] if c.method == "chat.postMessage" and c.params.get("channel") == channel]


def test_two_workspaces_each_use_their_own_token_and_an_uninstall_stops_only_its_drills(two_workspaces, stub_api, caplog):
    caplog.set_level(logging.DEBUG)
    bot = two_workspaces
    for team in (A, B):
        assert team.name in install(bot, stub_api, team)

    # Lookups answer from memory in each workspace.
    for team in (A, B):
        card = ask(bot, team, "ciso", team.member)
        assert "CISO" in blocks_text(card["blocks"])

    # Each workspace's admin sets a schedule in its own channel (ADMIN_USER_IDS names them as T…:U…).
    for team in (A, B):
        assert "設定しました" in blocks_text(ask(bot, team, "schedule set ciso 09:00 tz=UTC reveal=+1m", team.admin)["blocks"])
    # B's admin is no admin in A, and a channel shared with A (Slack Connect) keeps A's one schedule.
    assert "管理者だけ" in blocks_text(ask(bot, A, "schedule set cto 10:00", B.admin)["blocks"])
    shared = ask(bot, B, "schedule set cto 10:00 tz=UTC", B.admin, channel=A.channel)
    assert "別のワークスペース" in blocks_text(shared["blocks"])
    assert bot.core.schedules.show(A.channel, bot.clock(), team_id=A.id).schedule.role == "ciso_project_position"
    # The schedule editor, opened there by B's admin, says so instead of showing A's settings.
    updates = len(stub_api.calls_to("views.update"))
    assert (
        bot.post_signed(
            command_body("schedule", user_id=B.admin, channel_id=A.channel, team_id=B.id, response_url=stub_api.response_url("form"))
        ).status
        == 200
    )
    bot.lazy.settle()
    (form,) = stub_api.calls_to("views.update")[updates:]
    assert "別のワークスペース" in json.dumps(form.params["view"], ensure_ascii=False) and form.token == B.token
    # Nor may B's admin export the records (self-grades among them) of A's channel.
    assert "別のワークスペース" in blocks_text(ask(bot, B, "export", B.admin, channel=A.channel)["blocks"])
    assert not [c for c in stub_api.calls if c.method.startswith("files.")]
    # `schedule list` shows the caller's workspace only.
    listed = blocks_text(ask(bot, A, "schedule list", A.admin)["blocks"])
    assert A.channel in listed and B.channel not in listed

    # The scheduler posts each drill with its workspace's token; members reply; the reveals follow.
    at(bot, 2026, 11, 25, 9, 0, 5)
    threads = {}
    for team in (A, B):
        (post,) = posts_in(stub_api, team.channel)
        threads[team.id] = post.response["ts"]
        reply = {
            "type": "message",
            "channel": team.channel,
            "user": team.member,
            "text": "回答です",
            "ts": "1764061210.000001",
            "thread_ts": post.response["ts"],
            "channel_type": "channel",
        }
        assert event(bot, team, reply, f"Ev-{team.id}").status == 200
    mark = len(stub_api.calls)

    # B uninstalls before its reveal: its drill is neither revealed nor posted again; A's goes on.
    assert event(bot, B, {"type": "app_uninstalled"}, "Ev-uninstall").status == 200
    assert bot.core.schedules.show(B.channel, bot.clock(), team_id=B.id).schedule.paused is True
    at(bot, 2026, 11, 25, 9, 1, 5)
    reveals = posts_in(stub_api, A.channel, mark)
    assert len(reveals) == 1 and reveals[0].params["thread_ts"] == threads[A.id]
    assert "<@UMEMBA001>" in blocks_text(reveals[0].params["blocks"])
    at(bot, 2026, 11, 26, 9, 0, 5)
    at(bot, 2026, 11, 26, 9, 1, 5)
    assert len([c for c in posts_in(stub_api, A.channel, mark) if not c.params.get("thread_ts")]) == 1  # day two's question
    assert [c for c in stub_api.calls[mark:] if c.params.get("channel") == B.channel] == []
    # A request from B now gets one Japanese sentence.
    refused = bot.post_signed(
        command_body("ciso", user_id=B.member, channel_id=B.channel, team_id=B.id, response_url=stub_api.response_url("gone"))
    )
    assert refused.status == 200 and "インストールされていません" in stub_api.answer_at("gone")["text"]

    # Every Web API call was made with the token of the workspace it was for.
    # (B's admin asking in A was looked up in A, with A's token: who is an admin is asked of the
    # workspace the request came from.)
    expected = {A.channel: A.token, B.channel: B.token, A.member: A.token, B.admin: A.token, B.member: B.token}
    tokens = {A.token, B.token}
    checked = 0
    for call in stub_api.calls:
        if call.method in ("response_url", "oauth.v2.access"):
            continue
        assert call.token in tokens, (call.method, call.params)
        about = call.params.get("channel") or call.params.get("user") or call.params.get("user_id")
        if about in expected:
            assert call.token == expected[about], (call.method, about)
            checked += 1
    assert checked >= 8  # posts, reveals, updates and channel lookups of both workspaces, the admin check

    # No token in the logs, at any level, nor on the health check.
    health_page = request(bot.url + "/healthz")
    health = health_page.text
    assert health_page.status == 200
    for secret in (A.token, B.token, CLIENT_SECRET):
        assert secret not in caplog.text and secret not in health
    assert json.loads(health)["ok"] is True


def test_a_reinstall_within_the_retention_period_keeps_the_data_paused_and_a_late_one_starts_afresh(two_workspaces, stub_api):
    bot = two_workspaces
    for team in (A, B):
        install(bot, stub_api, team)
        assert "設定しました" in blocks_text(ask(bot, team, "schedule set ciso 09:00 tz=UTC reveal=+1m", team.admin)["blocks"])
    assert event(bot, B, {"type": "tokens_revoked", "tokens": {"bot": ["UBOT" + B.id]}}, "Ev-revoked").status == 200

    # Back within the period, with a new token: B's schedule is there, paused, ready to resume.
    at(bot, 2026, 12, 20, 8, 0, 0)
    assert B.name in install(bot, stub_api, B, token="xoxb-bravo-second-token-0123")
    shown = blocks_text(ask(bot, B, "schedule show", B.member)["blocks"])
    assert "一時停止中" in shown
    # Slack's retry of the old revocation, sent before this reinstall, arrives late: it changes nothing.
    sent = int(datetime(2026, 12, 19, tzinfo=UTC).timestamp())
    assert (
        bot.event(
            {"type": "tokens_revoked", "tokens": {"bot": ["UBOT" + B.id]}}, "Ev-revoked", retry=1, team_id=B.id, event_time=sent
        ).status
        == 200
    )
    assert "CISO" in blocks_text(ask(bot, B, "ciso", B.member)["blocks"])
    mark = len(stub_api.calls)
    at(bot, 2026, 12, 21, 9, 0, 5)
    assert posts_in(stub_api, B.channel, mark) == [] and len(posts_in(stub_api, A.channel, mark)) == 1
    assert "再開しました" in blocks_text(ask(bot, B, "schedule resume", B.admin)["blocks"])
    at(bot, 2026, 12, 22, 9, 0, 5)
    (post,) = [c for c in posts_in(stub_api, B.channel, mark) if not c.params.get("thread_ts")]
    assert post.token == "xoxb-bravo-second-token-0123"

    # Uninstalled again and gone past the period: the scheduler deletes B's data, once; A keeps its own.
    assert event(bot, B, {"type": "app_uninstalled"}, "Ev-uninstall-2").status == 200
    at(bot, 2027, 1, 21, 9, 0, 4)
    assert bot.core.schedules.show(B.channel, bot.clock(), team_id=B.id) is not None
    at(bot, 2027, 1, 21, 9, 0, 6)  # 30 days after the uninstall at 09:00:05
    assert bot.core.schedules.show(B.channel, bot.clock(), team_id=B.id) is None
    assert bot.core.schedules.show(A.channel, bot.clock(), team_id=A.id) is not None
    assert bot.tick().purged == []


def test_an_existing_single_workspace_deployment_claims_its_rows_from_auth_test_when_it_starts(stub_api, tmp_path):
    from bot.domain.schedule_input import parse_schedule_set
    from bot.domain.workspace import SINGLE_WORKSPACE
    from bot.testing.botserver import TEAM_ID

    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    settings = settings_for(stub_api, CONTENT_DIR, DATABASE_URL=url)
    first = BotServer(settings, stub_api, clock=lambda: datetime(2026, 11, 25, 8, 0, tzinfo=UTC)).start()
    # As an earlier version stored it: no workspace on the row (the migration's marker).
    first.core.schedules.set(
        "C0STUDY01", "UADMIN001", parse_schedule_set("ciso 09:00".split(), "UTC"), first.clock(), team_id=SINGLE_WORKSPACE
    )
    first.stop()

    again = BotServer(settings, stub_api, clock=lambda: datetime(2026, 11, 25, 8, 0, tzinfo=UTC)).start()
    try:
        listed = blocks_text(again.answer("schedule list", user_id="UADMIN001")["blocks"])
        assert "C0STUDY01" in listed
        assert "設定しました" in blocks_text(again.answer("schedule set cto 10:00", user_id="UADMIN001")["blocks"])
        assert again.core.schedules.owned_by("C0STUDY01", team_id=TEAM_ID)
    finally:
        again.stop()


# ---------------------------------------------------------------------------- Slack Connect

NAMES = {A.member: "エー太郎", B.member: "ビー子", A.admin: "エー管理", B.admin: "ビー管理"}


def drill_in_shared_channel(bot: BotServer, stub_api) -> str:
    """A's channel is shared with B (Slack Connect). A's admin schedules a drill there; at 09:00 it
    is posted, A's member and B's member both answer before the reveal at 09:01, and each grades it
    on the reveal (A's 普通, B's 忘れた). Returns the drill's ts."""
    stub_api.profiles.update({user: {"display_name": name} for user, name in NAMES.items()})
    for team in (A, B):
        install(bot, stub_api, team)
    assert "設定しました" in blocks_text(ask(bot, A, "schedule set ciso 09:00 tz=UTC reveal=+1m", A.admin)["blocks"])
    at(bot, 2026, 11, 25, 9, 0, 5)
    (post,) = posts_in(stub_api, A.channel)
    drill_ts = post.response["ts"]
    for n, team in enumerate((A, B), 1):
        reply = {
            "type": "message",
            "channel": A.channel,
            "user": team.member,
            "text": "回答です",
            "ts": f"1764061220.00000{n}",
            "thread_ts": drill_ts,
            "channel_type": "channel",
        }
        assert event(bot, team, reply, f"Ev-reply-{team.id}").status == 200
    at(bot, 2026, 11, 25, 9, 1, 5)
    reveal = next(c.params for c in posts_in(stub_api, A.channel) if c.params.get("thread_ts") == drill_ts)
    grades = {
        e["text"]["text"]: e
        for b in reveal["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("career.grade")
    }
    graded = {}
    for team, label in ((A, "🙂 普通に思い出せた"), (B, "😵 忘れた")):
        button = grades[label]
        bot._answers += 1
        name = f"grade{bot._answers}"
        pressed = bot.post_signed(
            action_body(
                button["action_id"],
                button["value"],
                response_url=stub_api.response_url(name),
                user_id=team.member,
                channel_id=A.channel,
                team_id=team.id,
            )
        )
        assert pressed.status == 200
        graded[team.id] = blocks_text(stub_api.answer_at(name)["blocks"])
    assert "「普通」で記録しました" in graded[A.id] and "復習に出ます" in graded[A.id]
    # B's member is told where the grade is kept, and not that it comes back in their own queue.
    assert "「忘れた」で記録しました" in graded[B.id] and "別のワークスペースのもの" in graded[B.id] and "復習に出ます" not in graded[B.id]
    return drill_ts


def home_of(bot: BotServer, stub_api, team: Team, user: str, event_id: str) -> str:
    before = len(stub_api.published(user))
    assert bot.event(home_opened_event(user), event_id, team_id=team.id).status == 200
    bot.lazy.settle()
    published = stub_api.published(user)
    assert len(published) == before + 1
    return blocks_text(published[-1]["blocks"])


def test_a_shared_channels_records_stay_with_the_workspace_that_ran_its_drills(two_workspaces, stub_api):
    bot = two_workspaces
    drill_ts = drill_in_shared_channel(bot, stub_api)
    # A stops the drill and keeps its records: the channel has no schedule any more.
    assert "これまでの記録は残ります" in blocks_text(ask(bot, A, "schedule off", A.admin)["blocks"])
    mark = len(stub_api.calls)

    # B's admin asks for the channel's records: one sentence, and nothing of A's is sent anywhere.
    refused = blocks_text(ask(bot, B, "export", B.admin, channel=A.channel)["blocks"])
    assert refused == "このチャンネルのドリルの記録は別のワークスペースのものなので、書き出せるのはそのワークスペースの管理者だけです。"
    assert not [c for c in stub_api.calls[mark:] if c.method.startswith("files.") or c.method in ("conversations.open", "upload")]

    # B's leaderboard, stats, schedule history and Home show nothing of A's drill or members.
    for period in ("week", "all"):
        board = blocks_text(ask(bot, B, f"leaderboard {period}", B.member, channel=A.channel)["blocks"])
        assert NAMES[A.member] not in board and NAMES[B.member] not in board and "1問回答" not in board
    stats = blocks_text(ask(bot, B, "stats", B.member, channel=A.channel)["blocks"])
    assert "回答したドリル: 0回（このチャンネルでは 0 / 0回" in stats and "連続回答: 0回" in stats
    assert "まだ自己評価した質問はありません" in stats and "最近30日の自己評価" not in stats
    history = blocks_text(ask(bot, B, "schedule history", B.admin, channel=A.channel)["blocks"])
    assert A.admin not in history and "終了" not in history and "設定" not in history
    home = home_of(bot, stub_api, B, B.member, "Ev-home-B")
    assert A.channel not in home and "最近30日の自己評価" not in home and "まだ自己評価した質問はありません" in home

    # A's admin still exports every record of A's drill, B's member's reply and grade included.
    stub_api.clear()
    assert blocks_text(ask(bot, A, "export", A.admin)["blocks"]) == "✅ DM に CSV を送りました（2行、直近30日間）。"
    (get_url,) = stub_api.calls_to("files.getUploadURLExternal")
    assert get_url.token == A.token
    rows = list(csv.reader(io.StringIO(stub_api.uploaded(get_url.response["file_id"]).decode("utf-8-sig"), newline="")))
    assert sorted((r[4], r[5], r[7], r[8]) for r in rows[1:]) == sorted(
        [
            (A.member, NAMES[A.member], "on_time", "3"),
            (B.member, NAMES[B.member], "on_time", "1"),
        ]
    )

    # B's admin now runs B's own drill in the channel, with a weekly digest: B's leaderboard and
    # digest list B's drill and members only, though A's drill of the same week is in the channel.
    assert "設定しました" in blocks_text(
        ask(bot, B, "schedule set cto 10:00 tz=UTC reveal=+1m digest=thu-12:00", B.admin, channel=A.channel)["blocks"]
    )
    mark = len(stub_api.calls)
    at(bot, 2026, 11, 26, 10, 0, 5)
    (post,) = [c for c in posts_in(stub_api, A.channel, mark) if not c.params.get("thread_ts")]
    assert post.token == B.token
    reply = {
        "type": "message",
        "channel": A.channel,
        "user": B.member,
        "text": "回答です",
        "ts": "1764151220.000001",
        "thread_ts": post.response["ts"],
        "channel_type": "channel",
    }
    assert event(bot, B, reply, "Ev-reply-B2").status == 200
    at(bot, 2026, 11, 26, 10, 1, 5)
    board = blocks_text(ask(bot, B, "leaderboard all", B.member, channel=A.channel)["blocks"])
    assert f"{NAMES[B.member]}　1問回答" in board.replace("*", "") and NAMES[A.member] not in board
    at(bot, 2026, 11, 26, 12, 0, 5)
    (digest,) = [c for c in posts_in(stub_api, A.channel, mark) if metadata_key(c).startswith("digest:")]
    text = json.dumps(digest.params, ensure_ascii=False)
    assert digest.token == B.token
    assert "p" + post.response["ts"].replace(".", "") in text and "p" + drill_ts.replace(".", "") not in text
    assert NAMES[B.member] in text and NAMES[A.member] not in text


def test_a_slack_connect_members_grade_is_kept_with_their_reply_and_their_stats_agree(two_workspaces, stub_api):
    bot = two_workspaces
    drill_in_shared_channel(bot, stub_api)
    # B's member replied to A's drill and graded it: both are A's records, so B's stats count
    # neither (no 30-day grade next to no answered drill), and B's review queue offers nothing due.
    stats = blocks_text(ask(bot, B, "stats", B.member, channel=B.channel)["blocks"])
    assert "回答したドリル: 0回" in stats and "今日の復習: 0問" in stats
    assert "まだ自己評価した質問はありません" in stats and "最近30日の自己評価" not in stats
    # In A, where the drill and the reply are, the grade is there too: its export has both.
    stub_api.clear()
    ask(bot, A, "export", A.admin)
    (get_url,) = stub_api.calls_to("files.getUploadURLExternal")
    rows = list(csv.reader(io.StringIO(stub_api.uploaded(get_url.response["file_id"]).decode("utf-8-sig"), newline="")))
    assert [(r[4], r[7], r[8], r[9]) for r in rows[1:] if r[4] == B.member] == [(B.member, "on_time", "1", "忘れた")]


def test_an_uninstall_sent_in_the_same_second_as_the_install_is_honoured_and_one_from_before_a_reinstall_is_not(two_workspaces, stub_api):
    bot = two_workspaces
    installed_at = datetime(2026, 11, 25, 8, 50, 0, 700000, tzinfo=UTC)
    bot.clock_.now = installed_at
    install(bot, stub_api, B)
    assert "CISO" in blocks_text(ask(bot, B, "ciso", B.member)["blocks"])

    # Slack's event_time has whole seconds: the uninstall, 0.2 s after the install, says 08:50:00.
    bot.clock_.now = datetime(2026, 11, 25, 8, 50, 0, 900000, tzinfo=UTC)
    same_second = int(installed_at.timestamp())
    assert bot.event({"type": "app_uninstalled"}, "Ev-uninstall", team_id=B.id, event_time=same_second).status == 200
    assert "インストールされていません" in ask(bot, B, "ciso", B.member)["text"]

    # Reinstalled at 08:52:00.3: a retry of that uninstall, or one sent a second before, changes nothing.
    bot.clock_.now = datetime(2026, 11, 25, 8, 52, 0, 300000, tzinfo=UTC)
    install(bot, stub_api, B, token="xoxb-bravo-second-token-0123")
    assert bot.event({"type": "app_uninstalled"}, "Ev-uninstall", retry=1, team_id=B.id, event_time=same_second).status == 200
    before = int(datetime(2026, 11, 25, 8, 51, 59, tzinfo=UTC).timestamp())
    assert (
        bot.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT" + B.id]}}, "Ev-revoked", team_id=B.id, event_time=before).status
        == 200
    )
    assert "CISO" in blocks_text(ask(bot, B, "ciso", B.member)["blocks"])  # still installed
