"""Fixtures shared by the reliability tests."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from tests.conftest import CONTENT_DIR
from tests.e2e.test_http_drill import ADMIN
from tests.support.botserver import start_bot
from tests.support.fakes import Clock


@pytest.fixture
def posted_bot(stub_api, db_url):
    """The web process with today's ciso question posted in the channel (09:00 UTC, revealed an
    hour later); `drill_ts` is the question's message, the thread members reply in."""
    clock = Clock(datetime(2026, 11, 25, 8, 58, tzinfo=timezone.utc))
    server = start_bot(stub_api, CONTENT_DIR, rng=random.Random(5), clock=clock, DATABASE_URL=db_url)
    server.answer("schedule set ciso 09:00 tz=UTC reveal=+1h", user_id=ADMIN)
    clock.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=timezone.utc)
    server.tick()
    server.drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    yield server
    server.stop()
