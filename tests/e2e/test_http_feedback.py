"""Answer feedback through the real HTTP app: three members reply to a drill (one covering two
points, one negating a point, one off topic); at the reveal each gets exactly one private message
in the thread, with their own marks, and no reply text is kept anywhere."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.store.models import DrillRow
from bot.testing import ADMIN, CH
from bot.testing.botserver import drill_server
from bot.testing.reading import blocks_text
from bot.testing.signing import reply

UTC = timezone.utc
MARKER = "XYZZYぴよぴよ"  # ASCII too: a logged JSON body escapes the rest; no word any point names


@pytest.fixture
def feedback_bot(stub_api, tmp_path):
    server = drill_server(stub_api, f"sqlite:///{tmp_path / 'bot.sqlite3'}", LOG_LEVEL="DEBUG")
    yield server
    server.stop()


def test_three_replies_three_private_verdicts_and_no_text_kept(feedback_bot, stub_api, caplog):
    caplog.set_level(logging.DEBUG)
    bot = feedback_bot
    # A reply that uses a point's own words covers it.
    assert "設定しました" in blocks_text(bot.answer("schedule set cto 09:00 tz=UTC reveal=+1m", user_id=ADMIN)["blocks"])
    bot.clock_.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    bot.tick()
    drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    with bot.core.cycle.sessions() as s:
        row = s.scalars(select(DrillRow)).one()
    points = bot.core.catalog.by_slug("cto").question_by_id(row.question_id).points

    replies = [
        ("UAKI00001", f"{points[0]}を進めました。{points[1]}も進めました。{MARKER}"),  # two points, said (names in a row are a list)
        ("UBEN00001", f"{points[0]}はしていません。{MARKER}"),  # a point, negated
        ("UCHI00001", f"週末は山に登りました。{MARKER}"),  # off topic
    ]
    for n, (user, text) in enumerate(replies, start=1):
        assert bot.event(reply(f"1764061210.00000{n}", user, drill_ts, text=text), f"Ev{n}").status == 200
    assert stub_api.calls_to("chat.postEphemeral") == []  # nothing before the reveal

    bot.clock_.now = datetime(2026, 11, 25, 9, 1, 5, tzinfo=UTC)
    bot.tick()
    bot.tick()
    sent = {c.params["user"]: c.params for c in stub_api.calls_to("chat.postEphemeral")}
    assert len(stub_api.calls_to("chat.postEphemeral")) == 3 and set(sent) == {"UAKI00001", "UBEN00001", "UCHI00001"}
    assert all(p["channel"] == CH and p["thread_ts"] == drill_ts for p in sent.values())

    def marks(user: str) -> list[str]:
        points_block = sent[user]["blocks"][0]["text"]["text"]  # the legend below also starts with ✓
        return [line.split(" ", 1)[0] for line in points_block.splitlines() if line[:1] in ("✓", "△", "–")]

    rest = ["–"] * (len(points) - 2)
    assert marks("UAKI00001") == ["✓", "✓", *rest]
    assert marks("UBEN00001") == ["–"] * len(points)
    assert marks("UCHI00001") == ["–"] * len(points)
    assert "間違" not in str(sent)  # encouragement, never "wrong"

    # The reveal carries the durable path: the same verdict, privately, at any later time.
    reveal = next(c.params for c in stub_api.calls_to("chat.postMessage") if c.params.get("thread_ts") == drill_ts)
    check = next(
        e for b in reveal["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"].startswith("career.check_answer")
    )
    again = bot.press_answer(check["action_id"], check["value"], user_id="UAKI00001")
    assert again["response_type"] == "ephemeral" and again["replace_original"] is False
    assert again["blocks"][0]["text"]["text"].count("✓") == 2

    bot.core.engine.dispose()
    path = Path(bot.core.engine.url.database)
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert b"UAKI00001" in stored and b"XYZZY" not in stored
    assert "XYZZY" not in caplog.text


@pytest.fixture
def drill_bot(stub_api, db_url):
    server = drill_server(stub_api, db_url)
    yield server
    server.stop()


def test_a_long_reply_is_judged_on_its_start_once_and_its_retry_is_not_analysed_again(drill_bot, stub_api, mocker):
    """Slack's longest message (40,000 characters): acknowledged at once, judged on its first 2,000
    characters only (a point written after them is not credited, and the feedback says so), and
    Slack's retry of the same event is not analysed again."""
    bot = drill_bot
    bot.answer("schedule set cto 09:00 tz=UTC reveal=+1m", user_id=ADMIN)
    bot.clock_.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    bot.tick()
    drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    with bot.core.cycle.sessions() as s:
        row = s.scalars(select(DrillRow)).one()
    points = bot.core.catalog.by_slug("cto").question_by_id(row.question_id).points
    # Digit-heavy filler, the slowest text for the analyser; the second point only after 2,000 characters.
    start = (f"{points[0]}を進めました。" + "30% 3割 100万円 " * 200)[:2_000]  # (a sentence: the filler is a list of names)
    long = (f"{start}。{points[1]}。" + "30% 3割 100万円 " * 4_000)[:40_000]
    assert len(long) == 40_000 and long.index(points[1]) > 2_000

    check = bot.core.answer_check
    analyser, analysed = check.analyser(), []

    def counting(text: str):
        analysed.append(len(text))
        return analyser(text)

    mocker.patch.object(check, "analyser", return_value=counting)
    event = reply("1764061210.000001", "UAKI00001", drill_ts, text=long)
    assert bot.event(event, "EvLong1").status == 200
    assert analysed  # judged
    runs = len(analysed)
    assert bot.event(event, "EvLong1", retry=1).status == 200  # Slack's retry: recorded already
    assert bot.event(event, "EvLong1", retry=2).status == 200
    assert len(analysed) == runs
    # Both points in a short reply: the second one counts when it is inside what is judged.
    assert bot.event(reply("1764061210.000002", "UBEN00001", drill_ts, text=f"{points[0]}。{points[1]}。"), "EvShort").status == 200

    bot.clock_.now = datetime(2026, 11, 25, 9, 1, 5, tzinfo=UTC)
    bot.tick()
    bot.tick()
    sent = {c.params["user"]: blocks_text(c.params["blocks"]) for c in stub_api.calls_to("chat.postEphemeral")}
    assert set(sent) == {"UAKI00001", "UBEN00001"}

    def marks(user: str) -> list[str]:
        return [line.split(" ", 1)[0] for line in sent[user].splitlines() if line[:2] in ("✓ ", "△ ", "– ")]

    assert marks("UBEN00001")[:2] == ["✓", "✓"]
    assert marks("UAKI00001")[:2] == ["✓", "–"]
    assert "最初の2,000文字" in sent["UAKI00001"] and "2,000文字" not in sent["UBEN00001"]
