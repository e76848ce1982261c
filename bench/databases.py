"""Databases for the benchmarks, made the way the tests make theirs (bot/testing/db.py): a SQLite
file, or a throw-away schema in PostgreSQL when it is reachable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.testing.db import POSTGRES_URL, database_url, postgres_available


class Unavailable(Exception):
    """This database cannot be used here; the message says why."""


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database of `kind` ("sqlite" or "postgresql"), removed afterwards."""
    if kind == "postgresql":
        reason = postgres_available()
        if reason is not None:
            raise Unavailable(f"PostgreSQL at {POSTGRES_URL} is not reachable ({reason})")
    directory.mkdir(parents=True, exist_ok=True)
    with database_url(kind, directory) as url:
        yield url


def postgres_version() -> str | None:
    if postgres_available() is not None:
        return None
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()
    return str(version)


def count(url: str, sql: str) -> int:
    """One number from the bot's database, read by a connection of our own."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()
