"""The reminder and the weekly digest through the real HTTP app: a signed `schedule set` with
`remind=` and `digest=`, then ticks at injected times, and the Web API calls that come out."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.testing.botserver import drill_server
from bot.testing.reading import blocks_text
from bot.testing.slack_api import metadata_key

UTC = timezone.utc
ADMIN = "UADMIN001"
CH = "C0STUDY01"
MEMBER = "UMEMBER01"


@pytest.fixture
def drill_bot(stub_api, db_url):
    # A display name that would ping the channel if it were not escaped.
    stub_api.handlers["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.params.get("user"), "is_admin": False, "is_owner": False, "profile": {"display_name": "<!channel> めんばー"}},
    }
    server = drill_server(stub_api, db_url)  # a Wednesday
    yield server
    server.stop()


def test_one_reminder_and_one_digest_reach_slack(drill_bot, stub_api):
    bot, clock = drill_bot, drill_bot.clock_
    confirmed = bot.answer("schedule set ciso 09:00 reveal=+8h remind=-1h digest=fri-18:00", user_id=ADMIN)
    text = blocks_text(confirmed["blocks"])
    assert "リマインダー:* 公開の1時間前" in text and "`remind=-1h`" in text
    assert "週間まとめ:* 毎週金曜 18:00" in text and "`digest=fri-18:00`" in text
    assert "remind=" in blocks_text(bot.answer("schedule show")["blocks"])

    clock.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    bot.tick()
    (question,) = stub_api.calls_to("chat.postMessage")
    drill_ts = question.response["ts"]
    reply = {
        "type": "message",
        "channel": CH,
        "user": MEMBER,
        "text": "私の回答は…",
        "ts": "1764061210.000001",
        "thread_ts": drill_ts,
        "channel_type": "channel",
    }
    assert bot.event(reply, "Ev1").status == 200

    for hour, minute in ((15, 59), (16, 0), (16, 1), (17, 0), (17, 1)):
        clock.now = datetime(2026, 11, 25, hour, minute, tzinfo=UTC)
        bot.tick()
    reminders = [c for c in stub_api.calls_to("chat.postMessage") if metadata_key(c).startswith("reminder:")]
    assert len(reminders) == 1
    assert reminders[0].params["thread_ts"] == drill_ts and reminders[0].params["channel"] == CH
    assert "回答ポイントの公開まであと1時間です。" in blocks_text(reminders[0].params["blocks"])

    for day, hour in ((27, 17), (27, 18), (27, 18), (28, 9)):
        clock.now = datetime(2026, 11, day, hour, 0, 30, tzinfo=UTC)
        bot.tick()
    digests = [c for c in stub_api.calls_to("chat.postMessage") if metadata_key(c).startswith("digest:")]
    assert len(digests) == 1
    params = digests[0].params
    assert params["channel"] == CH and not params.get("thread_ts")
    shown = blocks_text(params["blocks"]) + params["text"]
    assert "<@" not in shown and "<!channel>" not in shown
    assert "&lt;!channel&gt; めんばー — 連続 1回" in shown
    assert f"https://slack.com/archives/{CH}/p{drill_ts.replace('.', '')}" in shown
    assert "毎日（11月28日（土）〜12月4日（金））の 09:00（UTC）に出題します。" in shown
    assert len([c for c in stub_api.calls_to("chat.postMessage") if metadata_key(c).startswith("reminder:")]) == 1
