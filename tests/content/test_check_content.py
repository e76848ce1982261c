"""`python -m bot check-content DIR` prints a per-file report and fails on any error."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import CONTENT_DIR, ROOT, SEED


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "check-content", *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_shipped_content_passes():
    result = run(str(CONTENT_DIR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ciso_project_position — 20 questions (20 with answer points), 3 career paths" in result.stdout
    assert "8 role(s) loaded, 0 error(s)" in result.stdout


def test_a_broken_file_fails_the_check_and_is_named(tmp_path):
    (tmp_path / "ciso.md").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "broken.md").write_text("---\ntitle: x\nslug: [\n---\n", encoding="utf-8")
    result = run(str(tmp_path))
    assert result.returncode == 1
    assert f"FAIL  {tmp_path / 'broken.md'}" in result.stdout
    assert "YAML front matter is broken" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert "1 role(s) loaded, 1 error(s)" in result.stdout
