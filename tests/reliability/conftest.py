"""Fixtures shared by the reliability tests."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.testing import ADMIN
from bot.testing.botserver import drill_server


@pytest.fixture
def posted_bot(stub_api, db_url):
    """The web process with today's ciso question posted in the channel (09:00 UTC, revealed an
    hour later); `drill_ts` is the question's message, the thread members reply in."""
    server = drill_server(stub_api, db_url)
    server.answer("schedule set ciso 09:00 tz=UTC reveal=+1h", user_id=ADMIN)
    server.clock_.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=timezone.utc)
    server.tick()
    server.drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    yield server
    server.stop()
