"""The reliability suite: real bot processes, a Web API stand-in that counts every message, and faults.

    python -m bench.reliability            # every scenario, 200 drills each; writes docs/RELIABILITY.md
    python -m bench.reliability --drills 40 --scenario replicas-postgres
    python -m bench.reliability --workspaces 1   # the single-workspace deployment (SLACK_BOT_TOKEN)

Each scenario starts bot processes exactly as the Procfile does (`release:` then `web:`). By
default they run in OAuth mode and two workspaces are installed through the web process, as a
member would (GET /slack/install, then /slack/oauth_redirect with Slack's code and the state
cookie; the stand-in answers oauth.v2.access with a bot token per workspace). Half the channels
belong to each workspace: their drill schedules are set through signed `/career schedule set`
commands carrying the workspace's team id, from that workspace's admin (ADMIN_USER_IDS as
T…:U…), all due at the same minute with the reveal one minute later, and the real clock runs.
The stand-in Web API is "Slack": every message the bot posts is counted there by its metadata, so
a duplicate cannot hide, and every call is checked for the token it used.
Per scenario it reports drills attempted / posted / missed / lost / duplicated, reveals made /
lost / duplicated, and calls made with the wrong workspace's token. "Lost" means neither posted
nor recorded as missed; "missed" is a drill the bot could not post before its reveal time and
recorded as such.

All traffic stays on 127.0.0.1; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.testing.db import POSTGRES_URL, postgres_available  # noqa: E402
from bot.testing.http import request  # noqa: E402
from bot.testing.oauth import install_workspace  # noqa: E402
from bot.testing.signing import BOT_TOKEN, SIGNING_SECRET, command_body, signed_headers  # noqa: E402
from bot.testing.slack_api import FaultPlan, StubSlackApi  # noqa: E402

ADMIN = "UADMIN001"


# ----------------------------------------------------------------------------- workspaces


@dataclass(frozen=True)
class Workspace:
    team_id: str
    name: str
    token: str  # the bot token Slack (the stand-in) gives this workspace
    admin: str  # the member who sets its schedules


# The single-workspace deployment: SLACK_BOT_TOKEN, whose auth.test at the stand-in names T0001.
SINGLE = Workspace("T0001", "study", BOT_TOKEN, ADMIN)
# OAuth mode: two workspaces, each installed through the web process.
WORKSPACES = (
    Workspace("TRELALPHA1", "信頼性チームA", "xoxb-reliability-alpha-0123456789", "UADMINA01"),
    Workspace("TRELBRAVO1", "信頼性チームB", "xoxb-reliability-bravo-0123456789", "UADMINB01"),
)
CLIENT_ID, CLIENT_SECRET = "4444.5555", "reliability-client-secret-0123456789"


def workspaces_for(count: int) -> tuple[Workspace, ...]:
    return (SINGLE,) if count == 1 else WORKSPACES[:count]


def slack_env(stub: StubSlackApi, workspaces: tuple[Workspace, ...]) -> dict[str, str]:
    """The Slack part of the bot's environment: SINGLE's bot token (the single-workspace
    deployment), or OAuth credentials and each workspace's admin as T…:U… (OAuth mode)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SCOPES", "SLACK_REDIRECT_URI")
    }
    env.update(SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=stub.api_url)
    if workspaces == (SINGLE,):
        env.update(SLACK_BOT_TOKEN=BOT_TOKEN, ADMIN_USER_IDS=ADMIN)
    else:
        stub.oauth_client = (CLIENT_ID, CLIENT_SECRET)
        env.update(
            SLACK_CLIENT_ID=CLIENT_ID,
            SLACK_CLIENT_SECRET=CLIENT_SECRET,
            ADMIN_USER_IDS=",".join(f"{w.team_id}:{w.admin}" for w in workspaces),
        )
    return env


def install(url: str, stub: StubSlackApi, workspace: Workspace) -> None:
    """A member of `workspace` installs the app through the install page (bot.testing.oauth)."""
    install_workspace(url, stub, workspace.team_id, workspace.name, workspace.token, installer=workspace.admin)


def secrets_of(workspaces: tuple[Workspace, ...]) -> list[str]:
    """What must never appear in a process's log."""
    return [SIGNING_SECRET, CLIENT_SECRET, BOT_TOKEN, *(w.token for w in workspaces)]


def wrong_tokens(stub: StubSlackApi, owners: dict[str, Workspace]) -> tuple[int, Counter]:
    """Web API calls made with another token than their workspace's: a call naming a channel or a
    member of a workspace must carry that workspace's token, and every call one of the tokens the
    workspaces were given. Returns (wrong, calls checked per method)."""
    tokens = {w.token for w in owners.values()}
    wrong, checked = 0, Counter()
    for call in stub.calls[:]:
        if call.method in ("response_url", "oauth.v2.access"):
            continue
        owner = owners.get(str(call.params.get("channel") or "")) or owners.get(
            str(call.params.get("user") or call.params.get("users") or "")
        )
        if owner is not None:
            checked[call.method] += 1
        if call.token not in tokens or (owner is not None and call.token != owner.token):
            wrong += 1
    return wrong, checked


# ----------------------------------------------------------------------------- a TCP proxy we can cut


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to the database; `cut()` drops every connection and refuses new
    ones until `restore()` — the database "unreachable" without touching the server itself."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._open = True
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop:
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            if not self._open:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, server]
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while not self._stop:
                ready, _, _ = select.select([a, b], [], [], 0.5)
                for src in ready:
                    data = src.recv(65536)
                    if not data:
                        return
                    (b if src is a else a).sendall(data)
        except OSError:
            return
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self) -> None:
        self._open = False
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def restore(self) -> None:
        self._open = True

    def close(self) -> None:
        self._stop = True
        self.cut()
        self.listener.close()


# ----------------------------------------------------------------------------- bot processes


def procfile(kind: str) -> list[str]:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{kind}:"):
            return [sys.executable if w == "python" else w for w in line.split(":", 1)[1].split()]
    raise SystemExit(f"Procfile has no {kind} process")


class BotProcess:
    def __init__(self, name: str, env: dict[str, str], logdir: Path):
        self.name, self.env, self.logdir = name, env, logdir
        self.process: subprocess.Popen | None = None
        self.url: str | None = None
        self.starts = 0
        self._log = None

    def start(self, timeout: float = 30) -> None:
        self.starts += 1
        log_path = self.logdir / f"{self.name}.{self.starts}.log"
        if self._log:
            self._log.close()
        self._log = open(log_path, "w")
        self.process = subprocess.Popen(
            procfile("web"), cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(r"Listening at: http://[\d.]+:(\d+)", log_path.read_text())
            if match:
                self.url = f"http://127.0.0.1:{match.group(1)}"
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start: {log_path.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group (gunicorn master and its worker), as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log:
            self._log.close()

    @property
    def alive(self) -> bool:
        return bool(self.process and self.process.poll() is None)

    def logs(self) -> str:
        return "".join(p.read_text() for p in sorted(self.logdir.glob(f"{self.name}.*.log")))


# ----------------------------------------------------------------------------- scenarios


@dataclass
class Scenario:
    name: str
    title: str
    database: str  # "postgres" | "sqlite"
    processes: int
    faults: FaultPlan | None = None
    kill_every: tuple[float, float] | None = None  # SIGKILL a random process every (min, max) s
    db_outage: float = 0.0  # seconds the database is unreachable, starting 5 s before the drills are due


SCENARIOS = [
    Scenario("replicas-postgres", "3 replicas on PostgreSQL", "postgres", 3),
    Scenario("replicas-sqlite", "2 processes on one SQLite file", "sqlite", 2),
    Scenario(
        "webapi-faults",
        "3 replicas; chat.postMessage/chat.update: 15% 429, 10% 500, 5% hang past the client timeout",
        "postgres",
        3,
        faults=FaultPlan(rate_429=0.15, rate_500=0.10, rate_hang=0.05, hang_seconds=3.0, seed=7),
    ),
    Scenario(
        "sigkill",
        "3 replicas; one SIGKILLed every 4–9 s through post → record → reveal, then restarted",
        "postgres",
        3,
        kill_every=(4.0, 9.0),
    ),
    Scenario("db-outage", "3 replicas; PostgreSQL unreachable for 20 s as the drills fall due", "postgres", 3, db_outage=20.0),
]


@dataclass
class Result:
    scenario: Scenario
    drills: int
    posted: int = 0
    missed: int = 0
    lost: int = 0
    duplicated: int = 0
    reveals: int = 0
    reveals_lost: int = 0
    reveals_duplicated: int = 0
    wrong_token: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def run_scenario(scenario: Scenario, drills: int, workdir: Path, log=print, workspaces: tuple[Workspace, ...] = WORKSPACES) -> Result:
    stub = StubSlackApi().start()
    stub.faults = scenario.faults
    proxy: CuttableProxy | None = None
    schema = f"rel_{uuid.uuid4().hex[:10]}"
    admin_engine = None
    if scenario.database == "postgres":
        admin_engine = create_engine(POSTGRES_URL)
        with admin_engine.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        base = POSTGRES_URL
        if scenario.db_outage:
            proxy = CuttableProxy(("127.0.0.1", 5432))
            base = re.sub(r"@[^/]+/", f"@127.0.0.1:{proxy.port}/", POSTGRES_URL)
        database_url = f"{base}?options=-csearch_path%3D{schema}"
        count_url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    else:
        database_url = count_url = f"sqlite:///{workdir / 'bot.sqlite3'}"
    faulty = scenario.faults is not None or scenario.kill_every is not None or bool(scenario.db_outage)
    home = workdir / "home"  # where Bolt would keep file stores: none may appear
    home.mkdir()
    env = {
        **slack_env(stub, workspaces),
        "HOME": str(home),
        "DATABASE_URL": database_url,
        "PORT": "0",
        "DRILL_TICK_SECONDS": "1",
        # Short timeouts and leases so that takeovers happen within the run.
        "SLACK_TIMEOUT_SECONDS": "1.5" if faulty else "5",
        "DRILL_LEASE_SECONDS": "10" if faulty else "30",
        "LOG_LEVEL": "INFO",
    }
    result = Result(scenario, drills)
    bots = [BotProcess(f"{scenario.name}-{i}", env, workdir) for i in range(scenario.processes)]
    stop = threading.Event()
    try:
        release = subprocess.run(procfile("release"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        if release.returncode != 0:
            raise RuntimeError(f"release step failed: {release.stderr[-1000:]}")
        for bot in bots:
            bot.start()
        if workspaces != (SINGLE,):
            # The processes share the database, so one install (through any of them) serves all.
            for i, workspace in enumerate(workspaces):
                install(bots[i % len(bots)].url, stub, workspace)
            log(f"  installed {', '.join(w.team_id for w in workspaces)} through /slack/install and /slack/oauth_redirect")
        # Due at the start of a minute at least 25 s away, so every schedule is in before it.
        now = datetime.now(timezone.utc)
        due = (now + timedelta(seconds=85)).replace(second=0, microsecond=0)
        channels = [f"CREL{i:05d}" for i in range(drills)]
        # Channel i is workspace i mod n's; its command goes to a replica that varies within each workspace.
        owner = {channel: workspaces[i % len(workspaces)] for i, channel in enumerate(channels)}
        for i, channel in enumerate(channels):
            workspace = owner[channel]
            # Acked at once; the confirmation follows through the command's response_url.
            body = command_body(
                f"schedule set ciso {due:%H:%M} tz=UTC reveal=+1m",
                user_id=workspace.admin,
                channel_id=channel,
                response_url=stub.response_url(f"set-{channel}"),
                team_id=workspace.team_id,
            )
            bot = bots[(i // len(workspaces)) % len(bots)]
            ack = request(bot.url + "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded"))
            answer = stub.answer_at(f"set-{channel}", timeout=30) if ack.status == 200 else {}
            if "設定しました" not in answer.get("text", ""):
                raise RuntimeError(f"schedule set failed for {channel}: {ack.status} {str(answer)[:200]}")
        spare = (due - datetime.now(timezone.utc)).total_seconds()
        if spare < 3:
            raise RuntimeError(f"setting {drills} schedules took until {spare:.0f} s before they fell due: run fewer drills")
        log(
            f"  {drills} schedules set in {(datetime.now(timezone.utc) - now).total_seconds():.0f} s "
            f"({', '.join(f'{sum(1 for c in channels if owner[c] is w)} in {w.team_id}' for w in workspaces)}); due {due:%H:%M:%S} UTC, reveal {due + timedelta(minutes=1):%H:%M:%S} UTC"
        )

        threads = []
        if scenario.kill_every:
            threads.append(threading.Thread(target=_killer, args=(bots, scenario.kill_every, due, stop, result), daemon=True))
        if proxy is not None:
            threads.append(
                threading.Thread(target=_outage, args=(proxy, due - timedelta(seconds=5), scenario.db_outage, stop, result), daemon=True)
            )
        for t in threads:
            t.start()

        started = time.monotonic()
        deadline = due + timedelta(minutes=1, seconds=100)
        while datetime.now(timezone.utc) < deadline:
            if _count(stub, channels)[1] == drills and datetime.now(timezone.utc) > due + timedelta(minutes=1, seconds=5):
                if all(_settled(count_url)):
                    break
            time.sleep(1)
        stop.set()
        for t in threads:
            t.join(30)
        time.sleep(3)  # a few more ticks: anything that would fire twice has its chance to
        result.seconds = time.monotonic() - started
        questions, reveals_by_channel = _by_channel(stub)
        statuses = _statuses(count_url)
        teams = _teams(count_url)
        result.posted = sum(1 for c in channels if questions[c] >= 1)
        result.duplicated = sum(max(0, questions[c] - 1) for c in channels)
        result.missed = sum(1 for c in channels if questions[c] == 0 and statuses.get(c) == "missed")
        result.lost = sum(1 for c in channels if questions[c] == 0 and statuses.get(c) != "missed")
        result.reveals = sum(1 for c in channels if reveals_by_channel[c] >= 1)
        result.reveals_duplicated = sum(max(0, reveals_by_channel[c] - 1) for c in channels)
        result.reveals_lost = sum(1 for c in channels if questions[c] >= 1 and reveals_by_channel[c] == 0)
        result.wrong_token, checked = wrong_tokens(stub, owner | {w.admin: w for w in workspaces})
        result.notes.append(
            f"{len(workspaces)} workspace{'s' if len(workspaces) > 1 else ''} ({', '.join(w.team_id for w in workspaces)}); tokens checked on "
            + ", ".join(f"{n} {m}" for m, n in sorted(checked.items(), key=lambda kv: -kv[1]))
        )
        if workspaces != (SINGLE,):
            misfiled = sum(1 for c in channels if teams.get(c) != owner[c].team_id)
            if misfiled:
                result.notes.append(f"{misfiled} DRILLS STORED UNDER ANOTHER WORKSPACE")
        if stub.faults:
            result.notes.append("faults injected: " + ", ".join(f"{k}={v}" for k, v in stub.faults.counts.items()))
        logs = "".join(b.logs() for b in bots)
        adopted = logs.count("not posting again") + logs.count("not revealing again")
        failed_ticks = logs.count("drill tick failed")
        if adopted or failed_ticks:
            result.notes.append(
                f"{adopted} earlier posts/reveals found and adopted instead of repeated; {failed_ticks} ticks failed and were retried"
            )
        secrets = secrets_of(workspaces)
        leaked = [b.name for b in bots if any(s in b.logs() for s in secrets)]
        if leaked:
            result.notes.append(f"SECRET IN LOGS of {leaked}")
        if any(home.iterdir()):
            result.notes.append(f"FILES IN $HOME: {sorted(p.name for p in home.iterdir())}")
        return result
    finally:
        stop.set()
        for bot in bots:
            bot.stop()
        stub.stop()
        if proxy:
            proxy.close()
        if admin_engine is not None:
            with admin_engine.begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin_engine.dispose()


def _killer(bots: list[BotProcess], every: tuple[float, float], due: datetime, stop: threading.Event, result: Result) -> None:
    rng = random.Random(11)
    kills = 0
    end = due + timedelta(minutes=1, seconds=30)
    while not stop.is_set() and datetime.now(timezone.utc) < end and kills < 40:
        if stop.wait(rng.uniform(*every)):
            break
        bot = rng.choice([b for b in bots if b.alive] or bots)
        bot.kill()
        kills += 1
        time.sleep(rng.uniform(0.5, 2.0))
        bot.start()
    result.notes.append(f"{kills} SIGKILLs, each followed by a restart")


def _outage(proxy: CuttableProxy, start: datetime, seconds: float, stop: threading.Event, result: Result) -> None:
    wait = (start - datetime.now(timezone.utc)).total_seconds()
    if wait > 0 and stop.wait(wait):
        return
    proxy.cut()
    stop.wait(seconds)
    proxy.restore()
    result.notes.append(f"database unreachable for {seconds:g} s from {start:%H:%M:%S} UTC")


def _by_channel(stub: StubSlackApi) -> tuple[Counter, Counter]:
    questions, reveals = Counter(), Counter()
    for message in stub.posted():
        key = ((message.get("metadata") or {}).get("event_payload") or {}).get("key", "")
        if key.startswith("question:"):
            questions[message["channel"]] += 1
        elif key.startswith("reveal:"):
            reveals[message["channel"]] += 1
    return questions, reveals


def _count(stub: StubSlackApi, channels: list[str]) -> tuple[int, int]:
    questions, reveals = _by_channel(stub)
    return sum(1 for c in channels if questions[c]), sum(1 for c in channels if reveals[c])


def _statuses(url: str) -> dict[str, str]:
    try:
        engine = create_engine(url)
        with engine.connect() as c:
            rows = c.execute(text("SELECT channel_id, status FROM drills")).all()
        engine.dispose()
        return {r[0]: r[1] for r in rows}
    except Exception:  # noqa: BLE001 - the database may be briefly unreachable in a fault scenario
        return {}


def _teams(url: str) -> dict[str, str]:
    """Each drill's channel → the workspace it is stored under."""
    engine = create_engine(url)
    with engine.connect() as c:
        rows = c.execute(text("SELECT channel_id, team_id FROM drills")).all()
    engine.dispose()
    return {r[0]: r[1] for r in rows}


def _settled(url: str) -> list[bool]:
    return [status in ("revealed", "missed") for status in _statuses(url).values()] or [False]


# ----------------------------------------------------------------------------- events


@dataclass
class EventsResult:
    replies: int
    deliveries: int
    recorded_right: bool
    kept: int
    expected: int
    ack_p50_ms: float
    ack_p99_ms: float
    ack_max_ms: float


def run_events(workdir: Path, replies: int = 1000, seed: int = 42, workspace: Workspace = WORKSPACES[0]) -> EventsResult:
    """Thread replies through a real web process: 30 % redelivered 2–3 times (same event_id,
    X-Slack-Retry-Num), reordered within windows, with edits and deletes. In OAuth mode the
    process serves `workspace`, installed first (every event is authorized by its installation)."""
    import json
    import statistics
    from concurrent.futures import ThreadPoolExecutor

    stub = StubSlackApi().start()
    url = f"sqlite:///{workdir / 'events.sqlite3'}"
    env = {**slack_env(stub, (workspace,)), "DATABASE_URL": url, "PORT": "0", "DRILL_TICK_SECONDS": "0.2"}
    bot = BotProcess("events", env, workdir)
    try:
        bot.start()
        if workspace != SINGLE:
            install(bot.url, stub, workspace)
        channel = "CEVENTS01"
        earlier = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%H:%M")
        for name, text_ in (("set", f"schedule set ciso {earlier} tz=UTC reveal=+8h"), ("now", "drill now")):
            # Acked at once; wait for each answer (through response_url) before the next command.
            body = command_body(
                text_, user_id=workspace.admin, channel_id=channel, response_url=stub.response_url(name), team_id=workspace.team_id
            )
            request(bot.url + "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded"))
            stub.answer_at(name, timeout=30)
        posts = stub.wait_for("chat.postMessage", 1, timeout=20)
        thread_ts = posts[0].response["ts"]
        rng = random.Random(seed)
        base = int(time.time())
        events = [
            {
                "type": "message",
                "channel": channel,
                "user": f"U{i % 37:08d}",
                "text": "回答",
                "ts": f"{base + i}.{i:06d}",
                "thread_ts": thread_ts,
            }
            for i in range(replies)
        ]
        deliveries: list[tuple[dict, str, int | None]] = []
        for i, event in enumerate(events):
            deliveries.append((event, f"Ev{i}", None))
            if rng.random() < 0.30:
                deliveries += [(event, f"Ev{i}", retry) for retry in range(1, rng.choice((2, 3)) + 1)]
        deleted = set(rng.sample(range(replies), replies // 12))
        for i in deleted:
            e = events[i]
            deliveries.append(
                (
                    {
                        "type": "message",
                        "subtype": "message_deleted",
                        "channel": channel,
                        "deleted_ts": e["ts"],
                        "previous_message": {"user": e["user"], "ts": e["ts"], "thread_ts": thread_ts},
                    },
                    f"Del{i}",
                    None,
                )
            )
        for i in rng.sample(range(replies), replies // 10):
            deliveries.append(
                (
                    {"type": "message", "subtype": "message_changed", "channel": channel, "message": {**events[i], "text": "edited"}},
                    f"Edit{i}",
                    None,
                )
            )
        for start in range(0, len(deliveries), 40):
            window = deliveries[start : start + 40]
            rng.shuffle(window)
            deliveries[start : start + 40] = window

        def send(delivery) -> float:
            event, event_id, retry = delivery
            body = json.dumps(
                {"type": "event_callback", "event_id": event_id, "team_id": workspace.team_id, "api_app_id": "A0001", "event": event}
            )
            headers = signed_headers(body, "application/json")
            if retry:
                headers["X-Slack-Retry-Num"] = str(retry)
            t0 = time.perf_counter()
            status = request(bot.url + "/slack/events", body, headers).status
            elapsed = (time.perf_counter() - t0) * 1000
            return elapsed if status == 200 else float("inf")

        with ThreadPoolExecutor(max_workers=8) as pool:
            acks = sorted(pool.map(send, deliveries))
        engine = create_engine(url)
        with engine.connect() as c:
            kept = {r[0] for r in c.execute(text("SELECT message_ts FROM replies WHERE deleted = 0"))}
        engine.dispose()
        expected = {events[i]["ts"] for i in range(replies) if i not in deleted}
        return EventsResult(
            replies,
            len(deliveries),
            kept == expected,
            len(kept),
            len(expected),
            statistics.median(acks),
            acks[int(len(acks) * 0.99) - 1],
            acks[-1],
        )
    finally:
        bot.stop()
        stub.stop()


# ----------------------------------------------------------------------------- report


def render(
    results: list[Result],
    command: str,
    started: datetime,
    events: EventsResult | None = None,
    workspaces: tuple[Workspace, ...] = WORKSPACES,
    load: tuple[float, float] | None = None,
) -> str:
    """`load`: the 1-minute load average when the run started and when it ended (others' work on the
    machine shows in the timings, never in the counts)."""
    if workspaces == (SINGLE,):
        setup = [
            "Every scenario ran the single-workspace deployment (`SLACK_BOT_TOKEN`): one workspace, every",
            "call made with its token.",
        ]
    else:
        setup = [
            f"Every scenario ran in OAuth mode with {len(workspaces)} workspaces, each installed through the web process as a",
            "member installs it (`GET /slack/install`, then `/slack/oauth_redirect` with Slack's code and the",
            "state cookie; the stand-in answers `oauth.v2.access` with a bot token per workspace). Channel *i*",
            f"belongs to workspace *i* mod {len(workspaces)}; its schedule is set by that workspace's admin (`ADMIN_USER_IDS` as",
            "`T…:U…`) through a signed command carrying its team id. *Wrong token* counts the Web API calls",
            "naming one workspace's channel or member that carried another token (or none of theirs): the",
            "scheduler's posts and reveals look up the drill's workspace's token in the database.",
        ]
    lines = [
        "# Reliability",
        "",
        "What the bot guarantees, how each guarantee is tested, and the figures from the last run of the",
        "reliability suite. Regenerate this file with:",
        "",
        "```sh",
        command,
        "```",
        "",
        "## Guarantees",
        "",
        "- **Each scheduled drill is posted at most once and revealed at most once, per channel and day,**",
        "  however many bot processes run on one database and however often they restart. The",
        "  occurrence is one row under a unique (channel, occurrence) constraint; posting and revealing",
        "  are each claimed with a conditional `UPDATE` (one winner) before Slack is called; a claim",
        "  carries a lease (`DRILL_LEASE_SECONDS`) so a claim whose process died is taken over. Every",
        "  claimed send (a drill's post, reveal and question edit, a reminder, a digest, a member's answer",
        "  feedback) goes through one outbox with one fencing rule: only the holder of that very claim",
        "  (the same process **and** the same claim stamp) may finish or release it.",
        "- **No blind retries of a post.** Every drill message carries Slack message metadata naming its",
        "  drill. A 429 (not posted) is retried after `Retry-After` by slack_sdk; a timeout, dropped",
        "  connection or 5xx (maybe posted) is not retried blindly: the next attempt first looks for the",
        "  drill's own message in the channel (or thread) and adopts it if it is there.",
        "- **Nothing is silently dropped.** A drill that could not be posted before its reveal time is",
        "  recorded as `missed` with the reason; a permanent error such as `not_in_channel` or",
        "  `missing_scope` is recorded and the admin who set the schedule is told by DM how to fix it",
        "  (invite the bot; add the scope Slack names). A channel archived or deleted",
        "  (`is_archived`, `channel_not_found`) pauses its schedule: the admin is told once, and",
        "  `schedule show`, `schedule list` and App Home say why until it is resumed.",
        "- **Slack's Retry-After is honoured by every call made under a claim**: after a 429 the post,",
        "  the reveal, the edit of the question and the answer feedback are released with the time",
        "  Slack gave, and no process calls again before it. A modal (`views.open`) is never retried:",
        "  its trigger expires in 3 s, so the member is told at once that Slack is busy.",
        "- **Replies are deduplicated.** A reply is keyed by (drill, message ts); Slack's retried",
        "  deliveries, duplicates and out-of-order events count once; an edit adds nothing; a delete",
        "  leaves a tombstone so a late delivery of the original cannot bring it back.",
        "- **After downtime** a due drill whose reveal time has not passed is posted on start, and",
        "  overdue reveals are made. A database outage makes ticks fail and log; the next tick retries.",
        "- **Each workspace's calls carry its own token.** With the app installed in many workspaces",
        "  (OAuth mode), every post, reveal and lookup for a workspace's channel is made with that",
        "  workspace's bot token, found per call in the shared database, by whichever replica claims it.",
        "- **Only Slack's requests are read, each once.** A POST to `/slack/events` over 1 MiB is refused",
        "  from its `Content-Length` alone (413), one without a readable length gets 400, and the Slack",
        "  signature (HMAC-SHA256 with the signing secret, timestamp within 5 minutes) is checked over the",
        "  raw bytes before anything is decoded. A refused request costs one log line saying why, with",
        "  nothing of what was sent. A signed slash command or button press sent again (a replay) gets an",
        "  empty 200 and does nothing: the signatures served in the last 10 minutes are kept in",
        "  `seen_requests` (lookups, which change nothing, are not recorded). Ids and timestamps not shaped",
        "  like Slack's are refused before the database.",
        "",
        "## How each is tested",
        "",
        "| Guarantee | Fast tests (every CI run) | This suite (real processes, real clock) |",
        "| --- | --- | --- |",
        "| exactly-once post and reveal | `tests/test_drills.py` (two services racing, lost answers, killed claim), `tests/store/test_leases.py` (a claim "
        "taken over cannot be finished or released by its old holder, every table), on SQLite and PostgreSQL | `replicas-postgres`, `replicas-sqlite` |",
        "| 429 / 500 / hang | `tests/e2e/test_http_drill.py` (429 + Retry-After), `tests/e2e/test_http_slack_refusals.py` (Retry-After on every call, views.open), "
        "`tests/e2e/test_http_outbox.py` (Retry-After longer than the lease on chat.update and chat.postEphemeral, two replicas), `tests/test_drills.py` (lost answers) | `webapi-faults` |",
        "| channel archived or deleted, missing scope | `tests/e2e/test_http_slack_refusals.py`, on SQLite and PostgreSQL | — |",
        "| crash at any point | `tests/test_drills.py::test_a_process_killed_after_posting…` | `sigkill` |",
        "| database unreachable | — | `db-outage` |",
        "| replies deduplicated | `tests/reliability/test_events.py` (200 replies, 30 % redelivered; deletes and edits, some before their message) | — |",
        "| bad input, forged requests, secrets | `tests/reliability/test_bad_input.py`, `tests/reliability/test_security.py` | token/secret grep of every process log |",
        "| each workspace's token | `tests/e2e/test_http_workspaces.py` (two workspaces through the web process, an uninstall) | every scenario (the *Wrong token* column) |",
        "| front door, replays, request bodies out of the log | `tests/reliability/test_front_door.py`, `tests/reliability/test_replays.py`, `tests/reliability/test_payload_ids.py`, "
        "`tests/slack/test_log_privacy.py` (a DEBUG run), `tests/e2e/test_procfile_web.py` (an unsigned 20 MiB body and the worker's memory) | — |",
        "",
        f"## Last run — {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}"
        + (f"; load average {load[0]:.2f} when the run started, {load[1]:.2f} when it ended." if load else "."),
        "",
        *setup,
        "",
        "| Scenario | Drills attempted | Posted | Missed (recorded) | Lost | Duplicated | Reveals made | Reveals lost | Reveals duplicated | Wrong token | Run time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.scenario.title} | {r.drills} | {r.posted} | {r.missed} | {r.lost} | {r.duplicated} | {r.reveals} | {r.reveals_lost} | {r.reveals_duplicated} | {r.wrong_token} | {r.seconds:.0f} s |"
        )
    if events is not None:
        lines += [
            "",
            "| Events | Replies | Deliveries (with retries, edits, deletes) | Recorded exactly right | Ack p50 | Ack p99 | Ack max |",
            "| --- | ---: | ---: | --- | ---: | ---: | ---: |",
            f"| thread replies{'' if workspaces == (SINGLE,) else ' in a workspace installed through OAuth'}, 30 "
            f"% redelivered 2–3×, reordered, 10 % edited, 8 % deleted | {events.replies} | {events.deliveries} | "
            f"{'yes' if events.recorded_right else 'NO'} ({events.kept} of {events.expected}) | {events.ack_p50_ms:.1f} ms | {events.ack_p99_ms:.1f} ms | {events.ack_max_ms:.1f} ms |",
        ]
    notes = [f"- `{r.scenario.name}`: {'; '.join(r.notes)}" for r in results if r.notes]
    if notes:
        lines += ["", "Notes:", "", *notes]
    lines += [
        "",
        "SQLite: several processes on one SQLite file are supported on one machine (WAL, busy timeout,",
        "the same conditional claims), as the `replicas-sqlite` row shows; replicas on several machines",
        "need PostgreSQL.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__.split("\n\n")[0])
    parser.add_argument("--drills", type=int, default=200, help="channels (drills) per scenario")
    parser.add_argument("--scenario", action="append", choices=[s.name for s in SCENARIOS], help="run only these")
    parser.add_argument("--output", default=str(ROOT / "docs" / "RELIABILITY.md"))
    parser.add_argument("--no-events", action="store_true", help="skip the event-delivery run")
    parser.add_argument(
        "--workspaces",
        type=int,
        choices=(1, 2),
        default=2,
        help="2 (default): OAuth mode, two installed workspaces; 1: the single-workspace deployment (SLACK_BOT_TOKEN)",
    )
    args = parser.parse_args(argv)
    workspaces = workspaces_for(args.workspaces)
    chosen = [s for s in SCENARIOS if not args.scenario or s.name in args.scenario]
    if any(s.database == "postgres" for s in chosen) and (reason := postgres_available()):
        print(f"PostgreSQL at {POSTGRES_URL} is needed: {reason}", file=sys.stderr)
        return 2
    command = (
        "python -m bench.reliability"
        + "".join(f" --scenario {s}" for s in args.scenario or [])
        + (f" --drills {args.drills}" if args.drills != 200 else "")
        + (f" --workspaces {args.workspaces}" if args.workspaces != 2 else "")
        + (" --no-events" if args.no_events else "")
    )
    started = datetime.now(timezone.utc)
    load_at_start = os.getloadavg()[0]
    results = []
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        for scenario in chosen:
            print(f"{scenario.name}: {scenario.title}", flush=True)
            workdir = Path(tmp) / scenario.name
            workdir.mkdir()
            r = run_scenario(scenario, args.drills, workdir, log=lambda m: print(m, flush=True), workspaces=workspaces)
            results.append(r)
            print(
                f"  posted {r.posted}, missed {r.missed}, lost {r.lost}, duplicated {r.duplicated}; reveals {r.reveals}, "
                f"lost {r.reveals_lost}, duplicated {r.reveals_duplicated}; wrong token {r.wrong_token}; {'; '.join(r.notes)}",
                flush=True,
            )
        events = None
        if not args.no_events:
            print("events: 1,000 thread replies with redeliveries, edits and deletes", flush=True)
            workdir = Path(tmp) / "events"
            workdir.mkdir()
            events = run_events(workdir, workspace=workspaces[0])
            print(
                f"  recorded right: {events.recorded_right}; ack p50 {events.ack_p50_ms:.1f} ms, p99 {events.ack_p99_ms:.1f} ms, max {events.ack_max_ms:.1f} ms",
                flush=True,
            )
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(
        render(results, command, started, events, workspaces, (load_at_start, os.getloadavg()[0])), encoding="utf-8"
    )
    print(f"wrote {args.output}")
    bad = [
        r
        for r in results
        if r.lost
        or r.duplicated
        or r.reveals_lost
        or r.reveals_duplicated
        or r.wrong_token
        or any(alarm in n for n in r.notes for alarm in ("SECRET", "ANOTHER WORKSPACE", "FILES IN $HOME"))
    ]
    return 1 if bad or (events is not None and not events.recorded_right) else 0


if __name__ == "__main__":
    sys.exit(main())
