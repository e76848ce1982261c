"""Alembic owns the schema: `alembic upgrade head` from the repository root, and the bot's own
upgrade on start, produce the models' schema on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import inspect

from bot.domain.workspace import SINGLE_WORKSPACE
from bot.store.db import make_engine, upgrade
from bot.store.models import Base
from bot.testing import ROOT


def test_alembic_cli_from_the_repo_root_creates_every_table(empty_db_url):
    env = {**os.environ, "DATABASE_URL": empty_db_url}
    alembic = os.path.join(os.path.dirname(sys.executable), "alembic")
    result = subprocess.run([alembic, "upgrade", "head"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    engine = make_engine(empty_db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables and "alembic_version" in tables
        upgrade(engine, empty_db_url)  # the bot's start-up upgrade on an up-to-date database is a no-op
    finally:
        engine.dispose()


def test_migrate_command_and_schema_matches_models(empty_db_url):
    env = {**os.environ, "DATABASE_URL": empty_db_url}
    result = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []  # the migration and the models describe the same schema
    finally:
        engine.dispose()


def test_upgrade_from_string_columns_keeps_every_setting_and_downgrade_restores_them(empty_db_url):
    """A database at 0002 (schedules stored as strings) is upgraded to typed columns with nothing
    lost, and stepping back restores the strings: schedules, drills and replies survive both ways."""
    from datetime import time

    from sqlalchemy import text

    from bot.store.db import downgrade

    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, empty_db_url, "0002")
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO schedules (channel_id, role, post_time, timezone, days, reveal, skip_dates, paused, effective_from, deck, deck_position, updated_by, updated_at)"
                    " VALUES ('C1', 'cto', '09:00', 'UTC', 'daily', '+1h', '', false, '2026-11-25 00:00:00', 'cto#3,cto#1', 1, 'U1', '2026-11-25 00:00:00'),"
                    " ('C2', 'all', '07:30', 'Asia/Tokyo', 'mon,wed,fri', '18:00', '2026-12-24,2026-12-31', true, '2026-11-25 00:00:00', '', 0, 'U1', '2026-11-25 00:00:00')"
                )
            )
            c.execute(
                text(
                    "INSERT INTO drills (channel_id, occurrence, status, role_slug, question_number, question_total, "
                    "post_at, reveal_at, timezone, message_ts, attempts, created_at, reveal_attempts, revealed_at)"
                    " VALUES ('C1', '2026-11-25', 'revealed', 'cto', 3, 20, '2026-11-25 09:00:00', '2026-11-25 10:00:00', 'UTC', '1.2', 1, '2026-11-25 09:00:00', 1, '2026-11-25 10:00:00')"
                )
            )
            drill_id = c.execute(text("SELECT id FROM drills")).scalar_one()
            c.execute(
                text(
                    f"INSERT INTO replies (drill_id, message_ts, user_id, replied_at, late, deleted) VALUES ({drill_id}, '1.3', 'U2', '2026-11-25 09:05:00', false, false)"
                )
            )

        upgrade(engine, empty_db_url)
        from bot.store import schedules
        from bot.store.db import session_factory
        from bot.store.models import ScheduleRow

        with session_factory(engine)() as session:
            first, second = (schedules.to_schedule(r) for r in session.query(ScheduleRow).order_by(ScheduleRow.channel_id))
            deck = schedules.deck_of(session.query(ScheduleRow).filter_by(channel_id="C1").one())
        assert (first.post_time, first.days, first.reveal.offset.total_seconds(), first.skip_dates) == (
            time(9, 0),
            frozenset(range(7)),
            3600,
            frozenset(),
        )
        assert (second.post_time, sorted(second.days), second.reveal.at, second.paused) == (time(7, 30), [0, 2, 4], time(18, 0), True)
        assert sorted(d.isoformat() for d in second.skip_dates) == ["2026-12-24", "2026-12-31"]
        # Questions are now known by their stable ids, matched from the numbers against the content.
        from bot.content.loader import load_directory

        cto = next(r for r in load_directory(ROOT / "content").roles if r.slug == "cto")
        q1, q3 = cto.question(1).id, cto.question(3).id
        assert (deck.cards, deck.position) == ((f"cto#{q3}", f"cto#{q1}"), 1)
        with engine.connect() as c:
            # A drill revealed before the upgrade does not get its question edited again.
            assert c.execute(text("SELECT status, message_ts, marked_at IS NOT NULL FROM drills")).one() == ("revealed", "1.2", True)
            assert c.execute(text("SELECT question_number, question_id FROM drills")).one() == (3, q3)
            assert c.execute(text("SELECT question_order FROM schedules ORDER BY channel_id")).scalars().all() == ["rotation", "rotation"]
            assert c.execute(text("SELECT user_id, message_ts FROM replies")).one() == ("U2", "1.3")

        downgrade(engine, empty_db_url, "0002")
        with engine.connect() as c:
            rows = c.execute(
                text("SELECT channel_id, post_time, days, reveal, skip_dates, deck, deck_position FROM schedules ORDER BY channel_id")
            ).all()
            assert [tuple(r) for r in rows] == [
                ("C1", "09:00", "daily", "+1h", "", "cto#3,cto#1", 1),
                ("C2", "07:30", "mon,wed,fri", "18:00", "2026-12-24,2026-12-31", "", 0),
            ]
            assert c.execute(text("SELECT user_id FROM replies")).scalar_one() == "U2"
        upgrade(engine, empty_db_url)
    finally:
        engine.dispose()


def test_question_ids_migration_matches_old_rows_and_steps_back_and_forth(empty_db_url):
    """0003 → 0004 gives existing drills and decks their questions' stable ids (by number, against
    the content as it stands); a number the content no longer has keeps its row with no id, and its
    deck card is dropped. Downgrading restores the numbers, and upgrading again gives the ids back,
    with the drills, replies and schedules intact throughout."""
    from sqlalchemy import text

    from bot.store.db import downgrade

    ids = {"cto": {1: "aaaaaaaaaa", 3: "cccccccccc"}}
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, empty_db_url, "0003")
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO schedules (channel_id, role, post_time, timezone, days, reveal_time, reveal_offset_minutes, "
                    "skip_dates, paused, all_questions, effective_from, deck, deck_position, updated_by, updated_at)"
                    " VALUES ('C1', 'cto', '09:00:00', 'UTC', '[0,1,2,3,4,5,6]', NULL, 60, '[]', false, false, "
                    "'2026-11-25 00:00:00', '[\"cto#3\", \"cto#7\", \"cto#1\"]', 2, 'U1', '2026-11-25 00:00:00')"
                )
            )
            for number, occurrence in ((3, "2026-11-24"), (7, "2026-11-25")):
                c.execute(
                    text(
                        "INSERT INTO drills (channel_id, occurrence, status, role_slug, question_number, question_total, "
                        "post_at, reveal_at, timezone, message_ts, attempts, created_at, reveal_attempts, backfill_due)"
                        f" VALUES ('C1', '{occurrence}', 'posted', 'cto', {number}, 20, '2026-11-25 09:00:00', '2026-11-25 10:00:00', 'UTC', '1.{number}', 1, '2026-11-25 09:00:00', 0, false)"
                    )
                )
            first = c.execute(text("SELECT id FROM drills WHERE question_number = 3")).scalar_one()
            c.execute(
                text(
                    f"INSERT INTO replies (drill_id, message_ts, user_id, replied_at, late, deleted) VALUES ({first}, '1.9', 'U2', '2026-11-25 09:05:00', false, false)"
                )
            )

        def check_upgraded() -> None:
            with engine.connect() as c:
                drills = c.execute(text("SELECT question_number, question_id FROM drills ORDER BY question_number")).all()
                assert [tuple(d) for d in drills] == [(3, "cccccccccc"), (7, None)]
                schedule = c.execute(text("SELECT deck, deck_position, question_order FROM schedules")).one()
                deck = schedule[0] if isinstance(schedule[0], list) else json.loads(schedule[0])
                # cto#7 is gone from the content: dropped, and the position still points past cto#3.
                assert (deck, schedule[1], schedule[2]) == (["cto#cccccccccc", "cto#aaaaaaaaaa"], 1, "rotation")

        upgrade(engine, empty_db_url, question_ids=ids)
        check_upgraded()
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO reviews (user_id, role_slug, question_id, local_day, rating, at, drill_id)"
                    f" VALUES ('U2', 'cto', 'cccccccccc', '2026-11-25', 3, '2026-11-25 10:05:00', {first})"
                )
            )
        downgrade(engine, empty_db_url, "0003", question_ids=ids)
        with engine.connect() as c:
            deck = c.execute(text("SELECT deck FROM schedules")).scalar_one()
            assert (deck if isinstance(deck, list) else json.loads(deck)) == ["cto#3", "cto#1"]
            assert c.execute(text("SELECT count(*) FROM drills")).scalar_one() == 2
            assert c.execute(text("SELECT user_id FROM replies")).scalar_one() == "U2"
        upgrade(engine, empty_db_url, question_ids=ids)
        with engine.connect() as c:
            drills = c.execute(text("SELECT question_number, question_id FROM drills ORDER BY question_number")).all()
            assert [tuple(d) for d in drills] == [(3, "cccccccccc"), (7, None)]
            assert c.execute(text("SELECT count(*) FROM reviews")).scalar_one() == 0  # a downgrade drops what 0004 added
    finally:
        engine.dispose()


def test_question_ids_migration_refuses_to_run_without_the_content(empty_db_url, monkeypatch):
    """Run from elsewhere (CONTENT_DIR not found), 0004 would strip every drill of its question: it
    stops with a sentence saying what to do, and the database stays at 0003."""
    import pytest
    from sqlalchemy import text

    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, empty_db_url, "0003")
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO drills (channel_id, occurrence, status, role_slug, question_number, question_total, post_at, reveal_at, timezone, attempts, created_at, reveal_attempts, backfill_due)"
                    " VALUES ('C1', '2026-11-24', 'revealed', 'cto', 3, 20, '2026-11-24 09:00:00', '2026-11-24 10:00:00', 'UTC', 1, '2026-11-24 09:00:00', 1, false)"
                )
            )
        monkeypatch.setenv("CONTENT_DIR", "/nonexistent/content")
        with pytest.raises(RuntimeError, match="set CONTENT_DIR"):
            upgrade(engine, empty_db_url)
        with engine.connect() as c:
            assert c.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0003"
            assert c.execute(text("SELECT question_number FROM drills")).scalar_one() == 3
    finally:
        engine.dispose()


def test_reminder_digest_migration_keeps_schedules_and_history_both_ways(empty_db_url):
    """0005 → 0006 adds `remind=`/`digest=` (off for existing schedules), where each change was made
    (existing history came from the text command), the reminders and digests posted, and App Home
    openers. A schedule with its history survives the upgrade, a step back and a second upgrade."""
    from sqlalchemy import text

    from bot.store import schedule_changes, schedules
    from bot.store.db import downgrade, session_factory

    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, empty_db_url, "0005")
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO schedules (channel_id, role, post_time, timezone, days, reveal_time, reveal_offset_minutes, skip_dates, "
                    "paused, all_questions, question_order, feedback, effective_from, deck, deck_position, updated_by, updated_at)"
                    " VALUES ('C1', 'cto', '09:00:00', 'Asia/Tokyo', '[0,2,4]', NULL, 60, '[]', false, false, 'adaptive', true, '2026-11-25 00:00:00', '[]', 0, 'U1', '2026-11-25 00:00:00')"
                )
            )
            c.execute(
                text(
                    "INSERT INTO schedule_changes (channel_id, user_id, at, action, before, after) VALUES ('C1', 'U1', '2026-11-25 00:00:00', 'set', '', '')"
                )
            )

        def check() -> None:
            with session_factory(engine)() as session:
                schedule = schedules.to_schedule(schedules.get_schedule_row(session, "C1"))
                assert (schedule.role, schedule.days, schedule.remind, schedule.digest) == ("cto", frozenset({0, 2, 4}), None, None)
                assert [row.source for row in schedule_changes.recent_changes(session, "C1", team_id=SINGLE_WORKSPACE)] == ["command"]

        upgrade(engine, empty_db_url)
        check()
        with engine.begin() as c:
            c.execute(text("UPDATE schedules SET remind_before_minutes = 60, digest_day = 4, digest_time = '18:00:00'"))
            c.execute(text("INSERT INTO home_tabs (user_id, opened_at) VALUES ('U2', '2026-11-25 00:00:00')"))
        downgrade(engine, empty_db_url, "0005")
        with engine.connect() as c:
            assert c.execute(text("SELECT role, updated_by FROM schedules")).one() == ("cto", "U1")
            assert c.execute(text("SELECT count(*) FROM schedule_changes")).scalar_one() == 1
        upgrade(engine, empty_db_url)
        check()
    finally:
        engine.dispose()


def test_workspace_migration_gives_every_row_the_single_workspace_and_steps_back_and_forth(empty_db_url):
    """0007 → 0008: every schedule, change, drill, reply, card, review, member setting, feedback
    notice, reminder and App Home opener survives with the single-workspace marker, members become
    unique per workspace, and a step back and a second upgrade lose nothing."""
    import pytest
    from sqlalchemy import text

    from bot.domain.workspace import SINGLE_WORKSPACE
    from bot.store.db import downgrade

    tables = (
        "schedules",
        "schedule_changes",
        "drills",
        "replies",
        "cards",
        "reviews",
        "member_settings",
        "feedback_notices",
        "channel_posts",
        "home_tabs",
    )
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, empty_db_url, "0007")
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO schedules (channel_id, role, post_time, timezone, days, reveal_time, reveal_offset_minutes, skip_dates, paused, "
                    "all_questions, question_order, feedback, remind_before_minutes, effective_from, deck, deck_position, updated_by, updated_at)"
                    " VALUES ('C1', 'cto', '09:00:00', 'Asia/Tokyo', '[0,2,4]', NULL, 60, '[]', false, false, 'adaptive', true, 30, '2026-11-25 00:00:00', '[]', 0, 'U1', '2026-11-25 00:00:00')"
                )
            )
            c.execute(
                text(
                    "INSERT INTO schedule_changes (channel_id, user_id, at, action, before, after, source) VALUES ('C1', 'U1', '2026-11-25 00:00:00', 'set', '', '', 'modal')"
                )
            )
            c.execute(
                text(
                    "INSERT INTO drills (channel_id, occurrence, status, role_slug, question_number, question_id, question_total, "
                    "post_at, reveal_at, timezone, message_ts, attempts, created_at, reveal_attempts, backfill_due, feedback)"
                    " VALUES ('C1', '2026-11-25@Asia/Tokyo', 'posted', 'cto', 3, 'cccccccccc', 20, '2026-11-25 "
                    "00:00:00', '2026-11-25 01:00:00', 'Asia/Tokyo', '1.1', 1, '2026-11-25 00:00:00', 0, false, true)"
                )
            )
            drill = c.execute(text("SELECT id FROM drills")).scalar_one()
            c.execute(
                text(
                    f"INSERT INTO replies (drill_id, message_ts, user_id, replied_at, late, deleted, verdicts) VALUES ({drill}, '1.2', 'U2', '2026-11-25 00:05:00', false, false, 'cp')"
                )
            )
            c.execute(
                text(
                    "INSERT INTO cards (user_id, role_slug, question_id, stability, difficulty, due, last_review, "
                    "reviews) VALUES ('U2', 'cto', 'cccccccccc', 3.5, 5.0, '2026-11-28 00:00:00', '2026-11-25 01:05:00', 1)"
                )
            )
            c.execute(
                text(
                    f"INSERT INTO reviews (user_id, role_slug, question_id, local_day, rating, at, drill_id) VALUES ('U2', 'cto', 'cccccccccc', '2026-11-25', 3, '2026-11-25 01:05:00', {drill})"
                )
            )
            c.execute(text("INSERT INTO member_settings (user_id, feedback, updated_at) VALUES ('U2', false, '2026-11-25 00:00:00')"))
            c.execute(text(f"INSERT INTO feedback_notices (drill_id, user_id, sent_at) VALUES ({drill}, 'U2', '2026-11-25 01:10:00')"))
            c.execute(
                text(
                    f"INSERT INTO channel_posts (channel_id, kind, key, drill_id, due_at, status, attempts, created_at) "
                    f"VALUES ('C1', 'reminder', '{drill}', {drill}, '2026-11-25 00:30:00', 'pending', 0, '2026-11-25 00:00:00')"
                )
            )
            c.execute(
                text("INSERT INTO home_tabs (user_id, opened_at, published_at) VALUES ('U2', '2026-11-25 00:00:00', '2026-11-25 00:00:01')")
            )

        def check_kept() -> None:
            with engine.connect() as c:
                assert c.execute(text("SELECT channel_id, role, remind_before_minutes, updated_by FROM schedules")).one() == (
                    "C1",
                    "cto",
                    30,
                    "U1",
                )
                assert c.execute(text("SELECT source FROM schedule_changes")).scalar_one() == "modal"
                assert c.execute(text("SELECT status, message_ts, question_id FROM drills")).one() == ("posted", "1.1", "cccccccccc")
                assert c.execute(text("SELECT user_id, verdicts FROM replies")).one() == ("U2", "cp")
                assert c.execute(text("SELECT user_id, stability, reviews FROM cards")).one() == ("U2", 3.5, 1)
                assert c.execute(text("SELECT user_id, rating, drill_id FROM reviews")).one() == ("U2", 3, drill)
                assert tuple(c.execute(text("SELECT user_id, feedback FROM member_settings")).one()) in {("U2", False), ("U2", 0)}
                assert c.execute(text("SELECT user_id, sent_at IS NOT NULL FROM feedback_notices")).one() in {("U2", True), ("U2", 1)}
                assert c.execute(text("SELECT kind, status, drill_id FROM channel_posts")).one() == ("reminder", "pending", drill)
                assert c.execute(text("SELECT user_id FROM home_tabs")).scalar_one() == "U2"

        upgrade(engine, empty_db_url, "0008")
        check_kept()
        with engine.connect() as c:
            for table in tables:
                assert c.execute(text(f"SELECT DISTINCT team_id FROM {table}")).scalars().all() == [SINGLE_WORKSPACE], table
            assert c.execute(text("SELECT enterprise_id FROM schedules")).scalar_one() is None
        with engine.begin() as c:
            # The same member id in another workspace is another member.
            c.execute(
                text(
                    "INSERT INTO member_settings (team_id, user_id, feedback, updated_at) VALUES ('T2', 'U2', true, '2026-11-25 00:00:00')"
                )
            )
            c.execute(text("INSERT INTO home_tabs (team_id, user_id, opened_at) VALUES ('T2', 'U2', '2026-11-25 00:00:00')"))
            c.execute(
                text("INSERT INTO cards (team_id, user_id, role_slug, question_id, reviews) VALUES ('T2', 'U2', 'cto', 'cccccccccc', 0)")
            )
            c.execute(
                text(
                    "INSERT INTO reviews (team_id, user_id, role_slug, question_id, local_day, rating, at) VALUES ('T2', 'U2', 'cto', 'cccccccccc', '2026-11-25', 1, '2026-11-25 01:05:00')"
                )
            )
            c.execute(text("INSERT INTO workspaces (team_id, installed_at) VALUES ('T2', '2026-11-25 00:00:00')"))

        # Two workspaces' members cannot fit the old keys: the step back refuses, and changes nothing.
        with pytest.raises(RuntimeError, match="2 Slack workspaces"):
            downgrade(engine, empty_db_url, "0007")
        with engine.connect() as c:
            assert c.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0008"
            assert c.execute(text("SELECT count(*) FROM member_settings")).scalar_one() == 2
        with engine.begin() as c:
            for table in ("member_settings", "home_tabs", "cards", "reviews"):
                c.execute(text(f"DELETE FROM {table} WHERE team_id = 'T2'"))

        downgrade(engine, empty_db_url, "0007")
        check_kept()
        with engine.connect() as c:
            assert "team_id" not in {col["name"] for col in inspect(c).get_columns("cards")}
        upgrade(engine, empty_db_url)
        check_kept()
        with engine.connect() as c:
            assert c.execute(text("SELECT DISTINCT team_id FROM home_tabs")).scalars().all() == [SINGLE_WORKSPACE]
            assert c.execute(text("SELECT count(*) FROM workspaces")).scalar_one() == 0  # a downgrade drops what 0008 added
    finally:
        engine.dispose()


def test_trust_migration_adds_replay_guard_and_pause_reason_and_steps_back_without_loss(empty_db_url):
    """0008 → 0009: a schedule survives with no pause reason, seen requests are unique by
    signature, and a step back and a second upgrade keep the schedule."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from bot.store.db import downgrade

    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, empty_db_url, "0008")
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO schedules (channel_id, team_id, role, post_time, timezone, days, skip_dates, paused, "
                    "all_questions, question_order, feedback, effective_from, deck, deck_position, updated_by, updated_at) "
                    "VALUES ('C1', 'T1', 'cto', '09:00:00', 'Asia/Tokyo', '[0,1,2,3,4]', '[]', false, false, 'rotation', true, '2026-11-25 00:00:00', '[]', 0, 'U1', '2026-11-25 00:00:00')"
                )
            )
        upgrade(engine, empty_db_url)
        with engine.connect() as c:
            assert c.execute(text("SELECT channel_id, paused_reason, paused_notified_at FROM schedules")).one() == ("C1", None, None)
        with engine.begin() as c:
            c.execute(text("INSERT INTO seen_requests (signature, request_ts, seen_at) VALUES ('v0=ab', 1, '2026-12-06 00:00:00')"))
        with pytest.raises(IntegrityError), engine.begin() as c:
            c.execute(text("INSERT INTO seen_requests (signature, request_ts, seen_at) VALUES ('v0=ab', 1, '2026-12-06 00:00:01')"))
        downgrade(engine, empty_db_url, "0008")
        with engine.connect() as c:
            assert "paused_reason" not in {col["name"] for col in inspect(c).get_columns("schedules")}
            assert c.execute(text("SELECT channel_id, role FROM schedules")).one() == ("C1", "cto")
        upgrade(engine, empty_db_url)
        with engine.connect() as c:
            assert c.execute(text("SELECT channel_id, paused_reason FROM schedules")).one() == ("C1", None)
    finally:
        engine.dispose()


def test_levels_migration_gives_existing_schedules_every_level_and_no_common_questions(empty_db_url):
    """0009 → 0010: an existing schedule asks every level and never a common question, and a step
    back and a second upgrade keep it."""
    from sqlalchemy import text

    from bot.domain.schedule import Schedule
    from bot.store.db import downgrade, session_factory
    from bot.store.schedules import get_schedule

    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, empty_db_url, "0009")
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO schedules (channel_id, team_id, role, post_time, timezone, days, skip_dates, paused, "
                    "all_questions, question_order, feedback, effective_from, deck, deck_position, updated_by, updated_at) "
                    "VALUES ('C1', 'T1', 'cto', '09:00:00', 'Asia/Tokyo', '[0,1,2,3,4]', '[]', false, false, 'rotation', true, '2026-11-25 00:00:00', '[]', 0, 'U1', '2026-11-25 00:00:00')"
                )
            )
        upgrade(engine, empty_db_url)
        with session_factory(engine)() as session:
            stored = get_schedule(session, "C1")
        assert isinstance(stored.schedule, Schedule) and stored.schedule.levels == frozenset() and stored.schedule.common_every == 0
        downgrade(engine, empty_db_url, "0009")
        with engine.connect() as c:
            assert "levels" not in {col["name"] for col in inspect(c).get_columns("schedules")}
            assert c.execute(text("SELECT channel_id, role FROM schedules")).one() == ("C1", "cto")
        upgrade(engine, empty_db_url)
        with engine.connect() as c:
            assert c.execute(text("SELECT channel_id, common_every FROM schedules")).one() == ("C1", 0)
    finally:
        engine.dispose()


def test_mock_interview_migration_adds_its_table_and_a_step_back_removes_it(empty_db_url):
    """0010 → 0011: the mock interview sessions' table appears (with one running session per
    member), and a step back removes it and leaves the rest as it was."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from bot.store.db import downgrade

    engine = make_engine(empty_db_url)
    row = (
        "INSERT INTO mock_sessions (team_id, user_id, active_user, channel_id, role_slug, levels, phase, position, turns, seen_ts, started_at, touched_at, version) "
        "VALUES ('T1', 'U1', 'U1', 'D1', 'cto', '', 'asked', 0, '[]', '[]', '2026-12-07 00:00:00', '2026-12-07 00:00:00', 0)"
    )
    try:
        upgrade(engine, empty_db_url, "0010")
        assert "mock_sessions" not in inspect(engine).get_table_names()
        upgrade(engine, empty_db_url, "0011")
        with engine.begin() as c:
            c.execute(text(row))
        with pytest.raises(IntegrityError):
            with engine.begin() as c:
                c.execute(text(row))  # the same member's second running session
        downgrade(engine, empty_db_url, "0010")
        assert "mock_sessions" not in inspect(engine).get_table_names()
        assert "schedules" in inspect(engine).get_table_names()
        upgrade(engine, empty_db_url)
        with engine.connect() as c:
            assert c.execute(text("SELECT COUNT(*) FROM mock_sessions")).scalar_one() == 0
    finally:
        engine.dispose()


def test_team_questions_migration_keeps_the_rest_and_a_step_back_removes_only_its_tables(empty_db_url):
    """0011 → 0012 with data on both sides: a running mock session survives the upgrade, the
    group's questions and pending imports are stored (one t- id per workspace), and a step back
    removes only those two tables."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from bot.store.db import downgrade

    engine = make_engine(empty_db_url)
    session_row = (
        "INSERT INTO mock_sessions (team_id, user_id, active_user, channel_id, role_slug, levels, phase, position, turns, seen_ts, started_at, touched_at, version) "
        "VALUES ('T1', 'U1', 'U1', 'D1', 'cto', '', 'asked', 0, '[]', '[]', '2026-12-07 00:00:00', '2026-12-07 00:00:00', 0)"
    )
    question = (
        "INSERT INTO team_questions (team_id, question_id, status, target, text, points, follow_up, model_answer, weak_answer, level, kind,"
        " proposed_by, proposed_at, reason, updated_at, version) VALUES ('{team}', 't-0123abcd', 'approved', 'cto', '質問です。答えてください。',"
        " '[\"要点\"]', '', '', '', '中級', '経験', 'U1', '2026-12-08 00:00:00', '', '2026-12-08 00:00:00', 1)"
    )
    try:
        upgrade(engine, empty_db_url, "0011")
        with engine.begin() as c:
            c.execute(text(session_row))
        upgrade(engine, empty_db_url, "0012")
        with engine.begin() as c:
            c.execute(text(question.format(team="T1")))
            c.execute(text(question.format(team="T2")))  # the same id in another workspace is another question
            c.execute(
                text(
                    "INSERT INTO question_imports (team_id, user_id, text, created_at) VALUES ('T1', 'U1', '## 質問', '2026-12-08 00:00:00')"
                )
            )
        with pytest.raises(IntegrityError):
            with engine.begin() as c:
                c.execute(text(question.format(team="T1")))
        with engine.connect() as c:
            assert c.execute(text("SELECT COUNT(*) FROM mock_sessions")).scalar_one() == 1
            assert c.execute(text("SELECT COUNT(*) FROM team_questions")).scalar_one() == 2
        downgrade(engine, empty_db_url, "0011")
        tables = inspect(engine).get_table_names()
        assert "team_questions" not in tables and "question_imports" not in tables
        with engine.connect() as c:
            assert c.execute(text("SELECT COUNT(*) FROM mock_sessions")).scalar_one() == 1
        upgrade(engine, empty_db_url)
        with engine.connect() as c:
            assert c.execute(text("SELECT COUNT(*) FROM team_questions")).scalar_one() == 0
    finally:
        engine.dispose()
