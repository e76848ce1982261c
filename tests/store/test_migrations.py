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
