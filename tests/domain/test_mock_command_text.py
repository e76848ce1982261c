"""How a member starts, stops and talks to a mock interview: `/career mock …`, the DM's own words,
and what a message means while a session runs."""

from __future__ import annotations

import pytest

from bot.domain.command_text import MockCommand, ReviewCommand, SessionInput, parse_command, parse_dm_text, parse_session_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mock cto", MockCommand("start", "cto", 5)),
        ("mock cto 3", MockCommand("start", "cto", 3)),
        ("MOCK ｃｔｏ ３", MockCommand("start", "ｃｔｏ", 3)),
        ("模擬面接 common 10", MockCommand("start", "common", 10)),
        ("mock ciso 2 level=中級,上級", MockCommand("start", "ciso", 2, "中級,上級")),
        ("mock security engineer 4問", MockCommand("start", "security engineer", 4)),
        ("mock cto 11", MockCommand("start", "cto", 5, bad_count="11")),
        ("mock cto 0", MockCommand("start", "cto", 5, bad_count="0")),
        ("mock stop", MockCommand("stop")),
        ("模擬面接 終了", MockCommand("stop")),
        ("mock", MockCommand("help")),
        ("mock help", MockCommand("help")),
    ],
)
def test_career_mock(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("模擬面接 cto", MockCommand("start", "cto", 5)),
        ("模擬面接　CTO　3", MockCommand("start", "CTO", 3)),
        ("mock cto 3", MockCommand("start", "cto", 3)),
        ("模擬面接cto", MockCommand("start", "cto", 5)),
        ("CTOの模擬面接（5問）", MockCommand("start", "CTO", 5)),
        ("CISOの模擬面接(3問)", MockCommand("start", "CISO", 3)),
        ("共通質問で練習", MockCommand("start", "common", 5)),
        ("今日の復習", ReviewCommand()),
        ("模擬面接", MockCommand("help")),
        ("こんにちは", None),
        ("", None),
        ("cto の話を聞かせて", None),
    ],
)
def test_dm_text_outside_a_session(text, expected):
    assert parse_dm_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("スキップ", SessionInput.SKIP),
        ("skip", SessionInput.SKIP),
        ("パス。", SessionInput.SKIP),
        ("終了", SessionInput.STOP),
        ("終了します", SessionInput.STOP),
        ("以上です", SessionInput.DONE),
        ("以上です。", SessionInput.DONE),
        ("まず結論から申し上げます。売上を3割伸ばしました。以上です！", SessionInput.DONE),
        ("前年比120%以上", SessionInput.ANSWER),
        ("売上は前年以上。", SessionInput.ANSWER),
        ("以上のように考えています", SessionInput.ANSWER),
        ("模擬面接 cto", SessionInput.ANSWER),  # during a session only スキップ and 終了 are commands
        ("スキップしたいのですが、まず結論から話します", SessionInput.ANSWER),
    ],
)
def test_a_message_in_a_running_session(text, expected):
    assert parse_session_text(text) is expected
