"""Child processes served by gunicorn: the Procfile's `web` process and the bare baseline apps.

Both are started with PORT=0; gunicorn prints the port it bound ("Listening at: http://0.0.0.0:PORT")
and every request is sent to 127.0.0.1 on that port.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bot.testing import ADMIN, CONTENT_DIR, ROOT
from bot.testing.botserver import procfile_command
from bot.testing.signing import BOT_TOKEN, SIGNING_SECRET
from bot.testing.slack_api import StubSlackApi

_LISTENING = re.compile(r"Listening at: http://[\d.]+:(\d+)")
# However the benchmark ends (even killed), no server it started outlives this: each is run under
# coreutils' `timeout`, which also passes our SIGTERM on to it.
LIFETIME_S = 1200


def bot_environment(stub: StubSlackApi, database_url: str, **extra: str) -> dict[str, str]:
    """The environment a deployment would give the bot, pointed at the Web API stand-in."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": stub.api_url,
        "CONTENT_DIR": str(CONTENT_DIR),
        "DATABASE_URL": database_url,
        "ADMIN_USER_IDS": ADMIN,
        "DEFAULT_TIMEZONE": "UTC",
        "PORT": "0",
    }
    env.pop("SLACK_APP_TOKEN", None)  # HTTP mode, never Socket Mode
    env.update(extra)
    return env


class ServerProcess:
    """A gunicorn server in a child process; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_path: Path):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_path
        self.port: int | None = None
        self._process: subprocess.Popen | None = None
        self._log = None
        self._stop_requested = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> ServerProcess:
        return self.launch().listening(timeout)

    def launch(self) -> ServerProcess:
        """Start the process without waiting for it to listen (see `listening`)."""
        self._log = open(self.log_path, "w", encoding="utf-8")
        command = self.command
        if shutil.which("timeout"):
            command = ["timeout", "--kill-after=10", str(LIFETIME_S), *command]
        self._process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        self._stop_requested = False
        return self

    def listening(self, timeout: float = 30) -> ServerProcess:
        """Wait until the launched server has bound its port; stopped, and RuntimeError, if it does not."""
        assert self._process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = _LISTENING.search(self.log_path.read_text(encoding="utf-8", errors="replace"))
            if match:
                self.port = int(match.group(1))
                return self
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not start:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server: gunicorn's master and its workers.

        Read from /proc (Linux); NaN elsewhere. CPU per request is steadier than throughput on a
        shared machine, since time the server spends waiting for a core is not counted."""
        if self._process is None:
            return math.nan
        return _tree_cpu_seconds(self._process.pid)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def request_stop(self) -> None:
        """Ask the server to stop (SIGTERM) without waiting: `stop()` then waits for it."""
        if self._process is not None and self._process.poll() is None and not self._stop_requested:
            self._process.terminate()
            self._stop_requested = True

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self.request_stop()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def start_together(servers: list[ServerProcess], timeout: float = 30) -> None:
    """Launch every server, then wait for each to listen: their start-ups overlap."""
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.listening(timeout)
    except BaseException:
        stop_together(servers)
        raise


def stop_together(servers: list[ServerProcess]) -> None:
    """Ask every server to stop, then wait for each: their shutdowns overlap."""
    for server in servers:
        server.request_stop()
    for server in servers:
        server.stop()


def _tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of `root` and every process under it, from /proc."""
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent, cpu seconds)
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        entries = os.listdir("/proc")
    except OSError:
        return math.nan
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        # After the command: state, ppid, …; utime and stime are the 14th and 15th fields overall.
        stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    children: dict[int, list[int]] = {}
    for pid, (parent, _cpu) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo += children.get(pid, [])
    return total


def web_process(stub: StubSlackApi, database_url: str, log_path: Path, **extra_env: str) -> ServerProcess:
    """`python -m bot web`, exactly as the Procfile starts it."""
    return ServerProcess("the web process", procfile_command("web"), bot_environment(stub, database_url, **extra_env), log_path)


def bare_process(stub: StubSlackApi, log_path: Path, best: bool = False) -> ServerProcess:
    """A baseline: a Bolt app that acks a constant, under the web process's own gunicorn settings
    (WEB_CONCURRENCY and all), or with `best`, under gunicorn's sync workers, one per core."""
    env = bot_environment(stub, "sqlite://")
    if best:
        return ServerProcess(
            "the bare Bolt app (sync, one worker per core)", [sys.executable, "-m", "bench.bare_app", "--best"], env, log_path
        )
    return ServerProcess("the bare Bolt app (the web process's server settings)", [sys.executable, "-m", "bench.bare_app"], env, log_path)
