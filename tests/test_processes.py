"""What only shows with real processes: forked web workers and two replicas racing a long 429."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import text

from tests.conftest import CONTENT_DIR, ROOT
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET


def test_a_forked_worker_does_not_reuse_the_parents_database_connection(db_url):
    """gunicorn forks workers after the schema upgrade opened connections in the parent: each worker
    must get connections of its own, or two processes talk over one socket."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no server-side session to compare")
    from bot.composition import build_bot
    from bot.config import load_settings
    from tests.support.fakes import RecordingChat

    bot = build_bot(load_settings({"CONTENT_DIR": str(CONTENT_DIR)}), RecordingChat(), is_admin=lambda u: False, bot_in_channel=lambda c: True, database_url=db_url)
    with bot.engine.connect() as connection:
        parent_backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the worker
        os.close(read)
        try:
            bot.start_in_worker()
            with bot.engine.connect() as connection:
                os.write(write, str(connection.execute(text("SELECT pg_backend_pid()")).scalar_one()).encode())
        finally:
            os._exit(0)
    os.close(write)
    worker_backend = int(os.read(read, 64) or b"0")
    os.waitpid(child, 0)
    bot.engine.dispose()
    assert worker_backend != 0 and worker_backend != parent_backend


_TICKER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timezone
    from bot.composition import build_slack_bot
    from bot.config import load_settings
    bot = build_slack_bot(load_settings()).bot
    end = time.monotonic() + float(sys.argv[1])
    while time.monotonic() < end:  # bounded
        bot.cycle.tick(datetime.now(timezone.utc))
        time.sleep(0.2)
    bot.engine.dispose()
    """
)


def test_two_processes_never_post_twice_across_a_retry_after_longer_than_the_lease(stub_api, tmp_path):
    """Slack answers the first post with 429 and Retry-After 6 s, longer than the 4 s lease. A
    process that slept through it would wake after the other took the drill over and posted."""
    from datetime import datetime, timezone

    from bot.composition import build_bot
    from bot.config import load_settings
    from tests.support.fakes import RecordingChat

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": stub_api.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}", "CONTENT_DIR": str(CONTENT_DIR),
        "ADMIN_USER_IDS": "UADMIN001", "DEFAULT_TIMEZONE": "UTC",
        "DRILL_LEASE_SECONDS": "4", "SLACK_TIMEOUT_SECONDS": "1", "LOG_LEVEL": "WARNING",
    }
    setup = build_bot(load_settings(env), RecordingChat(), is_admin=lambda u: True, bot_in_channel=lambda c: True)
    from bot.domain.schedule_input import parse_schedule_set

    now = datetime.now(timezone.utc)
    setup.schedules.set("C0STUDY01", "UADMIN001", parse_schedule_set(["ciso", "09:00", "reveal=+1h"], "UTC"), now)
    setup.schedules.drill_now("C0STUDY01", "UADMIN001", now)
    setup.engine.dispose()
    stub_api.script("chat.postMessage", (429, {"Retry-After": "6"}, {"ok": False, "error": "ratelimited"}))

    first = subprocess.Popen([sys.executable, "-c", _TICKER, "11"], cwd=ROOT, env=env)
    time.sleep(0.5)
    second = subprocess.Popen([sys.executable, "-c", _TICKER, "10"], cwd=ROOT, env=env)
    assert first.wait(timeout=60) == 0 and second.wait(timeout=60) == 0
    posts = stub_api.calls_to("chat.postMessage")
    assert [c.params.get("thread_ts") for c in posts] == [None, None]  # the 429, then one post
    assert posts[1].at - posts[0].at >= 5.5  # and not before Slack allowed it
