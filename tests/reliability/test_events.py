"""Thread replies as Slack delivers them: 30 % redelivered two or three times with X-Slack-Retry-Num
and the same event_id, some edited, some deleted, shuffled so that some redeliveries, deletes and
edits arrive before the message they are about, and sent eight at a time. Exactly the right replies
are recorded: none lost, none twice, none that was deleted."""

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
REPLIES = 200
RETRIED = 0.30  # of the replies, each delivered again two or three times
DELETED = 16  # 8 % of the replies
EDITED = 20  # 10 %, before the reveal; of them, some deleted as well
EDITED_AND_DELETED = 6
WINDOW = 40  # the deliveries are shuffled within windows of this many
BASE = 1764061200  # 09:00 UTC on 2026-11-25, the drill's post; its reveal is at 17:00

Delivery = tuple[dict, str, int | None]  # (event, event id, X-Slack-Retry-Num)


@pytest.fixture
def posted_drill(stub_api, db_url):
    clock = Clock(datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc))
    bot = start_bot(stub_api, CONTENT_DIR, rng=random.Random(1), clock=clock, DATABASE_URL=db_url)
    bot.answer("schedule set ciso 09:00 tz=UTC reveal=+8h", user_id=ADMIN, channel_id=CH)
    bot.tick()
    thread_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    yield bot, thread_ts
    bot.stop()


def deliveries(thread_ts: str, rng: random.Random) -> tuple[list[dict], set[int], list[Delivery]]:
    """(the replies, which of them are deleted, every delivery in the order it is sent). A delete or
    an edit follows its reply by up to a few deliveries, as Slack sends them; the shuffling then
    lets some of them, and some redeliveries, overtake the reply itself."""
    replies = [
        {"type": "message", "channel": CH, "user": f"U{i % 37:08d}", "text": "回答", "ts": f"{BASE + i}.{i:06d}", "thread_ts": thread_ts}
        for i in range(REPLIES)
    ]
    placed: list[tuple[float, Delivery]] = []
    for i, event in enumerate(replies):
        placed.append((i, (event, f"Ev{i:05d}", None)))
        if rng.random() < RETRIED:
            for retry in range(1, rng.choice((2, 3)) + 1):
                placed.append((i + retry / 10, (event, f"Ev{i:05d}", retry)))
    deleted = set(rng.sample(range(REPLIES), DELETED))
    for i in sorted(deleted):
        previous = {"type": "message", "user": replies[i]["user"], "ts": replies[i]["ts"], "thread_ts": thread_ts}
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "channel": CH,
            "hidden": True,
            "deleted_ts": replies[i]["ts"],
            "previous_message": previous,
        }
        placed.append((i + rng.uniform(0.5, 6), (event, f"Del{i:05d}", None)))
    kept = [i for i in range(REPLIES) if i not in deleted]
    for i in rng.sample(sorted(deleted), EDITED_AND_DELETED) + rng.sample(kept, EDITED - EDITED_AND_DELETED):
        edited_at = f"{BASE + i + 30}.000000"  # half a minute later, long before the reveal
        message = {**replies[i], "text": "edited", "edited": {"user": replies[i]["user"], "ts": edited_at}}
        event = {"type": "message", "subtype": "message_changed", "channel": CH, "hidden": True, "message": message, "event_ts": edited_at}
        placed.append((i + rng.uniform(0.5, 6), (event, f"Edit{i:05d}", None)))
    sent = [delivery for _, delivery in sorted(placed, key=lambda p: p[0])]
    for start in range(0, len(sent), WINDOW):
        window = sent[start : start + WINDOW]
        rng.shuffle(window)
        sent[start : start + WINDOW] = window
    return replies, deleted, sent


def _overtaking(sent: list[Delivery]) -> dict[str, int]:
    """How many redeliveries, deletes and edits are sent before their reply's first delivery, and
    how many edits after their reply's delete."""
    first: dict[str, int] = {}
    for position, (_event, event_id, retry) in enumerate(sent):
        if event_id.startswith("Ev") and retry is None:
            first[event_id[-5:]] = position
    counts = {"redelivery": 0, "delete": 0, "edit": 0, "edit after delete": 0}
    deletes = {event_id[-5:]: p for p, (_e, event_id, _r) in enumerate(sent) if event_id.startswith("Del")}
    for position, (_event, event_id, retry) in enumerate(sent):
        reply = event_id[-5:]
        before = position < first[reply]
        if event_id.startswith("Ev") and retry is not None:
            counts["redelivery"] += before
        elif event_id.startswith("Del"):
            counts["delete"] += before
        elif event_id.startswith("Edit"):
            counts["edit"] += before
            counts["edit after delete"] += reply in deletes and deletes[reply] < position
    return counts


def test_replies_with_retries_reordering_edits_and_deletes(posted_drill):
    bot, thread_ts = posted_drill
    replies, deleted, sent = deliveries(thread_ts, random.Random(42))
    # The scenario (seeded) holds every case: redeliveries, and each kind of message overtaking another.
    assert sum(1 for _e, _id, retry in sent if retry is not None) > 150
    assert all(n >= 3 for n in _overtaking(sent).values()), _overtaking(sent)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda d: bot.event(*d).status, sent))
    assert statuses.count(200) == len(sent)

    with bot.core.cycle.sessions() as session:
        kept = {r.message_ts for r in session.query(ReplyRow).filter(ReplyRow.deleted.is_(False))}
        rows = session.query(ReplyRow).count()
    expected = {replies[i]["ts"] for i in range(REPLIES) if i not in deleted}
    assert kept == expected  # none lost, none that was deleted
    assert rows == REPLIES  # one row per message, whatever was redelivered (deleted ones as tombstones)
