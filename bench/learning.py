"""6. Learning: members grade a revealed drill, and walk their private review queue.

The Procfile's web process runs with DRILL_TICK_SECONDS=0.2. An admin sets a schedule, asks for
`/career drill now` and then `/career drill reveal`, as in the reply-ingestion benchmark; the reveal
the scheduler posts to the Web API stand-in carries the four self-grade buttons. Then, all signed
as Slack signs them, from CONCURRENCY threads of this process:

- every member presses one of those buttons (the action id and value as posted, the grades spread
  over the four); every DOUBLE_CLICK_EVERY-th member presses theirs twice at once (a double click);
- some of them (the first half, in both plans) walk `/career review` → 回答ポイントを見る (`career.review_points.0`) →
  a grade (`career.review_grade.N`), each step pressing the button the previous answer carried;
  every DOUBLE_CLICK_EVERY-th walk double-clicks its grade.

Every request has a response_url of its own. Measured per request: the ack (the HTTP 200 of the
signed request) and the answer (from sending the request until the private answer reaches the
stand-in's response_url: the ack, the database work and the call out). Checked: every request got the
answer it should (a confirmation, the review card, the answer points); and, read from the database
afterwards, every member has exactly one review of the drill's question (a double click counts
once), holding the grade they pressed last, and an FSRS card rebuilt from that one review; the same
for the question each walk graded. On SQLite and on PostgreSQL.
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

from bench.databases import Unavailable, count, fresh_database
from bench.ingestion import CHANNEL, admin_command, post_drill
from bench.plan import Plan
from bench.report import Figure, Target
from bench.servers import web_process
from bench.stats import percentile
from bot.testing.http import request
from bot.testing.signing import action_body, command_body, signed_headers
from bot.testing.slack_api import Call, StubSlackApi

NAME = "6. Learning"
CONCURRENCY = 8  # members pressing at the same moment
DOUBLE_CLICK_EVERY = 4  # every 4th member's press is a double click
MAX_ACK_P99_MS = 100  # on loopback; Slack's own limit is 3 s
MAX_ANSWER_P99_MS = 1000
ANSWER_WAIT_S = 30.0  # how long an answer is waited for, per request
REQUEST_TIMEOUT_S = 30.0
WARM_UP_MEMBERS = 4  # grade and walk once before the measurement (both workers), not timed
FORM = "application/x-www-form-urlencoded"


class AnswerWatch(StubSlackApi):
    """The Web API stand-in, indexing what reaches each response_url by its name, so that a waiting
    member wakes up on their answer instead of scanning every recorded call."""

    def __init__(self) -> None:
        super().__init__()
        self._answers: dict[str, Call] = {}
        self._arrived = threading.Condition()

    def _answer(self, call: Call) -> tuple[int, dict, dict]:
        answer = super()._answer(call)
        if call.method == "response_url":
            with self._arrived:
                self._answers.setdefault(call.path.rsplit("/", 1)[-1], call)
                self._arrived.notify_all()
        return answer

    def wait_answer(self, name: str, timeout: float) -> Call | None:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while name not in self._answers:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._arrived.wait(left)
            return self._answers[name]


@dataclass
class Timings:
    acks: list[float] = field(default_factory=list)  # ms
    answers: list[float] = field(default_factory=list)  # ms, answered requests only
    wrong: int = 0  # requests not answered within ANSWER_WAIT_S, or answered with something else
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ack_ms: float, answer_ms: float | None, right: bool) -> None:
        with self.lock:
            self.acks.append(ack_ms)
            if answer_ms is not None:
                self.answers.append(answer_ms)
            if answer_ms is None or not right:
                self.wrong += 1


@dataclass
class Outcome:
    grades: Timings
    walks: Timings
    drill_wrong: int  # members without exactly one review (and a card from it) of the drill's question
    walk_wrong: int  # walks without exactly one review (and a card from it) of the question they graded
    seconds: float


class Members:
    """Signed requests from members, each with a response_url of its own, timed."""

    def __init__(self, url: str, stub: AnswerWatch):
        self.url = url + "/slack/events"
        self.stub = stub
        self._serial = 0
        self._lock = threading.Lock()

    def _name(self, kind: str) -> str:
        with self._lock:
            self._serial += 1
            return f"{kind}-{self._serial:06d}"

    def send(self, body_for: Callable[[str], str], kind: str, timings: Timings | None, check: Callable[[dict], bool]) -> dict | None:
        """Send one request; the params of its answer (None if none came), timed into `timings`."""
        name = self._name(kind)
        body = body_for(self.stub.response_url(name))
        started = time.monotonic()
        ack = request(self.url, body, signed_headers(body, FORM), timeout=REQUEST_TIMEOUT_S)
        acked = time.monotonic()
        if ack.status != 200:
            raise RuntimeError(f"a {kind} request was answered {ack.status}: {ack.text[:300]}")
        if ack.body.strip():
            raise RuntimeError(f"a {kind} request was answered inside its ack, not through its response_url: {ack.text[:300]}")
        call = self.stub.wait_answer(name, ANSWER_WAIT_S)
        params = call.params if call is not None else None
        if timings is not None:
            answer_ms = (call.at - started) * 1000 if call is not None else None
            timings.add((acked - started) * 1000, answer_ms, params is not None and check(params))
        return params

    def press(self, user: str, button: dict, timings: Timings | None, check: Callable[[dict], bool]) -> dict | None:
        return self.send(
            lambda response_url: action_body(button["action_id"], button["value"], response_url, user_id=user, channel_id=CHANNEL),
            button["action_id"].split(".")[1],
            timings,
            check,
        )

    def review(self, user: str, timings: Timings | None) -> dict | None:
        return self.send(
            lambda response_url: command_body("review", user_id=user, channel_id=CHANNEL, response_url=response_url),
            "review",
            timings,
            _offers("career.review_points."),
        )


def buttons(params: dict, prefix: str) -> list[dict]:
    """The buttons of a message (as posted, or as sent to a response_url) whose action id starts with `prefix`."""
    blocks = params.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [
        e for b in blocks if b.get("type") == "actions" for e in b.get("elements", []) if str(e.get("action_id", "")).startswith(prefix)
    ]


def _offers(prefix: str) -> Callable[[dict], bool]:
    return lambda params: bool(buttons(params, prefix))


def _confirms(params: dict) -> bool:
    """A grade's answer: the "✅ … の自己評価を…" line (never the ⚠️ notice of a refused grade)."""
    shown = json.dumps(params, ensure_ascii=False)
    return "の自己評価を" in shown and "⚠️" not in shown


def reveal_grade_buttons(url: str, stub: StubSlackApi) -> list[dict]:
    """Post a drill and reveal it, as an admin would; the grade buttons under the reveal."""
    post_drill(url, stub)
    admin_command(url, stub, "drill reveal")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for call in stub.calls_to("chat.postMessage"):
            found = buttons(call.params, "career.grade.")
            if found:
                return found
        time.sleep(0.05)
    raise RuntimeError("the web process did not post the reveal with its grade buttons within 30 s")


def _wait_revealed(database_url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count(database_url, "SELECT count(*) FROM drills WHERE status = 'revealed'") >= 1:
            return
        time.sleep(0.1)
    raise RuntimeError("the drill was not recorded as revealed within 30 s")


def _walk(members: Members, user: str, grade_index: int, double: bool, timings: Timings | None) -> tuple[str, str, int]:
    """`/career review` → 回答ポイントを見る → a grade; the (role, question id, grade) graded."""
    card = members.review(user, timings)
    points = buttons(card or {}, "career.review_points.")
    if not points:
        raise RuntimeError(f"/career review offered {user} no question: {str(card)[:300]}")
    answer = members.press(user, points[0], timings, _offers("career.review_grade."))
    grades = buttons(answer or {}, "career.review_grade.")
    if len(grades) != 4:
        raise RuntimeError(f"回答ポイントを見る showed {user} {len(grades)} grade buttons: {str(answer)[:300]}")
    button = grades[grade_index]
    role, question_id, grade = button["value"].split("|")
    presses = 2 if double else 1
    with ThreadPoolExecutor(max_workers=presses) as clicks:  # a double click: both requests at once
        for click in [clicks.submit(members.press, user, button, timings, _confirms) for _ in range(presses)]:
            click.result()
    return role, question_id, int(grade)


def learn(database_url: str, members_count: int, walks_count: int, workdir: Path) -> Outcome:
    """Grades and review walks through one fresh web process on `database_url`, then the database's check."""
    stub = AnswerWatch().start()
    try:
        with web_process(stub, database_url, workdir / "web.log", DRILL_TICK_SECONDS="0.2") as web:
            grade_buttons = reveal_grade_buttons(web.url, stub)
            if len(grade_buttons) != 4:
                raise RuntimeError(f"the reveal carries {len(grade_buttons)} grade buttons, not 4")
            drill_id = int(grade_buttons[0]["value"].split("|")[0])
            _wait_revealed(database_url)
            members = Members(web.url, stub)
            expected: dict[str, int] = {}  # member -> the grade they pressed last on the drill's question
            walked: dict[str, tuple[str, str, int]] = {}

            # Warm-up: each worker grades and walks once before anything is timed.
            warm = [f"UWARM{i:04d}" for i in range(WARM_UP_MEMBERS)]
            with ThreadPoolExecutor(max_workers=2) as pool:
                for user in warm:
                    expected[user] = int(grade_buttons[2]["value"].split("|")[1])
                list(pool.map(lambda user: members.press(user, grade_buttons[2], None, _confirms), warm))
                for user, result in zip(warm, pool.map(lambda user: _walk(members, user, 2, False, None), warm), strict=False):
                    walked[user] = result

            started = time.monotonic()
            grades, walks = Timings(), Timings()
            users = [f"ULEARN{i:05d}" for i in range(members_count)]
            presses: list[tuple[str, dict]] = []
            for i, user in enumerate(users):
                button = grade_buttons[i % 4]
                expected[user] = int(button["value"].split("|")[1])
                presses += [(user, button)] * (2 if i % DOUBLE_CLICK_EVERY == 0 else 1)
            with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                list(pool.map(lambda press: members.press(press[0], press[1], grades, _confirms), presses))
            with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                chosen = users[:walks_count]
                runs = pool.map(lambda i: _walk(members, chosen[i], (i + 1) % 4, i % DOUBLE_CLICK_EVERY == 0, walks), range(len(chosen)))
                walked.update(zip(chosen, runs, strict=False))
            seconds = time.monotonic() - started
        drill_wrong, walk_wrong = check_reviews(database_url, drill_id, expected, walked)
    finally:
        stub.stop()
    return Outcome(grades, walks, drill_wrong, walk_wrong, seconds)


def check_reviews(database_url: str, drill_id: int, expected: dict[str, int], walked: dict[str, tuple[str, str, int]]) -> tuple[int, int]:
    """(members whose review of the drill's question is wrong, walks whose review is wrong), read
    from the database: right is exactly one review row of the question, holding the grade pressed
    last, and the member's card of it rebuilt from that one review."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            role, question_id = connection.execute(text("SELECT role_slug, question_id FROM drills WHERE id = :id"), {"id": drill_id}).one()
            reviews: dict[tuple[str, str, str], list[int]] = {}
            for user, r, q, rating in connection.execute(text("SELECT user_id, role_slug, question_id, rating FROM reviews")):
                reviews.setdefault((user, r, q), []).append(int(rating))
            cards = {
                (user, r, q): int(n)
                for user, r, q, n in connection.execute(text("SELECT user_id, role_slug, question_id, reviews FROM cards"))
            }
    finally:
        engine.dispose()

    def right(user: str, r: str, q: str, grade: int) -> bool:
        return reviews.get((user, r, q)) == [grade] and cards.get((user, r, q)) == 1

    # The drill's question: a member whose review queue offered it again graded it last there.
    drill_grade = {
        user: walked[user][2] if user in walked and walked[user][:2] == (role, question_id) else grade for user, grade in expected.items()
    }
    drill_wrong = sum(1 for user, grade in drill_grade.items() if not right(user, role, question_id, grade))
    drill_wrong += sum(1 for (user, r, q) in reviews if (r, q) == (role, question_id) and user not in expected)  # nobody else graded
    walk_wrong = sum(1 for user, (r, q, grade) in walked.items() if not right(user, r, q, grade))
    return drill_wrong, walk_wrong


def run(plan: Plan, workdir: Path, progress: Callable[[str], None]) -> list[Figure]:
    n, w = plan.learning_members, plan.learning_walks
    doubles = len(range(0, n, DOUBLE_CLICK_EVERY))
    figures: list[Figure] = []
    for kind in plan.databases:
        grade = f"{kind}: {n:,} members grade a reveal ({doubles} double clicks, c={CONCURRENCY})"
        walk = f"{kind}: {w:,} `/career review` walks (review → points → grade)"
        figures += [
            Figure(f"learning.{kind}.grade.ack_p99", NAME, f"{grade}, ack p99", "ms", target=Target("<", MAX_ACK_P99_MS)),
            Figure(f"learning.{kind}.grade.answer_p99", NAME, f"{grade}, answer p99", "ms", target=Target("<", MAX_ANSWER_P99_MS)),
            Figure(f"learning.{kind}.grade.ack_p50", NAME, f"{kind}: grades, ack p50", "ms"),
            Figure(f"learning.{kind}.grade.answer_p50", NAME, f"{kind}: grades, answer p50", "ms"),
            Figure(f"learning.{kind}.walk.ack_p99", NAME, f"{walk}, ack p99", "ms", target=Target("<", MAX_ACK_P99_MS)),
            Figure(f"learning.{kind}.walk.answer_p99", NAME, f"{walk}, answer p99", "ms", target=Target("<", MAX_ANSWER_P99_MS)),
            Figure(f"learning.{kind}.walk.ack_p50", NAME, f"{kind}: review walks, ack p50", "ms"),
            Figure(f"learning.{kind}.walk.answer_p50", NAME, f"{kind}: review walks, answer p50", "ms"),
            Figure(
                f"learning.{kind}.unanswered",
                NAME,
                f"{kind}: requests not answered as they should be within {ANSWER_WAIT_S:g} s",
                "",
                target=Target("==", 0),
            ),
            Figure(
                f"learning.{kind}.drill_reviews_wrong",
                NAME,
                f"{kind}: members without exactly one review of the drill's question",
                "",
                target=Target("==", 0),
            ),
            Figure(
                f"learning.{kind}.walk_reviews_wrong",
                NAME,
                f"{kind}: walks without exactly one review of the question graded",
                "",
                target=Target("==", 0),
            ),
        ]
    by_key = {f.key: f for f in figures}
    for run_index in range(plan.runs):
        for kind in plan.databases:  # the backends alternate, so a noisy minute hits both
            run_dir = workdir / f"{kind}-{run_index}"
            try:
                with fresh_database(kind, run_dir) as url:
                    outcome = learn(url, n, w, run_dir)
            except Unavailable as exc:
                for figure in figures:
                    if figure.key.startswith(f"learning.{kind}."):
                        figure.note = str(exc)
                continue
            for name, timings in (("grade", outcome.grades), ("walk", outcome.walks)):
                by_key[f"learning.{kind}.{name}.ack_p99"].samples.append(percentile(timings.acks, 99))
                by_key[f"learning.{kind}.{name}.ack_p50"].samples.append(percentile(timings.acks, 50))
                if timings.answers:
                    by_key[f"learning.{kind}.{name}.answer_p99"].samples.append(percentile(timings.answers, 99))
                    by_key[f"learning.{kind}.{name}.answer_p50"].samples.append(percentile(timings.answers, 50))
            by_key[f"learning.{kind}.unanswered"].samples.append(outcome.grades.wrong + outcome.walks.wrong)
            by_key[f"learning.{kind}.drill_reviews_wrong"].samples.append(outcome.drill_wrong)
            by_key[f"learning.{kind}.walk_reviews_wrong"].samples.append(outcome.walk_wrong)
            g, k = outcome.grades, outcome.walks
            progress(
                f"learning run {run_index + 1}/{plan.runs}, {kind}: {len(g.acks)} grade presses, ack p50/p99 "
                f"{percentile(g.acks, 50):.1f}/{percentile(g.acks, 99):.1f} ms, answer {percentile(g.answers, 50):.0f}/{percentile(g.answers, 99):.0f} ms; "
                f"{len(k.acks)} walk requests, ack {percentile(k.acks, 50):.1f}/{percentile(k.acks, 99):.1f} ms, "
                f"answer {percentile(k.answers, 50):.0f}/{percentile(k.answers, 99):.0f} ms; {g.wrong + k.wrong} not answered right; "
                f"{outcome.drill_wrong} members and {outcome.walk_wrong} walks with a wrong review; {outcome.seconds:.1f} s"
            )
    for figure in figures:
        if not figure.samples and not figure.note:
            figure.note = "no request was answered"
    return figures
