"""Migration 0004 numbers a role document's questions and computes their ids with rules of its own,
so it reads any content folder and a later change to the bot's loader cannot change what it does."""

from __future__ import annotations

import json

from sqlalchemy import text

from bot.store.db import make_engine, upgrade

DOCUMENT = """---
title: デモ職
slug: demo
---
# デモ職

## 面接でよくある質問

1. **なぜ** この仕事を 選びましたか？
   * *回答ポイント：動機、経験*
   * *キーワード：動機 | 経験*
3. 二つ目の質問です。
   * *ID：second_q*
"""


def test_old_drills_and_decks_get_the_ids_of_a_custom_content_folder(empty_db_url, tmp_path):
    """Numbers follow the list's own markers (1 and 3), an id is the hash of the normalised wording
    (emphasis and spaces do not count) unless an `ID：…` bullet gives one, and a number the
    document does not have keeps its row without an id."""
    folder = tmp_path / "my-roles"
    folder.mkdir()
    (folder / "demo.md").write_text(DOCUMENT, encoding="utf-8")
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, empty_db_url, "0003")
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO schedules (channel_id, role, post_time, timezone, days, reveal_time, reveal_offset_minutes, "
                    "skip_dates, paused, all_questions, effective_from, deck, deck_position, updated_by, updated_at)"
                    " VALUES ('C1', 'demo', '09:00:00', 'UTC', '[0,1,2,3,4,5,6]', NULL, 60, '[]', false, false, '2026-11-25 00:00:00', '[\"demo#3\", \"demo#1\"]', 1, 'U1', '2026-11-25 00:00:00')"
                )
            )
            for number, occurrence in ((1, "2026-11-23"), (2, "2026-11-24"), (3, "2026-11-25")):
                c.execute(
                    text(
                        "INSERT INTO drills (channel_id, occurrence, status, role_slug, question_number, question_total, "
                        "post_at, reveal_at, timezone, message_ts, attempts, created_at, reveal_attempts, backfill_due)"
                        f" VALUES ('C1', '{occurrence}', 'revealed', 'demo', {number}, 2, '2026-11-25 09:00:00', '2026-11-25 10:00:00', 'UTC', '1.{number}', 1, '2026-11-25 09:00:00', 1, false)"
                    )
                )
        upgrade(engine, empty_db_url, content_dir=folder)
        with engine.connect() as c:
            drills = c.execute(text("SELECT question_number, question_id FROM drills ORDER BY question_number")).all()
            deck = c.execute(text("SELECT deck FROM schedules")).scalar_one()
        assert [tuple(d) for d in drills] == [(1, "3f9564d49e"), (2, None), (3, "second_q")]
        assert (deck if isinstance(deck, list) else json.loads(deck)) == ["demo#second_q", "demo#3f9564d49e"]
    finally:
        engine.dispose()
