"""7. Schedule modal: how fast the schedule editor opens, and how fast its submissions are acknowledged.

Slack's trigger_id is valid for 3 s after the slash command, and a view_submission must be
acknowledged within 3 s (its inline errors travel in that acknowledgement). The Procfile's web
process, with its default settings, against the Web API stand-in on loopback, gets, signed as Slack
signs them, one after another:

- an admin's `/career schedule`: measured, the time from sending the command until the stand-in
  receives views.open (the trigger's deadline), and until the filled-in form arrives (views.update);
- a valid submission of each form so opened (a new post time each time): measured, the ack (whose
  body is the 「保存しています…」 view) and the time until the modal says the schedule was saved;
- as many invalid ones (a post time of 25:00): measured, the ack, whose body carries the inline
  error on the time block.

Checked: every ack is the one it should be, and every valid submission was saved.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.ingestion import CHANNEL
from bench.plan import Plan
from bench.report import Figure, Target
from bench.servers import ADMIN, web_process
from bench.stats import percentile
from bot.testing.http import request
from bot.testing.signing import (
    command_body,
    form_state,
    signed_headers,
    view_submission_body,
)
from bot.testing.slack_api import StubSlackApi

NAME = "7. Schedule modal"
MAX_OPEN_MS = 3000  # Slack's trigger_id lifetime
MAX_ACK_P99_MS = 100  # on loopback; Slack's own limit is 3 s
WAIT_S = 30.0  # how long a views.open / views.update is waited for, per request
REQUEST_TIMEOUT_S = 30.0
FORM = "application/x-www-form-urlencoded"
WARM_UP_FORMS = 4


def run(plan: Plan, workdir: Path, progress: Callable[[str], None]) -> list[Figure]:
    n = plan.modal_submissions
    figures = [
        Figure("modal.open_p99", NAME, f"`/career schedule` → views.open (p99, {n} commands a run)", "ms", target=Target("<", MAX_OPEN_MS)),
        Figure("modal.open_p50", NAME, "`/career schedule` → views.open (p50)", "ms"),
        Figure("modal.filled_p50", NAME, "`/career schedule` → the form filled in by views.update (p50)", "ms"),
        Figure("modal.valid.ack_p99", NAME, f"valid submission: ack p99 ({n} a run)", "ms", target=Target("<", MAX_ACK_P99_MS)),
        Figure("modal.valid.ack_p50", NAME, "valid submission: ack p50", "ms"),
        Figure("modal.valid.saved_p50", NAME, "valid submission → the modal says it was saved (p50)", "ms"),
        Figure(
            "modal.invalid.ack_p99",
            NAME,
            f"invalid submission (inline error): ack p99 ({n} a run)",
            "ms",
            target=Target("<", MAX_ACK_P99_MS),
        ),
        Figure("modal.invalid.ack_p50", NAME, "invalid submission: ack p50", "ms"),
        Figure("modal.unsaved", NAME, "valid submissions not saved, or acks not as expected", "", target=Target("==", 0)),
    ]
    by_key = {f.key: f for f in figures}
    stub = StubSlackApi().start()
    try:
        with web_process(stub, f"sqlite:///{workdir / 'web.sqlite3'}", workdir / "web.log") as web:
            # Warm-up, not counted: each worker's first requests of a kind pay for imports and first connections.
            _measure(web.url, stub, WARM_UP_FORMS)
            for run_index in range(plan.runs):
                result = _measure(web.url, stub, n)
                for key, samples in (
                    ("modal.open", result.opens),
                    ("modal.valid.ack", result.valid_acks),
                    ("modal.invalid.ack", result.invalid_acks),
                ):
                    by_key[f"{key}_p99"].samples.append(percentile(samples, 99))
                    by_key[f"{key}_p50"].samples.append(percentile(samples, 50))
                by_key["modal.filled_p50"].samples.append(percentile(result.filled, 50))
                if result.saved:
                    by_key["modal.valid.saved_p50"].samples.append(percentile(result.saved, 50))
                by_key["modal.unsaved"].samples.append(result.wrong)
                progress(
                    f"modal run {run_index + 1}/{plan.runs}: views.open after {percentile(result.opens, 50):.0f} ms (p50); "
                    f"acks {percentile(result.valid_acks, 50):.1f} / {percentile(result.invalid_acks, 50):.1f} ms (valid / invalid, p50); "
                    f"{len(result.saved)} of {n} saved; valid acks in {', '.join(f'{a:.0f}' for a in result.valid_acks)} ms"
                )
    finally:
        stub.stop()
    if not by_key["modal.valid.saved_p50"].samples:
        by_key["modal.valid.saved_p50"].note = "no submission was saved"
    return figures


class _Result:
    def __init__(self) -> None:
        self.opens: list[float] = []
        self.filled: list[float] = []
        self.valid_acks: list[float] = []
        self.invalid_acks: list[float] = []
        self.saved: list[float] = []
        self.wrong = 0


def _measure(url: str, stub: StubSlackApi, count: int) -> _Result:
    result = _Result()
    for index in range(count):
        opened_before, updated_before = len(stub.calls_to("views.open")), len(stub.calls_to("views.update"))
        body = command_body("schedule", user_id=ADMIN, channel_id=CHANNEL, response_url=stub.response_url(f"modal-{uuid.uuid4().hex[:12]}"))
        started = time.monotonic()
        ack = request(url + "/slack/events", body, signed_headers(body, FORM), timeout=REQUEST_TIMEOUT_S)
        if ack.status != 200:
            raise RuntimeError(f"/career schedule answered {ack.status}: {ack.text[:300]}")
        opened = _wait(stub, "views.open", opened_before + 1)
        filled = _wait(stub, "views.update", updated_before + 1)
        if opened is None or filled is None:
            result.wrong += 1
            continue
        result.opens.append((opened.at - started) * 1000)
        result.filled.append((filled.at - started) * 1000)
        view = filled.params["view"]
        view = {**(json.loads(view) if isinstance(view, str) else view), "id": filled.params["view_id"]}

        invalid, took = _submit(url, view, time="25:00")
        result.invalid_acks.append(took)
        if invalid.get("response_action") != "errors" or "time" not in (invalid.get("errors") or {}):
            result.wrong += 1

        post_time = f"{6 + index % 12:02d}:{index * 7 % 60:02d}"  # a change every time
        updated_before = len(stub.calls_to("views.update"))
        sent = time.monotonic()
        valid, took = _submit(url, view, role="all", time=post_time)
        result.valid_acks.append(took)
        saved = _wait(stub, "views.update", updated_before + 1)
        text = json.dumps(saved.params.get("view"), ensure_ascii=False) if saved is not None else ""
        if valid.get("response_action") != "update" or "保存しました" not in text or post_time not in text:
            result.wrong += 1
        else:
            result.saved.append((saved.at - sent) * 1000)  # type: ignore[union-attr]
    return result


def _submit(url: str, view: dict, **changes: str) -> tuple[dict, float]:
    body = view_submission_body(view, user_id=ADMIN, values=form_state(view, **changes))
    started = time.monotonic()
    answer = request(url + "/slack/events", body, signed_headers(body, FORM), timeout=REQUEST_TIMEOUT_S)
    took = (time.monotonic() - started) * 1000
    if answer.status != 200:
        raise RuntimeError(f"a view_submission answered {answer.status}: {answer.text[:300]}")
    return (answer.json() if answer.body.strip() else {}), took


def _wait(stub: StubSlackApi, method: str, count: int):
    """The `count`-th call of `method` (waited for, bounded), or None."""
    found = stub.wait_for(method, count=count, timeout=WAIT_S)
    return found[count - 1] if len(found) >= count else None
