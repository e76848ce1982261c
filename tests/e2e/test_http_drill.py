"""The daily drill through the real HTTP app: signed commands and events in, Web API calls out."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from bot.testing import ADMIN, CH, CONTENT_DIR
from bot.testing.reading import blocks_text
from bot.testing.signing import reply
from bot.testing.slack_api import BOT_ID, BOT_USER_ID

UTC = timezone.utc


def test_schedule_post_replies_and_exactly_one_reveal(drill_bot, stub_api):
    bot, clock = drill_bot, drill_bot.clock_

    refused = bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1m", user_id="UMEMBER01")
    assert "管理者だけです" in blocks_text(refused["blocks"])
    assert "スケジュールがありません" in blocks_text(bot.answer("schedule show")["blocks"])

    confirmed = bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1m", user_id=ADMIN)
    assert confirmed["response_type"] == "in_channel"
    assert "次回の投稿:* 2026-11-25（水）09:00 UTC" in blocks_text(confirmed["blocks"])

    bot.tick()
    assert stub_api.calls_to("chat.postMessage") == []
    clock.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    bot.tick()
    bot.tick()
    posts = stub_api.calls_to("chat.postMessage")
    assert len(posts) == 1
    post = posts[0].params
    assert post["channel"] == CH and "thread_ts" not in post
    text = blocks_text(post["blocks"])
    assert "今日の面接ドリル｜CISO" in text and "/ 20*" in text and "このスレッドに返信" in text
    assert posts[0].headers.get("Authorization") == "Bearer xoxb-test-token-not-real"
    drill_ts = posts[0].response["ts"]

    base = 1764061210
    events = [
        (reply(f"{base}.000001", "UALICE001", drill_ts), "Ev1", None),
        (reply(f"{base}.000001", "UALICE001", drill_ts), "Ev1", 1),  # Slack's retries of the same event
        (reply(f"{base}.000001", "UALICE001", drill_ts), "Ev1", 2),
        (reply(f"{base}.000002", "UBOB00001", drill_ts), "Ev2", None),
        (reply(f"{base}.000003", "UCAROL001", drill_ts), "Ev3", None),
        (
            {
                "type": "message",
                "subtype": "message_deleted",
                "channel": CH,
                "deleted_ts": f"{base}.000003",
                "hidden": True,
                "previous_message": {"type": "message", "user": "UCAROL001", "ts": f"{base}.000003", "thread_ts": drill_ts},
            },
            "Ev4",
            None,
        ),
        (
            {
                "type": "message",
                "subtype": "message_changed",
                "channel": CH,
                "hidden": True,
                "message": {"type": "message", "user": "UDAVE0001", "ts": f"{base}.000004", "thread_ts": drill_ts, "text": "edited"},
            },
            "Ev5",
            None,
        ),
        (reply(f"{base}.000005", "UOTHERBOT", drill_ts, bot_id="BOTHER001"), "Ev6", None),
        (reply(f"{base}.000006", BOT_USER_ID, drill_ts, bot_id=BOT_ID), "Ev7", None),
        ({"type": "message", "channel": CH, "user": "UERIN0001", "text": "top level", "ts": f"{base}.000007"}, "Ev8", None),
        (reply(f"{base}.000008", "UFRANK001", "1700000000.999999"), "Ev9", None),  # another thread
    ]
    for event, event_id, retry in events:
        assert bot.event(event, event_id, retry).status == 200

    clock.now = datetime(2026, 11, 25, 9, 1, 5, tzinfo=UTC)
    bot.tick()
    bot.tick()
    posts = stub_api.calls_to("chat.postMessage")
    reveals = [c.params for c in posts if c.params.get("thread_ts") == drill_ts]
    assert len(posts) == 2 and len(reveals) == 1
    reveal_text = blocks_text(reveals[0]["blocks"])
    assert "参加者 2人: <@UALICE001> <@UBOB00001>" in reveal_text
    assert "UCAROL001" not in reveal_text and "UDAVE0001" not in reveal_text and BOT_USER_ID not in reveal_text
    assert "回答ポイント" in reveal_text
    # The question's own points and its follow-up, the prompt for the thread's discussion.
    import re

    from bot.content.loader import load_directory

    number = int(re.search(r"Q(\d+) / 20", text).group(1))
    ciso = next(r for r in load_directory(CONTENT_DIR).roles if r.slug == "ciso_project_position")
    question = ciso.question(number)
    assert question.answer_points and question.follow_up
    assert question.answer_points[0][:20] in reveal_text and question.follow_up[:20] in reveal_text and "深掘り" in reveal_text
    updates = stub_api.calls_to("chat.update")
    assert len(updates) == 1 and updates[0].params["ts"] == drill_ts
    assert "公開しました" in blocks_text(updates[0].params["blocks"])

    stats = blocks_text(bot.answer("stats", user_id="UALICE001")["blocks"])
    assert "回答したドリル: 1回" in stats and "連続回答: 1回" in stats


def test_workspace_admin_from_users_info_may_set(drill_bot, stub_api):
    confirmed = drill_bot.answer("schedule set cto 07:30 days=weekdays", user_id="UWSADMIN1")
    assert "平日 07:30（UTC）" in blocks_text(confirmed["blocks"])
    history = blocks_text(drill_bot.answer("schedule history")["blocks"])
    assert "<@UWSADMIN1> *設定*: （なし） → CTO 平日 07:30（UTC）" in history and "cto " not in history


@pytest.mark.parametrize(
    "text, error",
    [
        ("schedule set ciso 25:00", "時刻として正しくありません"),
        ("schedule set ciso 09:00 tz=Mars/Olympus", "Mars/Olympus"),
        ("schedule set ciso 09:00 reveal=08:00", "より後の時刻にしてください"),
        ("schedule set nosuchrole 09:00", "職種「nosuchrole」は見つかりません"),
        ("schedule set ciso 09:00 days=someday", "曜日「someday」"),
        ("schedule skip 2020-01-01", "もう過ぎています"),
        ("schedule set <!channel> 09:00", "&lt;!channel&gt;"),
        ("schedule set ciso 09:00 tz=<https://x|click>", "&lt;https://x|click&gt;"),
        ("schedule set ciso 09:00 reveal=<@U0EVIL0001>", "&lt;@U0EVIL0001&gt;"),
        ("schedule set ciso 09:00 days=<!here>", "&lt;!here&gt;"),
        ("schedule set ciso 09:00 tz=UTC tz=Asia/Tokyo", "2回"),
        ("schedule set ciso 09:00 tz=localtime", "localtime"),
    ],
)
def test_bad_schedule_input_is_one_error_and_changes_nothing(drill_bot, text, error):
    drill_bot.answer("schedule set ciso 09:00 tz=UTC", user_id=ADMIN)
    before = drill_bot.answer("schedule show")["blocks"]
    answer = drill_bot.answer(text, user_id=ADMIN)
    shown = json.dumps(answer, ensure_ascii=False)
    assert error in shown
    for raw in ("<!channel>", "<!here>", "<@U0EVIL", "<https://"):
        assert raw not in shown
    assert answer["response_type"] == "ephemeral"
    assert drill_bot.answer("schedule show")["blocks"] == before


def test_rate_limited_post_honours_retry_after_and_posts_once(drill_bot, stub_api):
    drill_bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1m", user_id=ADMIN)
    stub_api.script("chat.postMessage", (429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}))
    drill_bot.clock_.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    drill_bot.tick()
    calls = stub_api.calls_to("chat.postMessage")
    assert len(calls) == 2  # the 429, then the SDK's retry after Retry-After
    assert calls[1].at - calls[0].at >= 0.9
    drill_bot.tick()
    assert len(stub_api.calls_to("chat.postMessage")) == 2


def test_drill_now_and_reveal_now_from_slack(drill_bot, stub_api):
    drill_bot.answer("schedule set all 06:00 tz=UTC reveal=+2h", user_id=ADMIN)
    answer = blocks_text(drill_bot.answer("drill now", user_id=ADMIN)["blocks"])
    assert "ドリルを1問投稿します" in answer and "2026-11-25（水）10:58 UTC" in answer
    drill_bot.tick()
    assert len(stub_api.calls_to("chat.postMessage")) == 1
    assert "管理者だけです" in blocks_text(drill_bot.answer("drill reveal", user_id="UMEMBER01")["blocks"])
    drill_bot.answer("drill reveal", user_id=ADMIN)
    drill_bot.tick()
    reveals = [c for c in stub_api.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert len(reveals) == 1
    assert "今回は回答がありませんでした" in blocks_text(reveals[0].params["blocks"])


def test_admin_is_told_to_invite_the_bot(drill_bot, stub_api):
    stub_api.handlers["conversations.info"] = lambda call: {"ok": True, "channel": {"id": call.params.get("channel"), "is_member": False}}
    answer = blocks_text(drill_bot.answer("schedule set ciso 09:00", user_id=ADMIN)["blocks"])
    assert "ボットがまだこのチャンネルに参加していません" in answer and "/invite @career-drill" in answer


def test_an_admin_command_acks_before_slack_answers_and_replies_through_response_url(drill_bot, stub_api):
    """users.info has not answered when the ack goes out: the ack must not wait for it (Slack gives
    up after 3 s)."""
    users_info = stub_api.hold("users.info")
    ack = drill_bot.command("schedule set ciso 09:00 tz=UTC", user_id="UWSADMIN1", response_url=stub_api.response_url("slow"))
    assert ack.status == 200 and ack.body == b""
    assert stub_api.calls_to("response_url") == []  # nothing answered yet: users.info is still out
    users_info.set()
    answer = stub_api.answer_at("slow", timeout=20)
    assert "ドリルのスケジュールを設定しました" in blocks_text(answer["blocks"]) and answer["response_type"] == "in_channel"


def test_when_slack_cannot_say_who_is_admin_the_bot_says_so_and_changes_nothing(drill_bot, stub_api):
    stub_api.script("users.info", *[(503, {}, {"ok": False, "error": "service_unavailable"})] * 3)
    answer = blocks_text(drill_bot.answer("schedule set ciso 09:00 tz=UTC", user_id="UWSADMIN1")["blocks"])
    assert "確認できませんでした" in answer and "管理者だけです" not in answer
    assert "スケジュールがありません" in blocks_text(drill_bot.answer("schedule show")["blocks"])
    # Slack answers again: the same admin may now set it (the failure was not remembered).
    answer = blocks_text(drill_bot.answer("schedule set ciso 09:00 tz=UTC", user_id="UWSADMIN1")["blocks"])
    assert "ドリルのスケジュールを設定しました" in answer


def test_a_me_reply_in_the_thread_counts_as_an_answer(drill_bot, stub_api):
    drill_bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1m", user_id=ADMIN)
    drill_bot.clock_.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    drill_bot.tick()
    thread_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    assert drill_bot.event(reply("1795597210.000100", "UALICE001", thread_ts, subtype="me_message"), "Ev1").status == 200
    drill_bot.clock_.now = datetime(2026, 11, 25, 9, 1, 5, tzinfo=UTC)
    drill_bot.tick()
    reveal = [c for c in stub_api.calls_to("chat.postMessage") if c.params.get("thread_ts")][0]
    assert "<@UALICE001>" in blocks_text(reveal.params["blocks"])


def test_a_command_that_fails_after_the_ack_still_gets_an_answer(drill_bot, stub_api, mocker):
    mocker.patch.object(drill_bot.core.schedules, "show", side_effect=RuntimeError("database went away"))
    answer = blocks_text(drill_bot.answer("schedule show")["blocks"])
    assert "うまく処理できませんでした" in answer and "database went away" not in answer
