"""`python -m bot …` as an operator meets it: what `migrate` says, the files it creates, and how a
setting the bot cannot use is refused."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _bot(*args: str, cwd=ROOT, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env={**environ, **env}, capture_output=True, text=True, timeout=120)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_default_database_is_readable_by_its_owner_only(tmp_path):
    """In OAuth mode the SQLite file holds every workspace's bot token: nobody else may read it."""
    result = _bot("migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    database = tmp_path / "data" / "career-bot.sqlite3"
    assert _mode(database) == 0o600
    assert _mode(database.parent) == 0o700
    for companion in database.parent.iterdir():  # SQLite's -wal and -shm files, when they are left
        assert _mode(companion) == 0o600, companion.name
