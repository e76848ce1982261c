"""4. Reply ingestion: thousands of thread replies to a posted drill, through the web process.

The Procfile's web process runs with a short DRILL_TICK_SECONDS. An admin sets a schedule and
asks for `/career drill now`; the scheduler posts the drill to the Web API stand-in, whose recorded
answer gives the thread's ts. Then signed `message` events (event_callback bodies, as Slack sends
them for thread replies) are sent at concurrency 16 from a separate process. Measured: ack
latency, events/s, and whether every reply was recorded in the replies table.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.databases import Unavailable, count, fresh_database
from bench.load import LoadResult, SignedRequest, replay
from bench.plan import Plan
from bench.report import Figure, Target
from bench.servers import ADMIN, web_process
from bot.testing.http import request
from bot.testing.signing import command_body, signed_headers
from bot.testing.slack_api import StubSlackApi

NAME = "4. Reply ingestion"
CONCURRENCY = 16
MAX_P99_MS = 100
CHANNEL = "C0STUDY01"
USERS = 1_000  # distinct members replying
MAX_SECONDS = 300


# Replies of realistic length (about 60-400 characters), which answer feedback analyses before the ack.
SENTENCES = (
    "前職では経営会議で毎月リスクの状況を報告し、投資の優先順位を決めていました。",
    "アクセス制御を見直してMFAと最小権限を徹底し、サーバ間の通信もマイクロセグメンテーションで絞りました。",
    "ログはSIEMに集約して、不審なサインインを検知したら一次対応の手順で動けるようにしています。",
    "SLOはユーザーにとって重要な操作の成功率とレイテンシで決め、エラーバジェットの運用ルールを事前に合意しました。",
    "技術的負債は影響を数字で示し、開発工数の2割を返済に充てるルールを経営陣と合意しました。",
    "インシデントの後はポストモーテムを書いて、再発防止策を担当者と期限つきで追いかけています。",
    "正直まだ経験はありませんが、学んだことを整理すると次のように考えます。",
    "クラウド費用は3割削減できました。使っていないリソースの削除とサイズの見直しが効きました。",
)


def reply_text(number: int) -> str:
    count = 1 + number % 5
    return "".join(SENTENCES[(number + i) % len(SENTENCES)] for i in range(count))


def reply_event(number: int, thread_ts: str, base_ts: int, text: str | None = None) -> str:
    """An event_callback body for one thread reply, in the shape of bot/testing/botserver.py's
    event(); its text is `text`, or one of realistic length."""
    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": f"UBENCH{number % USERS:05d}",
        "text": reply_text(number) if text is None else text,
        "ts": f"{base_ts}.{number:06d}",
        "thread_ts": thread_ts,
        "channel_type": "channel",
    }
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": f"EvBENCH{number:07d}",
            "event_time": base_ts,
            "event": event,
        }
    )


def admin_command(url: str, stub: StubSlackApi, text: str, timeout: float = 30) -> str:
    """An admin's `/career <text>` in CHANNEL; the answer's text, from the ack or, where the bot
    acks first and answers later, from the response_url (waited for, within `timeout`)."""
    name = f"admin-{uuid.uuid4().hex[:12]}"
    body = command_body(text, user_id=ADMIN, channel_id=CHANNEL, response_url=stub.response_url(name))
    answer = request(url + "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded"), timeout=timeout)
    if answer.status != 200:
        raise RuntimeError(f"/career {text} answered {answer.status}: {answer.text[:300]}")
    try:
        acked = answer.json().get("text", "") if answer.body.strip() else ""
    except ValueError:
        acked = answer.text
    if acked:
        return acked
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        later = [c for c in stub.calls_to("response_url") if c.path.endswith(f"/{name}")]
        if later:
            return str(later[0].params.get("text", ""))
        time.sleep(0.02)
    raise RuntimeError(f"/career {text} was acknowledged but not answered within {timeout:g} s")


def post_drill(url: str, stub: StubSlackApi) -> str:
    """Set a schedule and post a drill now, as an admin would; the thread ts of the drill post."""
    # A post time an hour ago: set now, the schedule's own first post is tomorrow, so the only
    # drill today is the one `drill now` asks for; reveal=+8h keeps it open during the benchmark.
    earlier = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%H:%M")
    admin_command(url, stub, f"schedule set ciso {earlier} tz=UTC reveal=+8h")
    admin_command(url, stub, "drill now")
    posts = stub.wait_for("chat.postMessage", 1, timeout=30)
    if not posts:
        raise RuntimeError("the web process did not post the drill within 30 s")
    return str(posts[0].response["ts"])


def ingest(database_url: str, events: int, workdir: Path) -> tuple[LoadResult, int, int]:
    """(load result, replies recorded, events sent) for one fresh web process and database."""
    stub = StubSlackApi().start()
    try:
        with web_process(stub, database_url, workdir / "web.log", DRILL_TICK_SECONDS="0.2") as web:
            thread_ts = post_drill(web.url, stub)
            # Replies come after their thread's post: a reply whose ts equalled the post's (the same
            # second, and a fraction below .005) would be the post itself, and rightly not counted.
            base_ts = int(float(thread_ts)) + 1
            bodies = [SignedRequest.sign(reply_event(n, thread_ts, base_ts), "application/json") for n in range(events)]
            result = replay(web.url + "/slack/events", bodies, CONCURRENCY, workdir, max_requests=events, max_seconds=MAX_SECONDS)
            if result.failed:
                raise RuntimeError(f"{result.failed} of {events} events failed:\n{web.log_tail()}")
        recorded = count(database_url, "SELECT count(*) FROM replies WHERE deleted = false AND user_id IS NOT NULL")
    finally:
        stub.stop()
    return result, recorded, events


def run(plan: Plan, workdir: Path, progress: Callable[[str], None]) -> list[Figure]:
    n = plan.ingestion_events
    figures: list[Figure] = []
    for kind in plan.databases:
        figures += [
            Figure(
                f"ingestion.{kind}.p99", NAME, f"{kind}: {n:,} replies at c={CONCURRENCY}, ack p99", "ms", target=Target("<", MAX_P99_MS)
            ),
            Figure(f"ingestion.{kind}.lost", NAME, f"{kind}: replies not recorded", "", target=Target("==", 0)),
            Figure(f"ingestion.{kind}.p50", NAME, f"{kind}: ack p50", "ms"),
            Figure(f"ingestion.{kind}.eps", NAME, f"{kind}: events/s", "events/s"),
        ]
    by_key = {f.key: f for f in figures}
    for run_index in range(plan.runs):
        for kind in plan.databases:
            run_dir = workdir / f"{kind}-{run_index}"
            try:
                with fresh_database(kind, run_dir) as url:
                    result, recorded, sent = ingest(url, n, run_dir)
            except Unavailable as exc:
                for figure in figures:
                    if figure.key.startswith(f"ingestion.{kind}."):
                        figure.note = str(exc)
                continue
            by_key[f"ingestion.{kind}.p99"].samples.append(result.p99_ms)
            by_key[f"ingestion.{kind}.lost"].samples.append(sent - recorded)
            by_key[f"ingestion.{kind}.p50"].samples.append(result.p50_ms)
            by_key[f"ingestion.{kind}.eps"].samples.append(result.rps)
            progress(
                f"ingestion run {run_index + 1}/{plan.runs}, {kind}: {result.rps:.0f} events/s, ack p50 {result.p50_ms:.1f} ms, "
                f"p99 {result.p99_ms:.1f} ms; {recorded:,} of {sent:,} recorded"
            )
    return figures
