"""The Procfile's `web` process itself, started as a deployment would start it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.testing import ROOT
from bot.testing.botserver import procfile_command
from bot.testing.http import raw_request, request
from bot.testing.reading import blocks_text
from bot.testing.signing import BOT_TOKEN, SIGNING_SECRET, command_body, signed_headers
from bot.testing.slack_api import StubSlackApi


@contextmanager
def running_web_process(tmp_path_factory, **extra: str):
    """The Procfile's web process against a stand-in Slack: (url, stub, log path, process)."""
    stub = StubSlackApi().start()
    log_path = tmp_path_factory.mktemp("web") / "web.log"
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": stub.api_url,
        "PORT": "0",
        "ADMIN_USER_IDS": "UADMIN001",
        "DRILL_TICK_SECONDS": "0.2",
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'bot.sqlite3'}",
        **extra,
    }
    command = procfile_command("web")
    log = open(log_path, "w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and url is None:
        match = re.search(r"Listening at: http://[\d.]+:(\d+)", Path(log_path).read_text())
        if match:
            url = f"http://127.0.0.1:{match.group(1)}"
        elif process.poll() is not None:
            break
        time.sleep(0.05)
    try:
        assert url, "web process did not start:\n" + Path(log_path).read_text()
        while time.monotonic() < deadline and request(url + "/healthz").status != 200:
            time.sleep(0.05)
        yield url, stub, log_path, process
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()
        stub.stop()


@pytest.fixture(scope="module")
def web_process(tmp_path_factory):
    with running_web_process(tmp_path_factory) as (url, stub, log_path, _process):
        yield url, stub, log_path


FORM = "application/x-www-form-urlencoded"


def post_command(url: str, text: str, stub: StubSlackApi):
    body = command_body(text, response_url=stub.response_url())
    return request(url + "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded"))


def test_web_process_answers_signed_lookups(web_process):
    url, stub, _ = web_process
    for name in ("ciso", "ＣＩＳＯ", "最高情報セキュリティ責任者"):
        response = post_command(url, name, stub)
        assert response.status == 200
        text = blocks_text(response.json()["blocks"])
        assert "CISO（Chief Information Security Officer, 最高情報セキュリティ責任者）のプロジェクトポジション" in text
        assert text.count(" → CISO") == 3
    questions = blocks_text(post_command(url, "ciso questions", stub).json()["blocks"])
    assert all(f"*Q{n}.*" in questions for n in range(1, 21))
    escaped = post_command(url, "<!channel>", stub).text
    assert "<!channel>" not in escaped and "&lt;!channel&gt;" in escaped


def test_web_process_health_and_signature_check(web_process):
    url, stub, log_path = web_process
    assert request(url + "/healthz").json() == {"ok": True, "roles": len(list((ROOT / "content").glob("*.md"))) - 1}  # common.md is no role
    body = command_body("ciso")
    headers = signed_headers(body, "application/x-www-form-urlencoded", secret="wrong")
    assert request(url + "/slack/events", body, headers).status == 401
    log = Path(log_path).read_text()
    assert BOT_TOKEN not in log and SIGNING_SECRET not in log


def test_bad_setting_is_one_line_and_non_zero(tmp_path):
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": "eighty"}
    result = subprocess.run([sys.executable, "-m", "bot", "web"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: PORT must be a whole number, got 'eighty'."


def test_missing_secret_is_named(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["SLACK_BOT_TOKEN"] = BOT_TOKEN
    result = subprocess.run([sys.executable, "-m", "bot", "web"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr and "Traceback" not in result.stderr


def test_web_process_runs_the_drill_scheduler(web_process):
    """`drill now` and `drill reveal` are carried out by the web process's own scheduler."""
    url, stub, _ = web_process
    # A post time an hour ago: set now, the schedule's first own post is tomorrow, so every post
    # seen here comes from `drill now`.
    earlier = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%H:%M")
    body = command_body(f"schedule set ciso {earlier} tz=UTC reveal=+1m", user_id="UADMIN001", response_url=stub.response_url("set"))
    assert request(url + "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded")).status == 200
    assert "ドリルのスケジュールを設定しました" in blocks_text(stub.answer_at("set")["blocks"])
    body = command_body("drill now", user_id="UADMIN001", response_url=stub.response_url("now"))
    ack = request(url + "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded"))
    assert ack.status == 200 and ack.body == b""  # acked at once; the answer follows
    assert "ドリルを1問投稿します" in blocks_text(stub.answer_at("now")["blocks"])
    posts = stub.wait_for("chat.postMessage", 1, timeout=10)
    assert len(posts) == 1 and "今日の面接ドリル｜CISO" in blocks_text(posts[0].params["blocks"])
    body = command_body("drill reveal", user_id="UADMIN001", response_url=stub.response_url())
    request(url + "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded"))
    posts = stub.wait_for("chat.postMessage", 2, timeout=10)
    assert len(posts) == 2 and posts[1].params["thread_ts"] == posts[0].response["ts"]
    time.sleep(0.5)  # a few more scheduler ticks: still exactly one post and one reveal
    assert len(stub.calls_to("chat.postMessage")) == 2


def test_an_api_url_that_is_not_slack_is_named_as_such_not_as_a_bad_token(tmp_path):
    """A web server that answers HTML (a typo in SLACK_API_URL) is not a rejected token."""
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
        env.update(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET="s",
            SLACK_API_URL=f"http://127.0.0.1:{server.server_port}/",
            DATABASE_URL=f"sqlite:///{tmp_path / 'b.sqlite3'}",
        )
        result = subprocess.run([sys.executable, "-m", "bot", "web"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "did not answer like Slack's Web API" in result.stderr and "SLACK_BOT_TOKEN" not in result.stderr.splitlines()[-1]


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for process {pid}")


def test_an_unsigned_20_mib_body_is_refused_unread_and_the_worker_does_not_grow(tmp_path_factory):
    """The worker's peak resident memory (VmHWM, reset just before) across the request: the body is
    answered from its Content-Length and never read."""
    with running_web_process(tmp_path_factory, WEB_CONCURRENCY="1") as (url, stub, log_path, _process):
        (worker,) = (int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", Path(log_path).read_text()))
        # What a worker allocates once (its first lookup, its first refusal) is done before measuring.
        assert post_command(url, "ciso", stub).status == 200
        assert raw_request(url, "/slack/events", {"Content-Type": FORM, "Content-Length": "2"}, b"a=").status == 401
        Path(f"/proc/{worker}/clear_refs").write_text("5")  # the peak is now the current size
        before = _kib(worker, "VmHWM")
        body = b"payload=" + b"x" * (20 * 1024 * 1024 - len(b"payload="))
        response = raw_request(url, "/slack/events", {"Content-Type": FORM, "Content-Length": str(len(body))}, body)
        grown = _kib(worker, "VmHWM") - before
        assert grown < 20 * 1024, f"the worker grew by {grown} KiB"
        assert response.status == 413
        assert post_command(url, "ciso", stub).status == 200  # and it still serves
        log = Path(log_path).read_text()
        assert "Traceback" not in log and "xxxxxxxx" not in log
