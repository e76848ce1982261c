"""The README is a newcomer's page: at most 250 lines, every page it points to exists (and every
docs/ page is pointed to), its test command is the one CI runs, and its console transcript is what
the console prints."""

from __future__ import annotations

import io
import random
import re
import shlex
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.testing import ROOT

README = ROOT / "README.md"
MAX_LINES = 250
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_anchor(line.lstrip("#")) for line in _text(path).splitlines() if line.startswith("#") and " " in line}


def _relative_links(path: Path) -> list[str]:
    return [target for target in LINK.findall(_text(path)) if not re.match(r"[a-z]+:", target)]


def test_the_readme_is_at_most_250_lines():
    assert len(_text(README).splitlines()) <= MAX_LINES


@pytest.mark.parametrize("page", [README, *sorted((ROOT / "docs").glob("*.md"))], ids=lambda p: p.name)
def test_every_relative_link_points_to_a_file_and_heading_that_exist(page):
    broken = []
    for target in _relative_links(page):
        file, _, anchor = target.partition("#")
        resolved = (page.parent / file).resolve() if file else page
        if not resolved.exists():
            broken.append(target)
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(target)
    assert broken == []


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in _relative_links(README)}
    pages = {page.resolve() for page in (ROOT / "docs").glob("*.md")}
    assert sorted(p.name for p in pages - linked) == []


def test_the_readmes_test_command_is_the_one_ci_runs():
    ci = _text(ROOT / ".ci" / "run").splitlines()
    ci_command = ci[ci.index("# The test command, exactly as README.md gives it.") + 1]
    tests = _text(README).split("\n## Tests\n", 1)[1]
    readme_command = tests.split("```sh\n", 1)[1].split("\n```", 1)[0]
    assert readme_command == ci_command == ".venv/bin/python -m pytest"


def test_the_readmes_console_transcript_is_what_the_console_prints(tmp_path):
    """Each `career>` line is typed into the console; every other line shown (but `…`, which
    abridges) is printed by it, in that order."""
    from bot.config import load_settings
    from bot.console_app import build_console

    block = _text(README).split("<!-- console-transcript -->", 1)[1].split("```", 2)[1]
    lines = [line for line in block.splitlines() if line.strip()]
    out = io.StringIO()
    console = build_console(
        load_settings({"CONTENT_DIR": str(ROOT / "content")}),
        f"sqlite:///{tmp_path / 'c.sqlite3'}",
        out=out,
        start=datetime(2026, 11, 24, 23, 30, tzinfo=timezone.utc),
        rng=random.Random(1),
    )
    shown: list[str] = []
    for line in lines:
        if line.startswith("career> "):
            mark = len(out.getvalue())
            console.run([line.removeprefix("career> ")], interactive=False)
            shown += [printed.strip() for printed in out.getvalue()[mark:].splitlines()]
            continue
        if line == "…":
            continue
        assert line.strip() in shown, line
        shown = shown[shown.index(line.strip()) + 1 :]
    console.bot.engine.dispose()


def test_the_readmes_socket_mode_steps_need_only_two_variables():
    """The Socket Mode section sets two variables and names the manifest that needs no editing."""
    section = _text(README).split("\n## Run it in your Slack in minutes\n", 1)[1].split("\n## ", 1)[0]
    exports = [line for line in section.splitlines() if line.strip().startswith("export ")]
    assert [sorted(word.split("=")[0] for word in shlex.split(line)[1:]) for line in exports] == [["SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"]]
    assert "manifest.socket.yml" in section and "/invite @career-drill" in section
    assert "python -m bot socket" in section
    from bot.config import load_settings

    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    settings.require_socket()  # nothing else is needed: no signing secret, no request URL
    assert settings.socket_mode
