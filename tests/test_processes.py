"""What only shows with real processes: forked web workers and two replicas racing a long 429."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from sqlalchemy import text

from bot.domain.workspace import SINGLE_WORKSPACE
from bot.testing import CONTENT_DIR, ROOT
from bot.testing.signing import BOT_TOKEN, SIGNING_SECRET


def test_a_forked_worker_does_not_reuse_the_parents_database_connection(tmp_path):
    """gunicorn forks workers after the schema upgrade opened connections in the parent: each worker
    must get connections of its own, or two processes talk over one socket (PostgreSQL: SQLite has
    no server-side session to compare)."""
    from bot.testing.db import migrated_database_url

    with migrated_database_url("postgresql", tmp_path) as db_url:
        _check_fork(db_url)


def _check_fork(db_url: str) -> None:
    from bot.composition import build_bot
    from bot.config import load_settings
    from bot.testing.fakes import RecordingChat

    bot = build_bot(
        load_settings({"CONTENT_DIR": str(CONTENT_DIR)}),
        RecordingChat(),
        is_admin=lambda u, t: False,
        bot_in_channel=lambda c, t: True,
        database_url=db_url,
    )
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


# A replica's ticker, for argv[1] seconds of the bot's time, on a clock that runs SPEED times as
# fast as the wall clock from the instant argv[2] (shared by both replicas): the Retry-After, the
# lease and the gaps between ticks are all the bot's time, so the race plays out as it would in
# real time, in a quarter of it.
SPEED = 4
_TICKER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timezone
    from bot.composition import build_slack_bot
    from bot.config import load_settings
    speed, start = float(sys.argv[3]), float(sys.argv[2])
    now = lambda: datetime.fromtimestamp(start + (time.time() - start) * speed, timezone.utc)
    bot = build_slack_bot(load_settings(), clock=now).bot
    end = time.monotonic() + float(sys.argv[1]) / speed
    while time.monotonic() < end:  # bounded
        bot.cycle.tick(now())
        time.sleep(0.2 / speed)
    bot.engine.dispose()
    """
)


def test_two_processes_never_post_twice_across_a_retry_after_longer_than_the_lease(stub_api, tmp_path):
    """Slack answers the first post with 429 and Retry-After 8 s, longer than the 6 s lease. A
    process that slept through it would wake after the other took the drill over and posted."""
    from datetime import datetime, timezone

    from bot.composition import build_bot
    from bot.config import load_settings
    from bot.testing.fakes import RecordingChat

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": stub_api.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "CONTENT_DIR": str(CONTENT_DIR),
        "ADMIN_USER_IDS": "UADMIN001",
        "DEFAULT_TIMEZONE": "UTC",
        "DRILL_LEASE_SECONDS": "6",
        "SLACK_TIMEOUT_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }
    setup = build_bot(load_settings(env), RecordingChat(), is_admin=lambda u, t: True, bot_in_channel=lambda c, t: True)
    from bot.domain.schedule_input import parse_schedule_set

    now = datetime.now(timezone.utc)
    setup.schedules.set("C0STUDY01", "UADMIN001", parse_schedule_set(["ciso", "09:00", "reveal=+1h"], "UTC"), now, team_id=SINGLE_WORKSPACE)
    setup.schedules.drill_now("C0STUDY01", "UADMIN001", now, team_id=SINGLE_WORKSPACE)
    setup.engine.dispose()
    stub_api.script("chat.postMessage", (429, {"Retry-After": "8"}, {"ok": False, "error": "ratelimited"}))

    start = str(time.time())
    first = subprocess.Popen([sys.executable, "-c", _TICKER, "13", start, str(SPEED)], cwd=ROOT, env=env)
    time.sleep(0.5 / SPEED)
    second = subprocess.Popen([sys.executable, "-c", _TICKER, "12", start, str(SPEED)], cwd=ROOT, env=env)
    assert first.wait(timeout=60) == 0 and second.wait(timeout=60) == 0
    posts = stub_api.calls_to("chat.postMessage")
    assert [c.params.get("thread_ts") for c in posts] == [None, None]  # the 429, then one post
    # And not before Slack allowed it: 8 s after it answered the 429, in the bot's seconds (the
    # replicas' clock is made of the epoch seconds the stand-in records, SPEED times as fast). The
    # 429 is taken as answered when it arrived, no later than a replica could have read it: load
    # only widens the gap, and a replica counting from before the answer, or in wall seconds, fails.
    gap = (posts[1].wall - posts[0].wall) * SPEED
    assert gap >= 8, f"Slack was called again {gap:.3f} s (the bot's) after it answered Retry-After: 8"


def test_two_forked_web_workers_on_postgresql_tick_without_database_errors(tmp_path):
    """The Procfile's web process with WEB_CONCURRENCY=2 on PostgreSQL: both workers tick from the
    first second, a drill is posted and revealed once, and no tick fails on a shared connection."""
    import re
    from pathlib import Path

    from bot.testing.botserver import procfile_command
    from bot.testing.db import migrated_database_url
    from bot.testing.http import request
    from bot.testing.signing import command_body, signed_headers
    from bot.testing.slack_api import StubSlackApi

    stub = StubSlackApi().start()
    log_path = tmp_path / "web.log"
    with migrated_database_url("postgresql", tmp_path) as url, open(log_path, "w") as log:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": stub.api_url,
            "PORT": "0",
            "ADMIN_USER_IDS": "UADMIN001",
            "DRILL_TICK_SECONDS": "0.2",
            "WEB_CONCURRENCY": "2",
            "DATABASE_URL": url,
            "DEFAULT_TIMEZONE": "UTC",
        }
        command = procfile_command("web")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and base is None:
                match = re.search(r"Listening at: http://[\d.]+:(\d+)", Path(log_path).read_text())
                base = f"http://127.0.0.1:{match.group(1)}" if match else None
                time.sleep(0.05)
            assert base, Path(log_path).read_text()

            def command_(text: str, name: str) -> dict:
                body = command_body(text, user_id="UADMIN001", response_url=stub.response_url(name))
                assert request(base + "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded")).status == 200
                return stub.answer_at(name, timeout=15)

            earlier = time.strftime("%H:%M", time.gmtime(time.time() - 3600))
            command_(f"schedule set ciso {earlier} reveal=+1h", "set")
            command_("drill now", "now")
            stub.wait_for("chat.postMessage", 1, timeout=15)
            command_("drill reveal", "reveal")
            stub.wait_for("chat.postMessage", 2, timeout=15)
            time.sleep(2)  # ten more ticks in each worker
        finally:
            process.terminate()
            process.wait(timeout=15)
            stub.stop()
    text = Path(log_path).read_text()
    assert len(re.findall(r"Booting worker", text)) == 2
    assert "drill tick failed" not in text and "server closed the connection" not in text and "Traceback" not in text, text
    assert len(stub.calls_to("chat.postMessage")) == 2  # one question, one reveal
