"""5. Admin ack: how fast an admin's command is acknowledged while Slack's Web API is slow.

Slack shows "operation_timeout" to the user when a slash command is not acknowledged within 3 s.
An admin command may call the Web API (is the user an admin, is the bot in the channel…), so the
Web API stand-in answers every call after API_LATENCY_S (4 s): a command whose ack waits for the Web
API misses Slack's deadline, and one that acks first (Bolt's lazy listeners) and answers later
through the response_url does not.

The Procfile's web process, with its default settings, gets `/career schedule set ciso 09:00`
from an admin, signed as Slack signs it, one command after another; measured: the time to the
HTTP answer (the ack), and whether every command was answered, in the ack or through its
response_url, within ANSWER_WAIT_S.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.ingestion import CHANNEL
from bench.load import SignedRequest
from bench.lookup import check_answer
from bench.plan import Plan
from bench.report import Figure, Target
from bench.servers import ADMIN, web_process
from bench.stats import percentile
from bot.testing.http import request
from bot.testing.signing import command_body, signed_headers
from bot.testing.slack_api import StubSlackApi

NAME = "5. Admin ack"
COMMAND = "schedule set ciso 09:00"
API_LATENCY_S = 4.0
MAX_ACK_MS = 3000  # Slack's deadline for the acknowledgement
ANSWER_WAIT_S = 30.0  # how long an answer through the response_url is waited for, after the last command
REQUEST_TIMEOUT_S = 30.0


def run(plan: Plan, workdir: Path, progress: Callable[[str], None]) -> list[Figure]:
    label = f"`/career {COMMAND}`, Web API answering in {API_LATENCY_S:g} s"
    n = plan.admin_commands
    figures = [
        Figure("admin.p99", NAME, f"{label}: ack p99 ({n} commands a run)", "ms", target=Target("<", MAX_ACK_MS)),
        Figure("admin.p50", NAME, f"{label}: ack p50", "ms"),
        Figure("admin.unanswered", NAME, f"{label}: commands not answered within {ANSWER_WAIT_S:g} s", "", target=Target("==", 0)),
        Figure("admin.answer_p50", NAME, f"{label}: answer seen after (p50)", "ms"),
    ]
    by_key = {f.key: f for f in figures}
    stub = StubSlackApi().start()
    try:
        with web_process(stub, f"sqlite:///{workdir / 'web.sqlite3'}", workdir / "web.log") as web:
            check_answer(web, SignedRequest.sign(command_body("ciso", response_url=stub.response_url())), "CISO")
            stub.delay_seconds = API_LATENCY_S  # from now on: start-up's auth.test was answered at once
            for run_index in range(plan.runs):
                acks, answers, unanswered = _measure(web.url, stub, n)
                by_key["admin.p99"].samples.append(percentile(acks, 99))
                by_key["admin.p50"].samples.append(percentile(acks, 50))
                by_key["admin.unanswered"].samples.append(unanswered)
                if answers:
                    by_key["admin.answer_p50"].samples.append(percentile(answers, 50))
                progress(
                    f"admin ack run {run_index + 1}/{plan.runs}: acks in {', '.join(f'{a:.0f}' for a in acks)} ms; "
                    f"{n - unanswered} of {n} answered"
                )
    finally:
        stub.delay_seconds = 0
        stub.stop()
    if not by_key["admin.answer_p50"].samples:
        by_key["admin.answer_p50"].note = "no command was answered"
    return figures


def _measure(url: str, stub: StubSlackApi, count: int) -> tuple[list[float], list[float], int]:
    """(ack times in ms, answer times in ms, commands left unanswered) for `count` commands."""
    acks: list[float] = []
    sent: dict[str, float] = {}  # response_url name -> when the command was sent
    answered: dict[str, float] = {}  # -> ms from sending to the answer
    for _ in range(count):
        name = f"admin-ack-{uuid.uuid4().hex[:12]}"
        body = command_body(COMMAND, user_id=ADMIN, channel_id=CHANNEL, response_url=stub.response_url(name))
        started = time.monotonic()
        answer = request(url + "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded"), timeout=REQUEST_TIMEOUT_S)
        elapsed = time.monotonic() - started
        if answer.status != 200:
            raise RuntimeError(f"/career {COMMAND} answered {answer.status}: {answer.text[:300]}")
        acks.append(elapsed * 1000)
        sent[name] = started
        if _has_text(answer.body):
            answered[name] = elapsed * 1000
    deadline = time.monotonic() + ANSWER_WAIT_S
    while len(answered) < count and time.monotonic() < deadline:
        for call in stub.calls_to("response_url"):
            name = call.path.rsplit("/", 1)[-1]
            if name in sent and name not in answered:
                answered[name] = (call.at - sent[name]) * 1000
        time.sleep(0.05)
    return acks, sorted(answered.values()), count - len(answered)


def _has_text(body: bytes) -> bool:
    """Whether an ack carries the answer itself (Bolt sends JSON with text, or plain text)."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return False
    try:
        parsed = json.loads(text)
    except ValueError:
        return True
    return bool(parsed.get("text") or parsed.get("blocks")) if isinstance(parsed, dict) else bool(parsed)
