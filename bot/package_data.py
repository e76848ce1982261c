"""Where the files that ship beside the code are: Alembic's migrations and the default role documents.

A checkout (an editable install too) keeps them at the repository's top level, `migrations/` and
`content/`, where Alembic's own command line finds them as well; a wheel carries them inside this
package (setup.py maps them there), so an installed bot needs no checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(in_package: str, in_checkout: str) -> Path:
    packaged = _PACKAGE / in_package
    return packaged if packaged.is_dir() else _PACKAGE.parent / in_checkout


MIGRATIONS_DIR = _shipped("store/migrations", "migrations")
ROLE_DOCUMENTS_DIR = _shipped("content/roles", "content")
