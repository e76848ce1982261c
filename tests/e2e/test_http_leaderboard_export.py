"""The leaderboard and the CSV export through the real HTTP app: signed commands and buttons in,
Web API calls out to the stand-in (users.info for display names; conversations.open and the three
steps of files_upload_v2 for the export)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest

from bot.testing import ADMIN, CH
from bot.testing.botserver import drill_server
from bot.testing.reading import blocks_text
from bot.testing.signing import reply

UTC = timezone.utc
ALICE, BOB, CAROL = "UALICE001", "UBOB00001", "UCAROL001"
MARKER = "XYZZY秘密のマーカー文字列"
UPLOAD_STEPS = ["conversations.open", "files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


@pytest.fixture
def board_bot(stub_api, db_url):
    stub_api.profiles.update(
        {
            ALICE: {"display_name": "Alice", "real_name": "Alice Example"},
            BOB: {"display_name": "", "real_name": "ボブ"},
            CAROL: {"display_name": "<!channel> & co"},
        }
    )
    server = drill_server(stub_api, db_url)
    yield server
    server.stop()


def ts_at(hour: int, minute: int, second: int) -> str:
    return f"{datetime(2026, 11, 25, hour, minute, second, tzinfo=UTC).timestamp():.6f}"


def run_a_drill(bot, stub_api) -> None:
    """Posted at 09:00, Alice and Carol reply on time (with text), Bob after the reveal at 09:01;
    Alice grades 普通 on the reveal."""
    assert "設定しました" in blocks_text(bot.answer("schedule set ciso 09:00 tz=UTC reveal=+1m", user_id=ADMIN)["blocks"])
    bot.clock_.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    bot.tick()
    drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    for event_id, (ts, user) in enumerate(((ts_at(9, 0, 20), ALICE), (ts_at(9, 0, 30), CAROL)), 1):
        assert bot.event(reply(ts, user, drill_ts, text=f"{MARKER} {user}"), f"Ev{event_id}").status == 200
    bot.clock_.now = datetime(2026, 11, 25, 9, 1, 5, tzinfo=UTC)
    bot.tick()
    assert bot.event(reply(ts_at(9, 2, 0), BOB, drill_ts, text=MARKER), "Ev9").status == 200
    reveal = next(c.params for c in stub_api.calls_to("chat.postMessage") if c.params.get("thread_ts") == drill_ts)
    good = next(e for b in reveal["blocks"] if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == "🙂 普通に思い出せた")
    assert "普通" in blocks_text(bot.press_answer(good["action_id"], good["value"], user_id=ALICE)["blocks"])
    bot.clock_.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_the_week_leaderboard_names_members_by_display_name_and_sharing_pings_no_one(board_bot, stub_api):
    bot = board_bot
    run_a_drill(bot, stub_api)
    board = bot.answer("leaderboard week", user_id=BOB)
    assert board["response_type"] == "ephemeral"
    text = blocks_text(board["blocks"]).replace("*", "")
    # Alice replied first; both have one drill and a streak of one. Carol's name is shown as text.
    assert "🥇 Alice　1問回答・🔥 連続 1回" in text
    assert "🥈 &lt;!channel&gt; &amp; co　1問回答・🔥 連続 1回" in text
    assert "ボブ" not in text  # his reply came after the reveal
    raw = json.dumps(board, ensure_ascii=False)
    assert "<@" not in raw and "<!channel>" not in raw
    share = next(e for b in board["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert share["text"]["text"] == "チャンネルに共有"

    shared = bot.press_answer(share["action_id"], share["value"], user_id=BOB)
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    shared_text = blocks_text(shared["blocks"]).replace("*", "")
    assert "🥇 Alice　1問回答・🔥 連続 1回" in shared_text and "ボブ さんが共有しました" in shared_text
    raw = json.dumps(shared, ensure_ascii=False)
    assert "<@" not in raw and "<!channel>" not in raw
    assert not any(b["type"] == "actions" for b in shared["blocks"])


def test_an_admins_export_is_uploaded_to_their_dm_with_the_expected_rows_and_no_text(board_bot, stub_api):
    bot = board_bot
    run_a_drill(bot, stub_api)
    stub_api.clear()
    answer = bot.answer("export", user_id=ADMIN)
    assert answer["response_type"] == "ephemeral"
    assert blocks_text(answer["blocks"]) == "✅ DM に CSV を送りました（3行、直近30日間）。"
    steps = [c for c in stub_api.calls if c.method not in ("users.info", "response_url")]
    assert [c.method for c in steps] == UPLOAD_STEPS
    opened, get_url, upload, complete = steps
    assert opened.params["users"] == ADMIN
    dm = opened.response["channel"]["id"]
    data = stub_api.uploaded(get_url.response["file_id"])
    assert get_url.params["filename"] == f"career-drill-{CH}-2026-11-25.csv" and int(get_url.params["length"]) == len(data)
    assert upload.path.endswith(get_url.response["file_id"])
    assert complete.params["channel_id"] == dm
    assert json.loads(complete.params["files"])[0]["id"] == get_url.response["file_id"]
    assert "回答の本文は含みません" in complete.params["initial_comment"]

    assert data.startswith(b"\xef\xbb\xbf")
    assert MARKER.encode() not in data and "私の回答".encode() not in data and b"XYZZY" not in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][:8] == ["日付", "職種ID", "職種", "問題番号", "メンバーID", "表示名", "回答日時", "回答"]
    body = [(r[0], r[4], r[5], r[6], r[7], r[8], r[9]) for r in rows[1:]]
    assert body == [
        ("2026-11-25", ALICE, "Alice", "2026-11-25T09:00:20+00:00", "on_time", "3", "普通"),
        ("2026-11-25", BOB, "ボブ", "2026-11-25T09:02:00+00:00", "late", "", ""),
        ("2026-11-25", CAROL, "<!channel> & co", "2026-11-25T09:00:30+00:00", "on_time", "", ""),
    ]


def test_a_members_export_is_refused_and_a_bad_number_gets_one_sentence(board_bot, stub_api):
    bot = board_bot
    run_a_drill(bot, stub_api)
    refused = bot.answer("export", user_id=BOB)
    assert (
        blocks_text(refused["blocks"])
        == "すみません、ドリルの記録を CSV で書き出せるのは管理者だけです。必要な場合は管理者に相談してください。"
    )
    bad = bot.answer("export abc", user_id=ADMIN)
    assert len(bad["blocks"]) == 1 and blocks_text(bad["blocks"]) == "⚠️ 日数は 1〜366 の数字で指定してください（例: `/career export 30`）。"
    assert not any(stub_api.calls_to(m) for m in UPLOAD_STEPS) and stub_api.uploads == {}


def test_an_upload_the_file_host_refuses_gets_one_sentence_and_is_not_completed(board_bot, stub_api):
    bot = board_bot
    run_a_drill(bot, stub_api)
    stub_api.script("upload", (500, {}, {"ok": False}))
    answer = bot.answer("export 7", user_id=ADMIN)
    assert blocks_text(answer["blocks"]) == "⚠️ CSV を DM に送れませんでした。少し待ってからもう一度お試しください。"
    assert stub_api.calls_to("upload") and not stub_api.calls_to("files.completeUploadExternal")


def test_display_names_that_look_like_formatting_are_shown_as_typed_on_the_board_and_its_share_line(board_bot, stub_api):
    """mrkdwn has no escape for `*`, `_`, `~` or backticks: a name made of them must not turn
    bold, italic, struck through or into code on the board, in its fallback text or in the share line."""
    bot = board_bot
    stub_api.profiles.update(
        {ALICE: {"display_name": "*太郎*"}, CAROL: {"display_name": "_花子_ ~x~ `y`"}, BOB: {"display_name": "*ボブ*"}}
    )
    run_a_drill(bot, stub_api)
    board = bot.answer("leaderboard week", user_id=BOB)
    text = blocks_text(board["blocks"])
    assert "＊太郎＊" in text and "＿花子＿ ～x～ ｀y｀" in text
    assert "*太郎*" not in text and "_花子_" not in text and "~x~" not in text and "`y`" not in text
    assert "＊太郎＊ 1問" in board["text"] and "*太郎*" not in board["text"]

    share = next(e for b in board["blocks"] if b["type"] == "actions" for e in b["elements"])
    shared = blocks_text(bot.press_answer(share["action_id"], share["value"], user_id=BOB)["blocks"])
    assert "＊ボブ＊ さんが共有しました" in shared and "*ボブ*" not in shared


def test_leaderboard_and_export_in_a_dm_say_they_need_the_drills_channel(board_bot, stub_api):
    bot = board_bot
    run_a_drill(bot, stub_api)
    stub_api.clear()
    board = blocks_text(bot.answer("leaderboard", user_id=ALICE, channel_id="D0ALICE01")["blocks"])
    assert board == "ランキングはドリルのチャンネルごとに集計します。ドリルのあるチャンネルで `/career leaderboard` を実行してください。"
    export = blocks_text(bot.answer("export", user_id=ADMIN, channel_id="D0ADMIN01")["blocks"])
    assert "ドリルのあるチャンネルで `/career export` を実行してください" in export and "このチャンネル" not in export
    assert not any(stub_api.calls_to(m) for m in UPLOAD_STEPS)
