"""Alembic owns the schema: `alembic upgrade head` from the repository root, and the bot's own
upgrade on start, produce the models' schema on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import inspect

from bot.store.db import make_engine, upgrade
from bot.store.models import Base
from tests.conftest import ROOT


def test_alembic_cli_from_the_repo_root_creates_every_table(db_url):
    env = {**os.environ, "DATABASE_URL": db_url}
    alembic = os.path.join(os.path.dirname(sys.executable), "alembic")
    result = subprocess.run([alembic, "upgrade", "head"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    engine = make_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables and "alembic_version" in tables
        upgrade(engine, db_url)  # the bot's start-up upgrade on an up-to-date database is a no-op
    finally:
        engine.dispose()


def test_migrate_command_and_schema_matches_models(db_url):
    env = {**os.environ, "DATABASE_URL": db_url}
    result = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []  # the migration and the models describe the same schema
    finally:
        engine.dispose()


def test_downgrade_then_upgrade_keeps_existing_data(db_url):
    """Step back one revision and forward again: schedules, drills and replies survive."""
    from sqlalchemy import text

    from bot.store.db import downgrade

    engine = make_engine(db_url)
    try:
        upgrade(engine, db_url)
        with engine.begin() as c:
            c.execute(text(
                "INSERT INTO schedules (channel_id, role, post_time, timezone, days, reveal, skip_dates, paused, effective_from, deck, deck_position, updated_by, updated_at)"
                " VALUES ('C1', 'cto', '09:00', 'UTC', 'daily', '+1h', '', false, '2026-11-25 00:00:00', 'cto#3,cto#1', 1, 'U1', '2026-11-25 00:00:00')"
            ))
            c.execute(text(
                "INSERT INTO drills (channel_id, occurrence, status, role_slug, question_number, question_total, post_at, reveal_at, timezone, message_ts, attempts, created_at, reveal_attempts)"
                " VALUES ('C1', '2026-11-25', 'posted', 'cto', 3, 20, '2026-11-25 09:00:00', '2026-11-25 10:00:00', 'UTC', '1.2', 1, '2026-11-25 09:00:00', 0)"
            ))
            drill_id = c.execute(text("SELECT id FROM drills")).scalar_one()
            c.execute(text(f"INSERT INTO replies (drill_id, message_ts, user_id, replied_at, late, deleted) VALUES ({drill_id}, '1.3', 'U2', '2026-11-25 09:05:00', false, false)"))

        downgrade(engine, db_url, "-1")
        with engine.begin() as c:
            assert "reveal_ts" not in {col["name"] for col in inspect(c).get_columns("drills")}
        upgrade(engine, db_url)

        with engine.connect() as c:
            assert c.execute(text("SELECT role, deck, deck_position FROM schedules")).one() == ("cto", "cto#3,cto#1", 1)
            assert c.execute(text("SELECT status, message_ts, question_number, reveal_attempts FROM drills")).one() == ("posted", "1.2", 3, 0)
            assert c.execute(text("SELECT user_id, message_ts FROM replies")).one() == ("U2", "1.3")
    finally:
        engine.dispose()
