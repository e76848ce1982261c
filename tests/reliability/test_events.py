"""1,000 thread replies as Slack delivers them: 30 % redelivered two or three times with
X-Slack-Retry-Num and the same event_id, some out of order, some edited, some deleted (a few
deletes arrive before the message they delete). Exactly the right replies are recorded."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from bot.store.models import ReplyRow
from bot.testing import CONTENT_DIR
from bot.testing.botserver import start_bot
from bot.testing.fakes import Clock

CH = "C0EVENTS1"
ADMIN = "UADMIN001"


@pytest.fixture
def posted_drill(stub_api, db_url):
    clock = Clock(datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc))
    bot = start_bot(stub_api, CONTENT_DIR, rng=random.Random(1), clock=clock, DATABASE_URL=db_url)
    bot.answer("schedule set ciso 09:00 tz=UTC reveal=+8h", user_id=ADMIN, channel_id=CH)
    bot.tick()
    thread_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    yield bot, thread_ts
    bot.stop()


def test_thousand_replies_with_retries_reordering_edits_and_deletes(posted_drill):
    bot, thread_ts = posted_drill
    rng = random.Random(42)
    base = 1764061200
    replies = [
        {"type": "message", "channel": CH, "user": f"U{i % 37:08d}", "text": "回答", "ts": f"{base + i}.{i:06d}", "thread_ts": thread_ts}
        for i in range(1000)
    ]
    deliveries: list[tuple[dict, str, int | None]] = []
    for i, event in enumerate(replies):
        deliveries.append((event, f"Ev{i:05d}", None))
        if rng.random() < 0.30:
            for retry in range(1, rng.choice((2, 3)) + 1):
                deliveries.append((event, f"Ev{i:05d}", retry))
    deleted = set(rng.sample(range(1000), 80))
    for i in deleted:
        e = replies[i]
        deliveries.append(
            (
                {
                    "type": "message",
                    "subtype": "message_deleted",
                    "channel": CH,
                    "hidden": True,
                    "deleted_ts": e["ts"],
                    "previous_message": {"type": "message", "user": e["user"], "ts": e["ts"], "thread_ts": thread_ts},
                },
                f"Del{i:05d}",
                None,
            )
        )
    for i in rng.sample(range(1000), 100):
        e = replies[i]
        deliveries.append(
            (
                {
                    "type": "message",
                    "subtype": "message_changed",
                    "channel": CH,
                    "hidden": True,
                    "message": {**e, "text": "edited", "edited": {"user": e["user"], "ts": e["ts"]}},
                },
                f"Edit{i:05d}",
                None,
            )
        )
    # Out of order: shuffle within windows, so some deletes and retries overtake their originals.
    for start in range(0, len(deliveries), 40):
        window = deliveries[start : start + 40]
        rng.shuffle(window)
        deliveries[start : start + 40] = window

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda d: bot.event(*d).status, deliveries))
    assert statuses.count(200) == len(deliveries)
    assert len(deliveries) > 1300

    with bot.core.cycle.sessions() as session:
        kept = {r.message_ts for r in session.query(ReplyRow).filter(ReplyRow.deleted.is_(False))}
        rows = session.query(ReplyRow).count()
    expected = {replies[i]["ts"] for i in range(1000) if i not in deleted}
    assert kept == expected
    assert rows == 1000  # one row per message, whatever was redelivered (deleted ones as tombstones)
