"""Slack's Retry-After on the calls made after a reveal, through the real HTTP app and two replicas on
one database: the edit that marks the question revealed (chat.update), then a member's private
answer feedback (chat.postEphemeral), answer 429 with a Retry-After longer than the claim's lease. The
clock is injected and moved in steps; the Web API stand-in counts what Slack saw."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.store.models import DrillRow
from bot.testing import CONTENT_DIR
from bot.testing.botserver import start_bot
from bot.testing.fakes import Clock

UTC = timezone.utc
ADMIN = "UADMIN001"
CH = "C0STUDY01"
MEMBERS = ("UAKI00001", "UBEN00001")
RETRY_AFTER = 300  # seconds: longer than the lease (DRILL_LEASE_SECONDS, 120 by default)
RATE_LIMITED = (429, {"Retry-After": str(RETRY_AFTER)}, {"ok": False, "error": "ratelimited"})


@pytest.fixture
def replicas(stub_api, db_url):
    """Two bot processes on one database, ticked by the test with one clock."""
    clock = Clock(datetime(2026, 11, 25, 8, 58, tzinfo=UTC))
    servers = [start_bot(stub_api, CONTENT_DIR, rng=random.Random(5), clock=clock, DATABASE_URL=db_url) for _ in range(2)]
    for server in servers:
        server.clock_ = clock
    yield servers
    for server in servers:
        server.stop()


def texts(blocks: list[dict]) -> str:
    """The blocks' text as a reader sees it (zero-width spaces dropped)."""
    found: list[str] = []
    for block in blocks:
        for part in (block.get("text"), *(block.get("elements") or []), *(block.get("fields") or [])):
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                found.append(part["text"])
    return "\n".join(found).replace("\u200b", "")


def test_a_429_on_the_edit_and_on_answer_feedback_is_not_retried_by_any_replica_before_its_retry_after(replicas, stub_api):
    """Each 429 holds back every call for its drill (the edit and the feedback alike) until its
    Retry-After, whichever replica ticks."""
    first, second = replicas
    clock = first.clock_
    answer = first.answer("schedule set cto 09:00 tz=UTC reveal=+1m", user_id=ADMIN)
    assert "設定しました" in texts(answer["blocks"])
    clock.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    first.tick()
    (question,) = stub_api.calls_to("chat.postMessage")
    with first.core.cycle.sessions() as s:
        question_id = s.scalars(select(DrillRow.question_id)).one()
    point = first.core.catalog.by_slug("cto").question_by_id(question_id).points[0]
    for n, user in enumerate(MEMBERS, start=1):
        event = {
            "type": "message",
            "channel": CH,
            "user": user,
            "text": f"{point}。",
            "ts": f"1764061210.00000{n}",
            "thread_ts": question.response["ts"],
            "channel_type": "channel",
        }
        assert first.event(event, f"Ev{n}").status == 200
    stub_api.script("chat.update", RATE_LIMITED)
    stub_api.script("chat.postEphemeral", RATE_LIMITED)

    revealed = datetime(2026, 11, 25, 9, 1, 5, tzinfo=UTC)
    clock.now = revealed
    first.tick()  # the reveal is posted; the edit answers 429, and the drill waits (its feedback too)
    assert len([c for c in stub_api.calls_to("chat.postMessage") if c.params.get("thread_ts")]) == 1
    assert calls(stub_api) == (1, 0)
    tick_both_until_just_before_retry_after(replicas, revealed)
    assert calls(stub_api) == (1, 0)

    # Retry-After has passed: the question is edited, and the first member's feedback answers 429.
    edited = revealed + timedelta(seconds=RETRY_AFTER + 1)
    clock.now = edited
    second.tick()
    assert calls(stub_api) == (2, 1)
    assert "公開しました" in texts(stub_api.calls_to("chat.update")[-1].params["blocks"])
    tick_both_until_just_before_retry_after(replicas, edited)
    assert calls(stub_api) == (2, 1)  # nobody else is told meanwhile, by either replica

    clock.now = edited + timedelta(seconds=RETRY_AFTER + 1)
    first.tick()
    second.tick()
    ephemerals = stub_api.calls_to("chat.postEphemeral")
    assert calls(stub_api) == (2, 3)
    assert sorted(c.params["user"] for c in ephemerals[1:]) == sorted(MEMBERS)  # each member once
    assert len([c for c in stub_api.calls_to("chat.postMessage") if c.params.get("thread_ts")]) == 1  # one reveal


def calls(stub_api) -> tuple[int, int]:
    """How many times Slack was asked to edit the question, and to show a member their feedback."""
    return len(stub_api.calls_to("chat.update")), len(stub_api.calls_to("chat.postEphemeral"))


def tick_both_until_just_before_retry_after(replicas, since: datetime) -> None:
    """Both replicas tick every 20 s, well past the lease, until a second before Retry-After."""
    clock = replicas[0].clock_
    for seconds in (*range(20, RETRY_AFTER, 20), RETRY_AFTER - 1):
        for replica in reversed(replicas):
            clock.now = since + timedelta(seconds=seconds)
            replica.tick()
