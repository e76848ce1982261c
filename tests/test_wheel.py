"""The bot as a package: a wheel installed into a fresh environment, with no checkout in sight,
migrates a new database and answers in the console from the migrations and role documents it
carries."""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from bot.testing import ROOT

# What a build of the checkout would otherwise pick up: local environments, earlier builds, databases.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "data", "*.sqlite3"
)


def _run(command: list, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command[0]} … exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def _schema_head() -> str:
    from alembic.script import ScriptDirectory

    from bot.store.db import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@pytest.mark.slow
def test_a_wheel_installed_elsewhere_migrates_a_new_database_and_answers_career_ciso(tmp_path):
    outside = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "CONTENT_DIR", "DATABASE_URL")}

    # Built from a copy, so the build neither writes into the checkout nor packs a stale build/ of it;
    # the copy is gone before the bot runs.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", tmp_path / "wheels", source], tmp_path, outside)
    shutil.rmtree(source)
    [wheel] = (tmp_path / "wheels").glob("*.whl")

    env_dir = tmp_path / "env"
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", env_dir], tmp_path, outside)
    python = env_dir / "bin" / "python"
    packages = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path, outside).stdout.strip())
    # Offline: the dependencies are the ones already installed here. Tests usually run in a venv,
    # whose packages --system-site-packages does not reach, so its folders are named too. A folder
    # named in a .pth comes after the environment's own, and its .pth files (an editable install's
    # finder among them) are not run.
    (packages / "installed_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel], tmp_path, outside)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert ROOT not in elsewhere.resolve().parents
    database = elsewhere / "db" / "bot.sqlite3"
    user = {
        "PATH": outside.get("PATH", ""),
        "HOME": str(elsewhere),
        "TMPDIR": str(elsewhere),
        "LANG": "C.UTF-8",
        "DATABASE_URL": f"sqlite:///{database}",
    }

    where = _run(
        [python, "-c", "import bot, bot.package_data as p; print(bot.__file__, p.MIGRATIONS_DIR, p.ROLE_DOCUMENTS_DIR, sep='\\n')"],
        elsewhere,
        user,
    ).stdout.split()
    for path in where:
        assert Path(path).exists() and Path(path).resolve().is_relative_to(env_dir.resolve()), f"{path} is not the installed package's"

    migrated = _run([env_dir / "bin" / "career-bot", "migrate"], elsewhere, user)
    assert f"created the database schema at revision {_schema_head()}" in migrated.stderr
    assert database.is_file()

    answered = _run([env_dir / "bin" / "career-bot", "console", "/career ciso"], elsewhere, user, timeout=120)
    assert "CISO（Chief Information Security Officer, 最高情報セキュリティ責任者）のプロジェクトポジション" in answered.stdout
    assert "セキュリティエンジニア → セキュリティマネージャー → CISO" in answered.stdout
    assert re.search(r"Traceback|ERROR", answered.stderr) is None, answered.stderr
