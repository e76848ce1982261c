"""`python -m bot console`: the bot in a terminal, no Slack needed."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from bot.console import Console
from tests.conftest import ROOT


def test_console_command_shows_the_ciso_card():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    result = subprocess.run([sys.executable, "-m", "bot", "console", "/career ciso"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "CISO（Chief Information Security Officer, 最高情報セキュリティ責任者）のプロジェクトポジション" in out
    assert "CISO（最高情報セキュリティ責任者）の戦略策定" in out
    for path in ("セキュリティエンジニア → セキュリティマネージャー → CISO", "ネットワーク管理者 → CSIRT責任者 → CISO", "IT統制・監査部門 → 情報セキュリティ責任者 → CISO"):
        assert path in out
    assert "\u200b" not in out and "*" not in out


def test_console_reads_piped_lines_and_presses_buttons_by_number(router):
    out = io.StringIO()
    console = Console(router, out=out)
    console.run(["/career ciso", "1", "/nope", "99", "quit", "/career cto"], interactive=False)
    text = out.getvalue()
    assert "CISO｜主な業務" in text  # button 1 on the card opens the duties section
    assert "監査・法令対応（ISO27001、ISMS、GDPRなど）" in text
    assert "/nope というコマンドはありません" in text
    assert "ボタンは 1〜" in text
    assert "CTO（" not in text  # nothing after quit runs


def test_console_runs_a_whole_drill_cycle(tmp_path):
    from datetime import datetime, timezone
    import random

    from bot.config import load_settings
    from bot.console import build_console

    out = io.StringIO()
    settings = load_settings({"CONTENT_DIR": str(ROOT / "content"), "DEFAULT_TIMEZONE": "UTC"})
    console = build_console(settings, f"sqlite:///{tmp_path / 'console.sqlite3'}", out=out, start=datetime(2026, 11, 25, 8, 50, tzinfo=timezone.utc), rng=random.Random(2))
    console.run(
        ["/career schedule set ciso 09:00 reveal=+30m", ":wait 10m", ":reply UAKI00001", ":reply UBEN00001", ":wait 30m", "/career schedule show"],
        interactive=False,
    )
    text = out.getvalue()
    assert text.count("[#CCONSOLE1 に投稿]") == 1
    assert text.count("[#CCONSOLE1 のスレッドに返信]") == 1
    assert "参加者 2人: @UAKI00001 @UBEN00001" in text
    assert "次回の投稿: 2026-11-26（木）09:00 UTC" in text


def test_the_readme_drill_example_works_at_any_hour_and_reveals_once(tmp_path):
    """The README's example, pasted at any time of day: one post, a counted reply, one reveal. The
    console's throw-away database is a file, so the tick's threads never share one connection."""
    from datetime import datetime, timedelta, timezone
    import random

    from bot.config import load_settings
    from bot.console import build_console

    settings = load_settings({"CONTENT_DIR": str(ROOT / "content")})
    example = [line for line in README_DRILL_EXAMPLE.splitlines() if line.strip()]
    for hour in range(0, 24, 3):
        out = io.StringIO()
        start = datetime(2026, 11, 25, hour, 17, tzinfo=timezone.utc)
        console = build_console(settings, f"sqlite:///{tmp_path / f'c{hour}.sqlite3'}", out=out, start=start, rng=random.Random(hour))
        console.run(example, interactive=False)
        console.bot.engine.dispose()
        text = out.getvalue()
        assert text.count("[#CCONSOLE1 に投稿]") == 1, (hour, text)
        assert text.count("[#CCONSOLE1 のスレッドに返信]") == 1, (hour, text)
        assert "参加者 1人: @UAKI00001" in text, (hour, text)
        assert console.clock() - start < timedelta(days=1, hours=1)


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- console-drill-example -->", 1)[1].split("```", 2)[1]
    return "\n".join(line for line in block.splitlines() if line.strip())


README_DRILL_EXAMPLE = _readme_example()


def test_with_no_roles_loaded_the_drill_is_refused_with_the_reason(tmp_path):
    from bot.config import load_settings
    from bot.console import build_console

    empty = tmp_path / "content"
    empty.mkdir()
    out = io.StringIO()
    console = build_console(load_settings({"CONTENT_DIR": str(empty)}), f"sqlite:///{tmp_path / 'c.sqlite3'}", out=out)
    console.run(["/career schedule set all 09:00", "/career drill now", "/career schedule show"], interactive=False)
    console.bot.engine.dispose()
    text = out.getvalue()
    assert text.count("職種のデータが1件も読み込まれていない") == 2
    assert "✅" not in text and "投稿します" not in text
    assert "スケジュールがありません" in text


def test_python_m_bot_without_a_token_points_to_the_console():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    result = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "python -m bot console" in result.stderr and "--help" in result.stderr


def test_a_reply_with_no_user_is_yours_and_shows_in_your_stats(tmp_path):
    from datetime import datetime, timezone

    from bot.config import load_settings
    from bot.console import build_console

    out = io.StringIO()
    settings = load_settings({"CONTENT_DIR": str(ROOT / "content"), "DEFAULT_TIMEZONE": "UTC"})
    console = build_console(settings, f"sqlite:///{tmp_path / 'c.sqlite3'}", out=out, start=datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc))
    console.run(["/career schedule set ciso 09:00 reveal=+30m", ":next", ":reply", ":next", "/career stats"], interactive=False)
    console.bot.engine.dispose()
    text = out.getvalue()
    assert "参加者 1人: @UCONSOLE1" in text and "回答したドリル: 1回" in text and "連続回答: 1回" in text
