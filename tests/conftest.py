"""Fixtures shared by the whole suite; the tools they are made of are in the test kit, bot/testing."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from bot.composition import build_router
from bot.config import load_settings
from bot.testing import ADMIN, CONTENT_DIR
from bot.testing.botserver import start_bot
from bot.testing.content import remember_role_documents
from bot.testing.db import database_url, migrated_database_url, sqlite_copy
from bot.testing.slack_api import StubSlackApi
from bot.testing.world import World

# Each bot built here reads the role documents once per process, not once per bot.
remember_role_documents()


@pytest.fixture
def content_dir():
    return CONTENT_DIR


@pytest.fixture
def router():
    return build_router(load_settings({"CONTENT_DIR": str(CONTENT_DIR)}), rng=random.Random(7))


@pytest.fixture
def stub_api():
    stub = StubSlackApi().start()
    yield stub
    stub.stop()


@pytest.fixture
def bot(stub_api, tmp_path):
    """The web process on a SQLite copy of the migrated schema."""
    server = start_bot(stub_api, CONTENT_DIR, rng=random.Random(7), DATABASE_URL=sqlite_copy(tmp_path / "bot.sqlite3"))
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A clean database at the newest schema revision, on SQLite and on PostgreSQL (a copy of a
    template migrated once per process)."""
    with migrated_database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path):
    """An empty database, on SQLite and on PostgreSQL: for the tests of the migrations themselves."""
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def world(db_url):
    """One bot core on the test's database, at 08:00 UTC on Wednesday 2026-11-25 (see World)."""
    w = World(db_url)
    yield w
    w.close()


@pytest.fixture
def group(db_url):
    """A study group's channel with a daily drill at 09:00 UTC revealed at 10:00, from Monday
    2026-11-16; members are shown by these names, and answer feedback finds nothing."""
    names = {"UALICE001": "Alice", "UBOB00001": "ボブ", "UCAROL001": "<!channel> & co", ADMIN: "管理者さん"}
    g = World(db_url, start=datetime(2026, 11, 16, tzinfo=timezone.utc), names=names, analyser=lambda: lambda text: [])
    g.set("ciso", "09:00", "reveal=+1h")
    yield g
    g.close()
