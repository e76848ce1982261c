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
