"""A small HTTP load generator, run in a process of its own: `python -m bench.loadgen SPEC.json`.

The spec names a URL, a JSON-lines file of pre-signed requests ({"body": …, "headers": {…}}), a
concurrency, and two bounds: `max_requests` and `max_seconds`. Each of `concurrency` threads keeps
one persistent HTTP/1.1 connection and sends the next request from the file (the file is cycled
when `cycle` is true, and sent once otherwise) until either bound is reached; with `rate`, request
number i is not sent before i / rate seconds from the start (an open load at that rate, as long as
the connections keep up). It prints one JSON object: how many requests were sent and answered with
which status, the elapsed time, and latency percentiles in milliseconds (from sending each request
to reading its answer).
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from bench.stats import percentile


@dataclass(frozen=True)
class Spec:
    url: str
    requests_file: str
    concurrency: int
    max_requests: int
    max_seconds: float
    cycle: bool = False
    timeout: float = 10.0
    rate: float | None = None  # requests per second, over all connections; None: as fast as answered


def _load_requests(path: str) -> list[tuple[bytes, dict[str, str]]]:
    with open(path, encoding="utf-8") as lines:
        return [(item["body"].encode("utf-8"), item["headers"]) for item in map(json.loads, lines)]


def run(spec: Spec) -> dict:
    requests = _load_requests(spec.requests_file)
    total = spec.max_requests if spec.cycle else min(spec.max_requests, len(requests))
    target = urlsplit(spec.url)
    lock = threading.Lock()
    next_index = iter(range(total))
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    begun = time.monotonic()
    deadline = begun + spec.max_seconds

    def take() -> int | None:
        with lock:
            return next(next_index, None)

    def worker() -> None:
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=spec.timeout)
        mine: list[float] = []
        seen: Counter[int] = Counter()
        try:
            while time.monotonic() < deadline:
                index = take()
                if index is None:
                    break
                if spec.rate:
                    wait = begun + index / spec.rate - time.monotonic()
                    if wait > 0:
                        time.sleep(min(wait, max(0.0, deadline - time.monotonic())))
                    if time.monotonic() >= deadline:
                        break
                body, headers = requests[index % len(requests)]
                started = time.perf_counter()
                try:
                    connection.request("POST", target.path or "/", body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as exc:
                    connection.close()  # reconnects on the next request
                    with lock:
                        errors[type(exc).__name__] += 1
                    continue
                mine.append((time.perf_counter() - started) * 1000)
                seen[response.status] += 1
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                statuses.update(seen)

    threads = [threading.Thread(target=worker, name=f"load-{i}") for i in range(spec.concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    answered = sum(statuses.values())
    return {
        "requests": answered,
        "ok": sum(n for status, n in statuses.items() if 200 <= status < 300),
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
        "socket_errors": sum(errors.values()),
        "errors": dict(errors),
        "elapsed_s": elapsed,
        "rps": answered / elapsed if elapsed else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p90_ms": percentile(latencies, 90),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies, default=float("nan")),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bench.loadgen SPEC.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        spec = Spec(**json.load(handle))
    print(json.dumps(run(spec)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
