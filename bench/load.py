"""Driving load from a separate process: `wrk` when it is installed, `bench.loadgen` otherwise.

Requests are signed before the load starts (Slack accepts a signature for five minutes), so the
load generator spends nothing on HMAC and the server checks every signature as it would in
production.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.servers import ROOT
from bot.testing.signing import signed_headers

FORM = "application/x-www-form-urlencoded"
RESULT_PREFIX = "BENCH_RESULT "

_WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "p50_us": %.1f, "p99_us": %.1f, "max_us": %.1f, "socket_errors": %d, "bad_status": %d}\\n',
    "RESULT_PREFIX", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
""".replace("RESULT_PREFIX", RESULT_PREFIX)


@dataclass(frozen=True)
class SignedRequest:
    body: str
    headers: dict[str, str]

    @classmethod
    def sign(cls, body: str, content_type: str = FORM) -> SignedRequest:
        return cls(body, signed_headers(body, content_type))


@dataclass(frozen=True)
class LoadResult:
    tool: str
    requests: int  # answered
    failed: int  # socket errors and non-2xx answers
    elapsed_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float = math.nan  # the slowest answer
    ok: int = 0  # answered with a 2xx

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


GENERATORS = ("auto", "wrk", "python")


def constant_load(url: str, request: SignedRequest, concurrency: int, seconds: float, workdir: Path, generator: str = "auto") -> LoadResult:
    """The same request over and over for `seconds`, from `concurrency` persistent connections."""
    if generator == "wrk" or (generator == "auto" and wrk_available()):
        return _wrk(url, request, concurrency, seconds, workdir)
    # Far more requests than `seconds` allows: the time bound is the one that ends the run.
    return replay(url, [request], concurrency, workdir, max_requests=int(seconds * 20_000), max_seconds=seconds, cycle=True)


def replay(
    url: str,
    requests: list[SignedRequest],
    concurrency: int,
    workdir: Path,
    max_requests: int,
    max_seconds: float,
    cycle: bool = False,
    rate: float | None = None,
) -> LoadResult:
    """Send each request (once, or cycling when `cycle`) with bench.loadgen, within both bounds."""
    return start_replay(url, requests, concurrency, workdir, max_requests, max_seconds, cycle, rate).result()


class Replay:
    """bench.loadgen running in its own process; `result()` waits for it (bounded) and reads it."""

    def __init__(self, process: subprocess.Popen, max_seconds: float):
        self._process = process
        self._max_seconds = max_seconds

    def result(self) -> LoadResult:
        try:
            stdout, stderr = self._process.communicate(timeout=self._max_seconds + 60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            raise RuntimeError("bench.loadgen did not finish within its time bound") from None
        if self._process.returncode != 0:
            raise RuntimeError(f"bench.loadgen failed:\n{stderr}")
        result = json.loads(stdout)
        return LoadResult(
            tool="bench.loadgen",
            requests=result["requests"],
            failed=result["socket_errors"] + result["requests"] - result["ok"],
            elapsed_s=result["elapsed_s"],
            p50_ms=result["p50_ms"],
            p99_ms=result["p99_ms"],
            max_ms=result["max_ms"],
            ok=result["ok"],
        )

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.communicate()


def start_replay(
    url: str,
    requests: list[SignedRequest],
    concurrency: int,
    workdir: Path,
    max_requests: int,
    max_seconds: float,
    cycle: bool = False,
    rate: float | None = None,
    name: str = "requests",
) -> Replay:
    """Like `replay`, without waiting: the load runs in its own process while the caller measures."""
    requests_file = workdir / f"{name}.jsonl"
    with open(requests_file, "w", encoding="utf-8") as out:
        for request in requests:
            out.write(json.dumps({"body": request.body, "headers": request.headers}) + "\n")
    spec_file = workdir / f"{name}-loadgen.json"
    spec = {
        "url": url,
        "requests_file": str(requests_file),
        "concurrency": concurrency,
        "max_requests": max_requests,
        "max_seconds": max_seconds,
        "cycle": cycle,
        "rate": rate,
    }
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.loadgen", str(spec_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Replay(process, max_seconds)


def _wrk(url: str, request: SignedRequest, concurrency: int, seconds: float, workdir: Path) -> LoadResult:
    assert "]==]" not in request.body
    lines = ['wrk.method = "POST"', f"wrk.body = [==[{request.body}]==]"]
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in request.headers.items()]
    script = workdir / "signed_request.lua"
    script.write_text("\n".join(lines) + "\n" + _WRK_DONE, encoding="utf-8")
    # One wrk thread drives every connection: it leaves the other core to the server.
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "5s", "-s", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    found = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if done.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(found[-1][len(RESULT_PREFIX) :])
    return LoadResult(
        tool="wrk",
        requests=result["requests"],
        failed=result["socket_errors"] + result["bad_status"],
        elapsed_s=result["duration_us"] / 1e6,
        p50_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        max_ms=result["max_us"] / 1000,
        ok=result["requests"] - result["bad_status"],
    )
