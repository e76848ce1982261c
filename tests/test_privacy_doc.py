"""docs/PRIVACY.md lists every field the bot keeps: each column of each of the bot's own tables is
named in that table's row (slack_sdk's installation tables are described there in words, with
WORKSPACES.md)."""

from __future__ import annotations

import re

from bot.store.models import Base
from bot.testing import ROOT

PRIVACY = ROOT / "docs" / "PRIVACY.md"
ROW = re.compile(r"^\| ((?:`[a-z_]+`(?:, )?)+) \| [^|]+ \| (.*) \|$")
# Every row has these; the page says so above its table.
EVERY_ROW = {"id", "team_id"}


def _rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in PRIVACY.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            for table in re.findall(r"`([a-z_]+)`", match.group(1)):
                rows[table] = match.group(2)
    return rows


def test_every_table_and_every_column_the_bot_keeps_is_listed():
    rows = _rows()
    unlisted: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name not in rows:
            unlisted[table.name] = ["(the table)"]
            continue
        if table.name.startswith("slack_"):
            continue  # slack_sdk's own columns, described in words
        named = set(re.findall(r"`([a-z_0-9]+)`", rows[table.name]))
        missing = [c.name for c in table.columns if c.name not in EVERY_ROW | named]
        if missing:
            unlisted[table.name] = missing
    assert unlisted == {}


def test_the_mock_interview_rows_say_the_answer_text_is_never_kept():
    rows = _rows()
    assert "**Never the text**" in rows["mock_sessions"] and "No message text" in rows["mock_sends"]
