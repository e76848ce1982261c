"""Engine, sessions and schema upgrades, and the few statements every store module shares (a bound on
lock waits, INSERT … ON CONFLICT DO NOTHING in both dialects)."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.package_data import MIGRATIONS_DIR

log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """`hide_parameters`: a database error's text (which reaches the log) never shows a statement's
    values, among them the installations' bot tokens."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            _create_private(Path(database))
        options: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if not database or database == ":memory:":
            # One shared connection, or each thread would see its own empty in-memory database.
            options["poolclass"] = StaticPool
        else:
            # SQLite has one writer at a time, and its busy handler waits for the lock by sleeping
            # (up to 100 ms a try). Threads of one process queue for a single connection instead,
            # which is fair and never sleeps; other processes still meet the busy timeout.
            options.update(pool_size=1, max_overflow=0, pool_timeout=60)
        engine = create_engine(url, hide_parameters=True, **options)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets readers (event acks) proceed while the scheduler writes; foreign keys are off
            # by default in SQLite.
            if database and database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # In WAL mode NORMAL never corrupts the database; it only lets a power cut (not a crash)
            # undo the last transactions, and it saves an fsync on every reply we record.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, hide_parameters=True, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _create_private(database: Path) -> None:
    """Create a new SQLite file readable by its owner only (0600), in a folder of its own made 0700.

    In OAuth mode the file holds every workspace's bot token. SQLite gives its -wal and -shm files
    the database file's mode, so creating the file first, empty, covers them too. An existing file
    or folder keeps the mode its owner chose."""
    if not database.parent.exists():
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def to_db(instant: datetime) -> datetime:
    """Aware → naive UTC, the one form stored."""
    return instant.astimezone(timezone.utc).replace(tzinfo=None)


def utc(stored: datetime | None) -> datetime | None:
    if stored is None:
        return None
    return stored.replace(tzinfo=timezone.utc) if stored.tzinfo is None else stored.astimezone(timezone.utc)


def aware(stored: datetime) -> datetime:
    """`utc` of a column that is never NULL."""
    return stored.replace(tzinfo=timezone.utc) if stored.tzinfo is None else stored.astimezone(timezone.utc)


def limit_wait(session: Session, seconds: float) -> None:
    """Fail this transaction rather than wait longer on a lock or a statement (PostgreSQL): an event
    whose write fails fast gets a non-200, and Slack delivers it again."""
    if session.get_bind().dialect.name == "postgresql":
        # One round trip for both settings: this runs before every recorded reply.
        millis = str(int(seconds * 1000))
        session.execute(
            text("SELECT set_config('lock_timeout', :ms, true), set_config('statement_timeout', :ms, true)"),
            {"ms": millis},
        )


def insert_for(session: Session):
    """The dialect's INSERT, which has ON CONFLICT in both PostgreSQL and SQLite."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def insert_ignore(session: Session, model, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True if this call inserted the row."""
    insert = insert_for(session)
    # RETURNING rather than rowcount: psycopg reports -1 for INSERT … ON CONFLICT here.
    result = session.execute(insert(model).values(**values).on_conflict_do_nothing().returning(model.id))
    return result.first() is not None


def insert_ignore_key(session: Session, model, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING for a table whose key is not an `id` column."""
    insert = insert_for(session)
    key = next(iter(model.__table__.primary_key.columns))
    return session.execute(insert(model).values(**values).on_conflict_do_nothing().returning(key)).first() is not None


QuestionIds = dict[str, dict[int, str]]  # {role slug: {question number: question id}}


def alembic_config(url: str, question_ids: QuestionIds | None = None, content_dir: Path | None = None):
    from alembic.config import Config

    # Not pyproject.toml's [tool.alembic], which serves Alembic's command line in a checkout: an
    # installed bot has no pyproject.toml, and carries its migrations inside the package.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["database_url"] = url
    # A data migration matches old rows' question numbers to ids: against these ids when given
    # (tests), otherwise against the role documents in this folder (the bot's CONTENT_DIR).
    if question_ids is not None:
        config.attributes["question_ids"] = question_ids
    if content_dir is not None:
        config.attributes["content_dir"] = content_dir
    return config


def upgrade(
    engine: Engine, url: str, revision: str = "head", question_ids: QuestionIds | None = None, content_dir: Path | None = None
) -> None:
    """Bring the schema to `revision`. On PostgreSQL an advisory lock keeps replicas that start
    together from racing each other."""
    from alembic import command

    _migrate(engine, url, lambda config: command.upgrade(config, revision), question_ids, content_dir)


def schema_revision(engine: Engine) -> str | None:
    """The schema's Alembic revision, or None for a database that has none yet."""
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def downgrade(engine: Engine, url: str, revision: str, question_ids: QuestionIds | None = None, content_dir: Path | None = None) -> None:
    from alembic import command

    _migrate(engine, url, lambda config: command.downgrade(config, revision), question_ids, content_dir)


def _migrate(engine: Engine, url: str, run, question_ids: QuestionIds | None = None, content_dir: Path | None = None) -> None:
    config = alembic_config(url, question_ids, content_dir)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # SQLite alters a table by copying it and dropping the old one; with foreign keys on,
            # that drop would cascade to the replies. The pragma only takes effect outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(727274)"))
                config.attributes["connection"] = connection
                run(config)
        finally:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (its cursor's rowcount)."""
    return cast(CursorResult[Any], result).rowcount
