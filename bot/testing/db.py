"""Databases for tests: a SQLite file, and PostgreSQL when it is reachable.

`database_url` gives an empty database (the migration tests build the schema themselves, and the
benchmarks measure a fresh one). `migrated_database_url` gives a clean database already at the
newest schema revision, as the bot's start-up upgrade would leave it, without running every
migration for every test: each process migrates once per backend, then SQLite tests get a copy of
that file and PostgreSQL tests get that schema emptied and renamed (see _PostgresSchemas).

With CI=true an unreachable PostgreSQL fails the run instead of skipping, so a green CI always
means both backends were tested."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_available() -> str | None:
    """None if reachable, otherwise why not."""
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "not available"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


@functools.lru_cache(maxsize=1)
def _reachable_once() -> str | None:
    """`postgres_available`, asked once per process while PostgreSQL answers (a test run does not
    lose its server midway; if it did, the tests using it would fail, not skip)."""
    return postgres_available()


def require_postgres() -> None:
    import pytest

    reason = _reachable_once()
    if reason is None:
        return
    _reachable_once.cache_clear()
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required when CI=true but is unreachable ({reason})")
    pytest.skip(f"PostgreSQL is not reachable ({reason})")


# ------------------------------------------------------------------------------------------ empty


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of `kind` ("sqlite" or "postgresql"), removed afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        return
    require_postgres()
    with _postgres_schema() as url:
        yield url


@contextmanager
def _postgres_schema() -> Iterator[str]:
    """A throw-away schema in the TEST_POSTGRES_URL database."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --------------------------------------------------------------------------------------- migrated


@contextmanager
def migrated_database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """A clean database of `kind` at the newest schema revision."""
    if kind == "sqlite":
        yield sqlite_copy(tmp_path / "bot.sqlite3")
        return
    require_postgres()
    url = _POSTGRES.lend()
    try:
        yield url
    finally:
        _POSTGRES.give_back()


def sqlite_copy(path: Path) -> str:
    """The URL of a new SQLite file at `path` holding the migrated schema (made 0600, as the bot
    makes its own file)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template(), path)
    path.chmod(0o600)
    return f"sqlite:///{path}"


def _migrate(url: str) -> None:
    from bot.store.db import make_engine, upgrade

    engine = make_engine(url)
    try:
        upgrade(engine, url)
    finally:
        engine.dispose()


@functools.lru_cache(maxsize=1)
def _sqlite_template() -> Path:
    """This process's migrated SQLite file, copied for each test."""
    workdir = Path(tempfile.mkdtemp(prefix="bot-test-template-"))
    atexit.register(shutil.rmtree, workdir, True)
    path = workdir / "template.sqlite3"
    _migrate(f"sqlite:///{path}")  # closing the last connection folds the WAL into the file
    return path


def _schema_url(schema: str) -> str:
    # A test database never has to survive a power cut: its commits need not wait for the disk.
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


class _PostgresSchemas:
    """One migrated schema per process in the TEST_POSTGRES_URL database, lent to one test at a
    time: before each loan its rows are deleted and its sequences restarted, and it is renamed, so
    a connection a finished test left behind (still on the old name) cannot reach the next test's
    data. A test that broke the schema (dropped a table) gets it replaced by a newly migrated one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._name: str | None = None
        self._tables: list[str] = []  # children before parents
        self._sequences: list[str] = []
        self._abandoned: list[str] = []
        self._admin: Engine | None = None
        self._lent = False

    def lend(self) -> str:
        with self._lock:
            # One schema per process: a second loan would rename it under the first borrower.
            assert not self._lent, "this process's PostgreSQL schema is already lent to a test"
            if self._admin is None:
                self._admin = create_engine(POSTGRES_URL, pool_size=1, max_overflow=0)
                atexit.register(self._drop_all)
            new = f"t_{uuid.uuid4().hex[:12]}"
            if self._name is not None:
                try:
                    self._reset(self._name, new)
                except Exception:  # noqa: BLE001 - damaged or locked: leave it, build another
                    self._abandoned.append(self._name)
                    self._name = None
                    self._build(new)
            else:
                self._build(new)
            self._name, self._lent = new, True
            return _schema_url(new)

    def give_back(self) -> None:
        with self._lock:
            self._lent = False

    def _reset(self, old: str, new: str) -> None:
        statements = [
            "SET LOCAL lock_timeout = '5s'",
            f'ALTER SCHEMA "{old}" RENAME TO "{new}"',
            *(f'DELETE FROM "{new}"."{table}"' for table in self._tables),
            *(f'ALTER SEQUENCE "{new}"."{sequence}" RESTART' for sequence in self._sequences),
        ]
        assert self._admin is not None
        with self._admin.begin() as connection:
            connection.exec_driver_sql("; ".join(statements))

    def _build(self, name: str) -> None:
        from sqlalchemy import MetaData

        assert self._admin is not None
        with self._admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        url = _schema_url(name)
        _migrate(url)
        engine = create_engine(url)
        try:
            metadata = MetaData()
            metadata.reflect(engine)
            self._tables = [t.name for t in reversed(metadata.sorted_tables) if t.name != "alembic_version"]
            with engine.connect() as connection:
                self._sequences = list(
                    connection.execute(
                        text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")
                    ).scalars()
                )
        finally:
            engine.dispose()

    def _drop_all(self) -> None:
        assert self._admin is not None
        try:
            with self._admin.begin() as connection:
                for name in [*self._abandoned, *([self._name] if self._name else [])]:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        except Exception:  # noqa: BLE001 - the server went away first: nothing left to drop
            pass
        finally:
            self._admin.dispose()


_POSTGRES = _PostgresSchemas()
