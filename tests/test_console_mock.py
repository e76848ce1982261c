"""A mock interview in the console: `/career mock cto 2`, `:answer <text>` for each answer, buttons
pressed by number, up to the summary; and the DM's own words with no session running."""

from __future__ import annotations

import io
import random
from datetime import datetime, timezone

from bot.config import load_settings
from bot.console_app import build_console
from bot.testing import ROOT


def console_for(tmp_path):
    out = io.StringIO()
    settings = load_settings({"CONTENT_DIR": str(ROOT / "content"), "DEFAULT_TIMEZONE": "Asia/Tokyo"})
    console = build_console(
        settings,
        f"sqlite:///{tmp_path / 'console.sqlite3'}",
        out=out,
        start=datetime(2026, 12, 7, 0, 0, 30, tzinfo=timezone.utc),
        rng=random.Random(4),
    )
    return console, out


def test_a_whole_mock_interview_in_the_console(tmp_path):
    console, out = console_for(tmp_path)
    console.run(["/career mock cto 2"], interactive=False)
    assert "🎤 模擬面接 Q1/2（CTO）" in out.getvalue() and "目安：1〜2分で" in out.getvalue()
    console.run([":answer 結論から申し上げると、チーム構成を見直し、マネージャーを育成しました。以上です"], interactive=False)
    assert "🔍 Q1 の回答と回答ポイント" in out.getvalue()
    if "🎤 面接官：" in out.getvalue():
        console.run([":answer スキップ"], interactive=False)
    assert "📖 Q1 の模範解答" in out.getvalue()
    console.run(["3"], interactive=False)  # 🙂 普通に思い出せた
    assert "✅ 自己評価：普通" in out.getvalue() and "🎤 模擬面接 Q2/2（CTO）" in out.getvalue()
    console.run([":answer 終了"], interactive=False)
    text = out.getvalue()
    assert "🎤 模擬面接の結果（CTO・2問）" in text and "⏹ 模擬面接を途中で終了しました（2問中2問目まで）。" in text
    assert "自己評価：普通" in text and "[1] 🔁 もう一度（別の質問で）" in text
    console.run(["2"], interactive=False)  # 復習をはじめる: the review queue
    assert "復習" in out.getvalue().split("[1] 🔁 もう一度（別の質問で）")[-1]


def test_the_dm_with_no_session_takes_its_own_words(tmp_path):
    console, out = console_for(tmp_path)
    console.run([":answer こんにちは"], interactive=False)
    assert "「模擬面接 cto」" in out.getvalue()
    console.run([":answer 模擬面接 common 1"], interactive=False)
    assert "🎤 模擬面接 Q1/1（" in out.getvalue()
    console.run([":wait 31m"], interactive=False)  # nobody answers: the session ends by itself
    assert "⏰ 30分間やりとりがなかったため、模擬面接を終了しました。" in out.getvalue()


def test_the_help_tells_how_to_start_a_mock_interview(tmp_path):
    console, out = console_for(tmp_path)
    console.run(["/career help"], interactive=False)
    shown = out.getvalue()
    assert "• `/career mock <職種|common> [問題数] [level=…]` — 面接官と一対一の模擬面接をボットとのDMで" in shown
    assert "「模擬面接 cto」" in shown
    console.run(["/career mock cto 3"], interactive=False)  # the example it gives starts one
    assert "🎤 模擬面接 Q1/3（CTO）" in out.getvalue()
