"""10. Mock interview: how fast a member's answer in the DM is acknowledged, and how soon its
feedback follows.

The Procfile's web process (WEB_CONCURRENCY=WORKERS) with the Web API stand-in on loopback. Then,
signed as Slack signs them, from CONCURRENCY threads of this process, each member in turn:

- `/career mock cto N` from a channel; the first question reaches the member's DM (the stand-in's
  conversations.open gives the DM of user U… as D…);
- per question, READ_S after the question arrived: an answer (a `message` event with
  `channel_type: im`, about 150 characters) ending with 「以上です」, so the feedback is due at once:
  measured, the ack (the listener judges the answer and moves the session before the 200) and the
  time from sending the event until the feedback's chat.postMessage (🔍) reaches the stand-in; then,
  READ_S after the feedback, the follow-up's answer, also ending with 「以上です」 (its ack measured
  too), until 📖 the model answer arrives; then a press of 🙂 普通 under it, until the next question
  (or the summary) arrives.

Then every member starts a one-question session and answers without 「以上です」: the feedback then
follows the quiet spell (MOCK_ANSWER_QUIET_SECONDS, 5 s by default), sent by the worker's timed wake. Measured: how late it comes,
from sending the event until the feedback arrives, less the quiet spell.

Checked, after a short wait for stragglers: every member's DM got each step exactly once (the
questions, the feedback, the model answers, the summary); and the answers' text is nowhere in the
mock interview's tables or the web process's log. Every loop is bounded by a count and a time, and
every request goes to 127.0.0.1. A fresh web process and database per run; on SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.databases import Unavailable, fresh_database
from bench.ingestion import CHANNEL
from bench.plan import Plan
from bench.report import Figure, Target
from bench.servers import web_process
from bench.stats import percentile
from bot.testing.http import request
from bot.testing.signing import action_body, command_body, signed_headers
from bot.testing.slack_api import Call, StubSlackApi

NAME = "10. Mock interview"
ROLE = "cto"  # every CTO question has answer points and a follow-up: each question takes every step
CONCURRENCY = 8  # members answering at the same moment
WORKERS = 2
MAX_ACK_P99_MS = 100  # on loopback; Slack's own limit is 3 s
MAX_FEEDBACK_P99_MS = 1000  # after 「以上です」, or after the quiet spell
WAIT_S = 30.0  # how long any one message of a session is waited for
STRAGGLERS_S = 0.5  # a message sent twice would arrive by then
REQUEST_TIMEOUT_S = 30.0
# A member reads the bot's message before answering it. No person answers faster; a client that
# answers within milliseconds of the previous message's arrival meets the race described in
# docs/PERFORMANCE.md (Findings: the mock interview), whose feedback waits for the interval tick.
READ_S = 0.3
FORM = "application/x-www-form-urlencoded"
# What the members write: the benchmark's own text, never a member's. Its last sentence is looked
# for in the database and the log afterwards, where it must not be.
ANSWER = (
    "前職では、まず事業目標とのつながりを確認してから優先順位を決めていました。売上や解約率への影響を見積もり、"
    "放置するとリスクが大きいものは先に対応します。見送った案件も一覧にして、理由と一緒に経営会議で説明しました。"
    "四半期ごとに数字で振り返るようにしています。"
)
FOLLOW_UP = "まず請求の内訳をサービス別に出して、先月から増えた上位から原因を確認します。使っていない検証環境は止めます。"
MARKER = "四半期ごとに数字で振り返るようにしています"
DONE = "以上です"


def dm_of(user: str) -> str:
    """The member's DM with the bot, as the stand-in's conversations.open gives it."""
    return "D" + user[1:]


class DmWatch(StubSlackApi):
    """The Web API stand-in, indexing chat.postMessage by channel, so that a waiting member wakes up
    on a post to their own DM instead of scanning every recorded call."""

    def __init__(self) -> None:
        super().__init__()
        self._posts: dict[str, list[Call]] = {}
        self._arrived = threading.Condition()

    def _answer(self, call: Call) -> tuple[int, dict, dict]:
        answer = super()._answer(call)
        if call.method == "chat.postMessage":
            with self._arrived:
                self._posts.setdefault(str(call.params.get("channel")), []).append(call)
                self._arrived.notify_all()
        return answer

    def posts(self, channel: str) -> list[Call]:
        with self._arrived:
            return list(self._posts.get(channel, ()))

    def wait_post(self, channel: str, prefix: str, after: int, timeout: float = WAIT_S) -> Call | None:
        """The first post to `channel`, after its first `after` posts, whose text starts with
        `prefix`; None if none came within `timeout`."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for call in self._posts.get(channel, ())[after:]:
                    if str(call.params.get("text") or "").startswith(prefix):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._arrived.wait(left)


@dataclass
class Timings:
    acks: list[float] = field(default_factory=list)  # ms, every DM answer event
    feedback: list[float] = field(default_factory=list)  # ms, 「以上です」 → 🔍
    model: list[float] = field(default_factory=list)  # ms, the follow-up's 「以上です」 → 📖
    quiet: list[float] = field(default_factory=list)  # ms, the feedback's lateness after the quiet spell
    failed: set[str] = field(default_factory=set)  # members whose session stopped short: a message not within WAIT_S
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float) -> None:
        with self.lock:
            getattr(self, kind).append(ms)

    def fail(self, user: str) -> None:
        with self.lock:
            self.failed.add(user)


@dataclass
class Outcome:
    timings: Timings
    wrong: set[str]  # members whose DM did not get each step exactly once
    leaked: int  # places (database, log) where an answer's text was found
    seconds: float


class Members:
    """Signed requests from members: commands, DM messages and button presses."""

    def __init__(self, url: str, stub: DmWatch):
        self.url = url + "/slack/events"
        self.stub = stub
        self._serial = 0
        self._lock = threading.Lock()

    def _next(self) -> int:
        with self._lock:
            self._serial += 1
            return self._serial

    def _post(self, body: str, content_type: str, what: str) -> None:
        answer = request(self.url, body, signed_headers(body, content_type), timeout=REQUEST_TIMEOUT_S)
        if answer.status != 200:
            raise RuntimeError(f"{what} was answered {answer.status}: {answer.text[:300]}")

    def command(self, user: str, words: str) -> None:
        name = f"mock-{self._next():06d}"
        self._post(command_body(words, user_id=user, channel_id=CHANNEL, response_url=self.stub.response_url(name)), FORM, "a command")

    def say(self, user: str, words: str) -> tuple[float, float]:
        """A message in the member's DM, as Slack's Events API delivers it: (sent at, ack in ms)."""
        serial = self._next()
        ts = f"{int(time.time())}.{serial:06d}"
        event = {"type": "message", "channel_type": "im", "channel": dm_of(user), "user": user, "text": words, "ts": ts, "event_ts": ts}
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T0001",
                "api_app_id": "A0001",
                "type": "event_callback",
                "event_id": f"EvMock{serial:08d}",
                "event_time": int(time.time()),
                "event": event,
            },
            ensure_ascii=False,
        )
        started = time.monotonic()
        self._post(body, "application/json", "a DM message")
        return started, (time.monotonic() - started) * 1000

    def grade(self, user: str, model: Call, label: str = "普通") -> None:
        """Press a grade under a posted model answer, as posted."""
        blocks = model.params.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        found = [
            e
            for b in blocks
            if b.get("type") == "actions"
            for e in b.get("elements", [])
            if str(e.get("action_id", "")).startswith("career.mock_grade") and label in e["text"]["text"]
        ]
        if not found:
            raise RuntimeError(f"the model answer carries no {label} button: {str(model.params)[:300]}")
        name = f"mock-{self._next():06d}"
        body = action_body(found[0]["action_id"], found[0]["value"], self.stub.response_url(name), user_id=user, channel_id=dm_of(user))
        self._post(body, FORM, "a grade")


def _session(members: Members, user: str, questions: int, timings: Timings | None) -> bool:
    """One member's session from `/career mock` to the summary; False when a message did not come."""
    stub, dm = members.stub, dm_of(user)
    seen = len(stub.posts(dm))
    members.command(user, f"mock {ROLE} {questions}")
    if stub.wait_post(dm, "🎤 模擬面接 Q1/", seen) is None:
        return False
    for number in range(1, questions + 1):
        after = len(stub.posts(dm))
        time.sleep(READ_S)
        sent, ack = members.say(user, ANSWER + DONE)
        feedback = stub.wait_post(dm, f"🔍 Q{number} ", after)
        if feedback is None:
            return False
        after = len(stub.posts(dm))
        time.sleep(READ_S)
        sent_follow_up, ack_follow_up = members.say(user, FOLLOW_UP + DONE)
        model = stub.wait_post(dm, f"📖 Q{number} ", after)
        if model is None:
            return False
        if timings is not None:
            timings.add("acks", ack)
            timings.add("feedback", (feedback.at - sent) * 1000)
            timings.add("acks", ack_follow_up)
            timings.add("model", (model.at - sent_follow_up) * 1000)
        after = len(stub.posts(dm))
        members.grade(user, model)
        following = f"🎤 模擬面接 Q{number + 1}/" if number < questions else "🎤 模擬面接の結果"
        if stub.wait_post(dm, following, after) is None:
            return False
    return True


def _quiet_answer(members: Members, user: str, timings: Timings) -> tuple[str, int, float] | None:
    """A one-question session answered without 「以上です」: (the member, posts before, sent at),
    the feedback left to the quiet spell; None when the question did not come."""
    stub, dm = members.stub, dm_of(user)
    seen = len(stub.posts(dm))
    members.command(user, f"mock {ROLE} 1")
    if stub.wait_post(dm, "🎤 模擬面接 Q1/", seen) is None:
        timings.fail(user)
        return None
    after = len(stub.posts(dm))
    time.sleep(READ_S)
    sent, ack = members.say(user, ANSWER)
    timings.add("acks", ack)
    return user, after, sent


def _expected(questions: int) -> dict[str, int]:
    """Each step's posts in a member's DM: the measured session, then the one-question session that
    stops at the feedback and its follow-up."""
    return {"🎤 模擬面接 Q": questions + 1, "🔍 Q": questions + 1, "📖 Q": questions, "🎤 模擬面接の結果": 1}


def _steps_wrong(stub: DmWatch, users: list[str], questions: int) -> set[str]:
    """The members whose DM did not get each step exactly once."""
    expected = _expected(questions)
    wrong: set[str] = set()
    for user in users:
        texts = [str(call.params.get("text") or "") for call in stub.posts(dm_of(user))]
        if {prefix: sum(1 for t in texts if t.startswith(prefix)) for prefix in expected} != expected:
            wrong.add(user)
    return wrong


def _leaked(database_url: str, log: Path) -> int:
    """Where an answer's text was found: the mock interview's tables, the web process's log."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            kept = str([connection.execute(text(f"SELECT * FROM {table}")).all() for table in ("mock_sessions", "mock_sends")])
    finally:
        engine.dispose()
    logged = log.read_text(encoding="utf-8", errors="replace")
    escaped = MARKER.encode("unicode_escape").decode()
    return int(MARKER in kept) + int(MARKER in logged or escaped in logged)


def interview(database_url: str, members_count: int, questions: int, workdir: Path, warm_up: int = 4, quiet_s: float = 5.0) -> Outcome:
    """Sessions through one fresh web process on `database_url`, then the checks."""
    stub = DmWatch().start()
    log = workdir / "web.log"
    try:
        with web_process(stub, database_url, log, WEB_CONCURRENCY=str(WORKERS), MOCK_ANSWER_QUIET_SECONDS=f"{quiet_s:g}") as web:
            members = Members(web.url, stub)
            # Warm-up (not timed): each worker takes a session's messages once.
            warm = [f"UMOCKWARM{i}" for i in range(warm_up)]
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                if not all(pool.map(lambda user: _session(members, user, 1, None), warm)):
                    raise RuntimeError(f"a warm-up session did not finish:\n{web.log_tail()}")

            timings = Timings()
            users = [f"UMOCK{i:05d}" for i in range(members_count)]
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                for user, finished in zip(users, pool.map(lambda user: _session(members, user, questions, timings), users), strict=True):
                    if not finished:
                        timings.fail(user)
                waiting = [w for w in pool.map(lambda user: _quiet_answer(members, user, timings), users) if w is not None]
            for user, after, sent in waiting:  # all sent: each feedback is due quiet_s after its answer
                left = max(0.0, sent + quiet_s + WAIT_S - time.monotonic())
                feedback = stub.wait_post(dm_of(user), "🔍 Q1 ", after, timeout=left)
                if feedback is None:
                    timings.fail(user)
                else:
                    timings.add("quiet", (feedback.at - sent - quiet_s) * 1000)
            seconds = time.monotonic() - started
            time.sleep(STRAGGLERS_S)
            wrong = _steps_wrong(stub, users, questions)
        leaked = _leaked(database_url, log)
    finally:
        stub.stop()
    return Outcome(timings, wrong, leaked, seconds)


def run(plan: Plan, workdir: Path, progress: Callable[[str], None]) -> list[Figure]:
    n, q = plan.mock_members, plan.mock_questions
    quiet = f"{plan.mock_quiet_seconds:g} s"
    figures: list[Figure] = []
    for kind in plan.databases:
        label = f"{kind}: {n:,} members, {q} questions each (c={CONCURRENCY}, {WORKERS} workers)"
        figures += [
            Figure(f"mock.{kind}.ack_p99", NAME, f"{label}, DM answer ack p99", "ms", target=Target("<", MAX_ACK_P99_MS)),
            Figure(f"mock.{kind}.ack_p95", NAME, f"{kind}: DM answer ack p95", "ms"),
            Figure(f"mock.{kind}.ack_p50", NAME, f"{kind}: DM answer ack p50", "ms"),
            Figure(
                f"mock.{kind}.feedback_p99",
                NAME,
                f"{kind}: answer ending 「以上です」 → its feedback posted, p99",
                "ms",
                target=Target("<", MAX_FEEDBACK_P99_MS),
            ),
            Figure(f"mock.{kind}.feedback_p50", NAME, f"{kind}: answer ending 「以上です」 → its feedback posted, p50", "ms"),
            Figure(f"mock.{kind}.model_p50", NAME, f"{kind}: follow-up answer ending 「以上です」 → 📖 model answer posted, p50", "ms"),
            Figure(
                f"mock.{kind}.quiet_p99",
                NAME,
                f"{kind}: answer without 「以上です」 → its feedback, beyond the {quiet} quiet spell, p99",
                "ms",
                target=Target("<", MAX_FEEDBACK_P99_MS),
            ),
            Figure(f"mock.{kind}.quiet_p50", NAME, f"{kind}: feedback beyond the {quiet} quiet spell, p50", "ms"),
            Figure(
                f"mock.{kind}.wrong",
                NAME,
                f"{kind}: members whose session stopped short (a message not within {WAIT_S:g} s) or got a step other than once",
                "",
                target=Target("==", 0),
            ),
            Figure(f"mock.{kind}.leaked", NAME, f"{kind}: places an answer's text was found (database, log)", "", target=Target("==", 0)),
        ]
    by_key = {f.key: f for f in figures}
    for run_index in range(plan.runs):
        for kind in plan.databases:  # the backends alternate, so a noisy minute hits both
            run_dir = workdir / f"{kind}-{run_index}"
            try:
                with fresh_database(kind, run_dir) as url:
                    outcome = interview(url, n, q, run_dir, plan.mock_warm_up, plan.mock_quiet_seconds)
            except Unavailable as exc:
                for figure in figures:
                    if figure.key.startswith(f"mock.{kind}."):
                        figure.note = str(exc)
                continue
            t = outcome.timings
            for name, values in (("ack", t.acks), ("feedback", t.feedback), ("quiet", t.quiet)):
                for p in (50, 95, 99):
                    key = f"mock.{kind}.{name}_p{p}"
                    if key in by_key and values:
                        by_key[key].samples.append(percentile(values, p))
            if t.model:
                by_key[f"mock.{kind}.model_p50"].samples.append(percentile(t.model, 50))
            by_key[f"mock.{kind}.wrong"].samples.append(len(t.failed | outcome.wrong))
            by_key[f"mock.{kind}.leaked"].samples.append(outcome.leaked)
            progress(
                f"mock run {run_index + 1}/{plan.runs}, {kind}: {len(t.acks)} DM answers, ack p50/p95/p99 "
                f"{percentile(t.acks, 50):.1f}/{percentile(t.acks, 95):.1f}/{percentile(t.acks, 99):.1f} ms; "
                f"feedback after 「以上です」 p50/p99 {percentile(t.feedback, 50):.0f}/{percentile(t.feedback, 99):.0f} ms; "
                f"after the quiet spell +{percentile(t.quiet, 50):.0f}/+{percentile(t.quiet, 99):.0f} ms; "
                f"{len(t.failed)} stopped short, {len(outcome.wrong)} with a step not posted once, {outcome.leaked} leaks; "
                f"{outcome.seconds:.1f} s"
            )
    for figure in figures:
        if not figure.samples and not figure.note:
            figure.note = "no session got that far"
    return figures
