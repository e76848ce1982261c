"""`python -m bot …` as an operator meets it: what `migrate` says, the files it creates, and how a
setting the bot cannot use is refused."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from bot.testing import ROOT


def _bot(*args: str, cwd=ROOT, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env={**environ, **env}, capture_output=True, text=True, timeout=120
    )


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


def test_migrate_says_whether_it_created_upgraded_or_left_the_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    created = _bot("migrate", DATABASE_URL=url)
    assert created.returncode == 0, created.stderr
    assert "created the database schema at revision 0012" in created.stderr

    again = _bot("migrate", DATABASE_URL=url)
    assert again.returncode == 0, again.stderr
    assert "the database schema is up to date (revision 0012)" in again.stderr
    assert "created" not in again.stderr


def test_migrate_names_the_revisions_of_an_upgrade(tmp_path):
    from bot.store.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine, url, "0007")
    engine.dispose()
    result = _bot("migrate", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert "upgraded the database schema from revision 0007 to 0012" in result.stderr


@pytest.mark.parametrize("command", ["migrate", "web", "console"])
def test_an_unsupported_database_is_one_line_naming_the_variable_and_the_supported_ones(command):
    result = _bot(command, DATABASE_URL="mysql://bot:s3cret-pw@db.example/bot", SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="x")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "DATABASE_URL" in result.stderr and "sqlite" in result.stderr and "postgresql" in result.stderr
    assert "s3cret-pw" not in result.stderr  # a URL may carry the database's password
