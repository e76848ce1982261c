"""`python -m bot check-content DIR` prints a per-file report and fails on any error."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from bot.testing import CONTENT_DIR, ROOT, SEED


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "check-content", *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


def both(call, first: tuple, second: tuple):
    """Two runs side by side (each is a process of its own): their results, in order."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return tuple(pool.map(lambda args: call(*args), (first, second)))


def test_shipped_content_passes_strictly_with_every_question_complete():
    result = run("--strict", str(CONTENT_DIR))
    assert result.returncode == 0, result.stdout + result.stderr
    roles = len(list(CONTENT_DIR.glob("*.md")))
    assert roles >= 8
    assert result.stdout.count("— 20 questions (20 with answer points, 20 with follow-ups)") == roles
    assert f"{roles} role(s) loaded, 0 error(s), 0 warning(s)" in result.stdout
    # The reference's Q11 is not phrased as a question and stays as written: info, not a warning.
    assert "info: Q11「エンドポイント保護の対策と導入技術について」 does not read as a question" in result.stdout


def _copy_content(tmp_path):
    target = tmp_path / "content"
    target.mkdir()
    for path in CONTENT_DIR.glob("*.md"):
        (target / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def test_a_missing_answer_point_fails_strict_naming_file_line_and_question(tmp_path):
    content = _copy_content(tmp_path)
    cto = content / "cto.md"
    lines = cto.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "回答ポイント：" in line)
    question_line = max(i for i in range(index) if lines[i].lstrip()[:1].isdigit()) + 1
    del lines[index]
    cto.write_text("".join(lines), encoding="utf-8")
    plain, strict = both(run, (str(content),), ("--strict", str(content)))
    assert plain.returncode == 0  # a warning: the file still loads
    result = strict
    assert result.returncode == 1
    assert f"{cto}:{question_line}: warning: Q1「" in result.stdout and "has no answer points" in result.stdout


def test_text_that_no_view_shows_and_names_that_lead_nowhere_are_warnings(tmp_path):
    content = _copy_content(tmp_path)
    sre = content / "sre.md"
    text = sre.read_text(encoding="utf-8")
    text = text.replace("related_jobs:\n", "related_jobs:\n- no_such_role\n", 1)
    text = (
        text.replace("name: sre\n", "name: sre\naliases:\n- CTO\n", 1)
        if "aliases:" not in text
        else text.replace("aliases:\n", "aliases:\n- CTO\n", 1)
    )
    heading = next(line for line in text.splitlines() if line.startswith("## ") and "業務" in line)
    text = text.replace(heading, heading + "\n\nこの段落はどのビューにも表示されない迷子の説明文です。\n", 1)
    sre.write_text(text, encoding="utf-8")
    result = run("--strict", str(content))
    assert result.returncode == 1
    assert "related_jobs names 'no_such_role'" in result.stdout
    assert "the name 'CTO' also fits cto" in result.stdout
    assert "this text is not shown by any view: 「この段落はどのビューにも表示されない迷子の説明文です。」" in result.stdout


def test_a_broken_file_fails_the_check_and_is_named(tmp_path):
    (tmp_path / "ciso.md").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "broken.md").write_text("---\ntitle: x\nslug: [\n---\n", encoding="utf-8")
    result = run(str(tmp_path))
    assert result.returncode == 1
    assert f"FAIL  {tmp_path / 'broken.md'}" in result.stdout
    assert "YAML front matter is broken" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert "1 role(s) loaded, 1 error(s)" in result.stdout
