"""Fixtures of the HTTP tests."""

from __future__ import annotations

import pytest

from bot.testing.botserver import drill_server


@pytest.fixture
def drill_bot(stub_api, db_url):
    """The web process at 08:58 UTC on 2026-11-25 (`clock_` moves it); users.info says UWSADMIN1
    is a workspace admin."""
    stub_api.handlers["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.params.get("user"), "is_admin": call.params.get("user") == "UWSADMIN1", "is_owner": False},
    }
    server = drill_server(stub_api, db_url)
    yield server
    server.stop()
