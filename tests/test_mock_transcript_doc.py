"""docs/MOCK_INTERVIEW.md's transcript is what the console prints now, so the page cannot drift.

Each `career>` line of the block is typed into the console, which starts at the instant the page
names (2026-12-07 09:00:30 in Tokyo) on a fresh database; what the console prints in answer must be
the block's next lines, exactly: no line left out, none added, none changed. When the bot's
messages or the role documents change, this fails with the difference, and the block is replaced
by what the console prints now.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timezone

from sqlalchemy import text

from bot.config import load_settings
from bot.console import PROMPT
from bot.console_app import build_console
from bot.testing import ROOT

DOC = ROOT / "docs" / "MOCK_INTERVIEW.md"
MARK = "<!-- mock-transcript -->"
START = datetime(2026, 12, 7, 0, 0, 30, tzinfo=timezone.utc)  # 09:00:30 in Tokyo, as the page says


def _block() -> str:
    after = DOC.read_text(encoding="utf-8").split(MARK, 1)[1]
    return after.split("```\n", 1)[1].split("\n```", 1)[0]


def _lines(transcript: str) -> list[str]:
    return [line.rstrip() for line in transcript.strip("\n").splitlines()]


def _typed(block: str) -> list[str]:
    return [line.removeprefix(PROMPT) for line in block.splitlines() if line.startswith(PROMPT)]


def test_the_pages_transcript_is_what_the_console_prints(tmp_path):
    typed = _typed(_block())
    out = io.StringIO()
    settings = load_settings({"CONTENT_DIR": str(ROOT / "content"), "DEFAULT_TIMEZONE": "Asia/Tokyo"})
    console = build_console(settings, f"sqlite:///{tmp_path / 'console.sqlite3'}", out=out, start=START, rng=random.Random(1))
    try:
        for line in typed:
            out.write(f"{PROMPT}{line}\n")
            console.run([line], interactive=False)
        assert console.bot is not None
        with console.bot.engine.connect() as connection:
            kept = str([connection.execute(text(f"SELECT * FROM {table}")).all() for table in ("mock_sessions", "mock_sends")])
    finally:
        assert console.bot is not None
        console.bot.engine.dispose()

    assert _lines(_block()) == _lines(out.getvalue())
    # What the member wrote was judged and is nowhere in what the bot kept.
    answers = [line.removeprefix(":answer ") for line in typed if line.startswith(":answer ")]
    assert answers and all(answer[:20] not in kept for answer in answers)


def test_the_transcript_shows_every_step_of_a_question_and_the_summary():
    """What the page promises its reader: a question, the feedback and the interviewer's follow-up,
    the model answer with the grade buttons, the grade, and the summary, in that order."""
    block = _block()
    typed = _typed(block)
    assert typed[0].startswith("/career mock ") and any(line.startswith(":answer ") and line.endswith("以上です") for line in typed)
    steps = [
        "🎤 模擬面接 Q1/",
        "🔍 Q1 の回答と回答ポイント",
        "🎤 面接官：",
        "📖 Q1 の模範解答",
        "[1] 😵 忘れた",
        "🎤 模擬面接の結果",
        "✅ 自己評価：",
    ]
    positions = [block.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), dict(zip(steps, positions, strict=True))
