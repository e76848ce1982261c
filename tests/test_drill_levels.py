"""A schedule's `level=` and `common=`: what a study group's channel is asked, drill after drill,
with both question orders."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.config import load_settings
from bot.domain.role import Level
from bot.store.models import DrillRow
from bot.testing import CONTENT_DIR
from bot.testing.db import sqlite_copy

UTC = timezone.utc


def _asked(tmp_path, commands: list[str], drills: int) -> list[tuple[str, Level | None]]:
    """(role slug, level) of each drill asked, in order, after `commands` and `drills` days."""
    from bot.console_app import build_console

    out = io.StringIO()
    settings = load_settings({"CONTENT_DIR": str(CONTENT_DIR), "DEFAULT_TIMEZONE": "UTC"})
    console = build_console(settings, sqlite_copy(tmp_path / "c.sqlite3"), out=out, start=datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    try:
        console.run(commands + [":next", ":next"] * drills, interactive=False)
        with console.bot.cycle.sessions() as session:
            rows = session.scalars(select(DrillRow).order_by(DrillRow.post_at, DrillRow.id)).all()
            asked = [(row.role_slug, row.question_id) for row in rows if row.role_slug]
        catalog = console.bot.catalog
        return [(slug, catalog.by_slug(slug).question_by_id(qid).level) for slug, qid in asked]
    finally:
        console.bot.engine.dispose()


@pytest.mark.parametrize("order", ["rotation", "adaptive"])
def test_a_junior_channel_is_asked_only_junior_questions(tmp_path, order):
    asked = _asked(tmp_path, [f"/career schedule set sre 09:00 reveal=+1h order={order} level=初級"], drills=8)
    assert len(asked) == 8
    assert {level for _, level in asked} == {Level.JUNIOR} and {slug for slug, _ in asked} == {"sre"}


@pytest.mark.parametrize("order", ["rotation", "adaptive"])
def test_common_3_makes_every_third_scheduled_drill_a_common_question_and_drill_now_is_not_counted(tmp_path, order):
    commands = [f"/career schedule set cto 09:00 reveal=+1h order={order} common=3 level=初級,中級", "/career drill now"]
    asked = _asked(tmp_path, commands, drills=9)
    # The first drill is `drill now` (a role question, not counted); then nine scheduled ones.
    assert asked[0][0] == "cto"
    scheduled = [slug for slug, _ in asked[1:]]
    assert len(scheduled) >= 9
    assert scheduled[:9] == ["cto", "cto", "common"] * 3
    assert {level for _, level in asked} <= {Level.JUNIOR, Level.MIDDLE}


def test_a_level_filter_that_leaves_too_few_questions_is_refused_and_changes_nothing(tmp_path):
    from bot.console_app import build_console

    content = tmp_path / "content"
    content.mkdir()
    text = (CONTENT_DIR / "sre.md").read_text(encoding="utf-8")
    # Only four 上級 questions left: too few to drill at that level.
    head, *rest = text.split("*レベル：上級*")
    text = head + "".join(("*レベル：上級*" if i < 4 else "*レベル：中級*") + part for i, part in enumerate(rest))
    (content / "sre.md").write_text(text, encoding="utf-8")
    out = io.StringIO()
    settings = load_settings({"CONTENT_DIR": str(content), "DEFAULT_TIMEZONE": "UTC"})
    console = build_console(settings, sqlite_copy(tmp_path / "c.sqlite3"), out=out, start=datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    try:
        console.run(["/career schedule set sre 09:00 level=上級"], interactive=False)
        refused = out.getvalue()
        assert "SREには上級の出題できる質問が4問しかないため、このレベルでは設定できません。" in refused
        mark = len(refused)
        console.run(["/career schedule show"], interactive=False)
        assert "職種:" not in out.getvalue()[mark:]  # nothing was set
        console.run(["/career schedule set sre 09:00 level=上級,中級"], interactive=False)
        assert "レベル: 中級・上級の質問だけ" in out.getvalue()
    finally:
        console.bot.engine.dispose()
