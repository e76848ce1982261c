"""Packaging beyond what pyproject.toml can say: the wheel carries the top-level `migrations/`
(Alembic's, used by `alembic upgrade head` in a checkout) and `content/` (the default role
documents) inside the `bot` package, so an installed bot migrates and answers without a checkout.

pyproject.toml can map a folder to a package name, but its package discovery cannot add a mapped
package to the ones it finds; listing every package by hand instead would silently leave out the
next one added. bot/package_data.py is where the code finds both folders, installed or not."""

from setuptools import find_packages, setup

PACKAGE_DATA_DIRS = {
    "bot.store.migrations": "migrations",
    "bot.store.migrations.versions": "migrations/versions",
    "bot.content.roles": "content",
}

setup(
    # bot.testing, the test kit, drives a checkout (its content/, its Procfile): not shipped.
    packages=[*find_packages(include=["bot", "bot.*"], exclude=["bot.testing"]), *PACKAGE_DATA_DIRS],
    package_dir=PACKAGE_DATA_DIRS,
    package_data={"bot.store.migrations": ["script.py.mako"], "bot.content.roles": ["*.md"]},
)
