"""Token rotation under test: a loopback stand-in of `oauth.v2.access` that rotates strictly, and
the worker two spawned processes run to race for one workspace's token.

The stand-in answers a refresh only once per refresh token (a reused one gets
`invalid_refresh_token`, as Slack does). It can hold each refresh answer until a second refresh call
has arrived (or a bounded time has passed): an unlocked pair of processes then always overlaps, and a
locked pair shows that no second call came while the first was in flight."""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

CLIENT_ID = "111.222"
CLIENT_SECRET = "client-secret-not-real"
EXPIRES_IN = 43200  # 12 hours, as Slack gives


@dataclass
class RefreshCall:
    team_id: str | None
    refresh_token: str
    outcome: str  # "ok" or Slack's error code


@dataclass
class OAuthStandIn:
    """oauth.v2.access (grant_type=refresh_token) and auth.test, on 127.0.0.1."""

    hold_until_calls: int = 1  # answer a refresh only once this many refresh calls have arrived …
    hold_seconds: float = 0.0  # … or this long after it arrived
    live: dict[str, str] = field(default_factory=dict)  # refresh token → team, each good once
    calls: list[RefreshCall] = field(default_factory=list)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # access token → (team, bot user)
    _arrived: int = 0
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _server: ThreadingHTTPServer | None = None

    def issue(self, team_id: str, refresh_token: str) -> None:
        """A refresh token Slack gave at install time."""
        with self._lock:
            self.live[refresh_token] = team_id

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def refresh_calls(self) -> list[RefreshCall]:
        with self._lock:
            return list(self.calls)

    def start(self) -> OAuthStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                method = self.path.rsplit("/", 1)[-1]
                if method == "oauth.v2.access":
                    body = stand_in._refresh(form, self.headers.get("Authorization", ""))
                elif method == "auth.test":
                    body = stand_in._auth_test(self.headers.get("Authorization", ""))
                else:
                    body = {"ok": False, "error": "unknown_method"}
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _refresh(self, form: dict[str, str], authorization: str) -> dict:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return {"ok": False, "error": "invalid_client_id"}
        if form.get("grant_type") != "refresh_token":
            return {"ok": False, "error": "invalid_grant_type"}
        refresh_token = form.get("refresh_token", "")
        with self._lock:
            self._arrived += 1
            self._lock.notify_all()
            deadline = time.monotonic() + self.hold_seconds
            while self._arrived < self.hold_until_calls and time.monotonic() < deadline:
                self._lock.wait(max(0.0, deadline - time.monotonic()))
            team_id = self.live.pop(refresh_token, None)
            if team_id is None:
                self.calls.append(RefreshCall(None, refresh_token, "invalid_refresh_token"))
                return {"ok": False, "error": "invalid_refresh_token"}
            n = len(self.calls) + 1
            access_token, new_refresh = f"xoxb-{team_id}-rotated-{n}", f"xoxe-1-{team_id}-refresh-{n}"
            self.live[new_refresh] = team_id
            self.tokens[access_token] = (team_id, f"UBOT{team_id}")
            self.calls.append(RefreshCall(team_id, refresh_token, "ok"))
        return {
            "ok": True,
            "app_id": "A0001",
            "access_token": access_token,
            "token_type": "bot",
            "scope": "chat:write,commands",
            "bot_user_id": f"UBOT{team_id}",
            "team": {"id": team_id, "name": team_id},
            "enterprise": None,
            "is_enterprise_install": False,
            "refresh_token": new_refresh,
            "expires_in": EXPIRES_IN,
        }

    def _auth_test(self, authorization: str) -> dict:
        token = authorization.removeprefix("Bearer ")
        with self._lock:
            known = self.tokens.get(token)
        if known is None:
            return {"ok": False, "error": "invalid_auth"}
        team_id, bot_user = known
        return {
            "ok": True,
            "team_id": team_id,
            "user_id": bot_user,
            "bot_id": f"B{team_id}",
            "team": team_id,
            "url": "https://example.invalid/",
        }


def install_expiring(
    store, stand_in: OAuthStandIn, team_id: str, expires_at: datetime, token: str | None = None, refresh_token: str | None = None
) -> tuple[str, str]:
    """Save an installation whose rotating bot token expires at `expires_at`, as the OAuth flow would;
    the stand-in learns the token and its refresh token. Returns (token, refresh token)."""
    from slack_sdk.oauth.installation_store import Installation

    token = token or f"xoxb-{team_id}-installed"
    refresh_token = refresh_token or f"xoxe-1-{team_id}-installed"
    store.save(
        Installation(
            app_id="A0001",
            team_id=team_id,
            team_name=team_id,
            user_id="U0INSTALL",
            bot_token=token,
            bot_id=f"B{team_id}",
            bot_user_id=f"UBOT{team_id}",
            bot_scopes=["chat:write", "commands"],
            bot_refresh_token=refresh_token,
            bot_token_expires_at=int(expires_at.astimezone(timezone.utc).timestamp()),
        )
    )
    stand_in.issue(team_id, refresh_token)
    with stand_in._lock:
        stand_in.tokens[token] = (team_id, f"UBOT{team_id}")
    return token, refresh_token


def race_for_token(database_url: str, api_url: str, team_id: str, locked: bool, barrier, results, wait_seconds: float) -> None:
    """One racing process: build the lookup on the shared database, connect, wait at the barrier with
    the other process, then ask for the team's token once. `locked`: through `Installations`;
    otherwise through Bolt's own InstallationStoreAuthorize (the unlocked SDK path)."""
    logging.basicConfig(level=logging.WARNING)
    from slack_sdk import WebClient
    from slack_sdk.oauth.installation_store.sqlalchemy import (
        SQLAlchemyInstallationStore,
    )

    from bot.store.db import make_engine

    engine = make_engine(database_url)
    try:
        store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
        if locked:
            from bot.slack.installations import Installations

            installations = Installations(engine, store, CLIENT_ID, CLIENT_SECRET, api_url)

            def token() -> str | None:
                return installations.bot_token(team_id)
        else:
            from slack_bolt.authorization.authorize import InstallationStoreAuthorize
            from slack_bolt.context.context import BoltContext

            authorize = InstallationStoreAuthorize(
                logger=logging.getLogger("race"),
                installation_store=store,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                client=WebClient(base_url=api_url, timeout=int(wait_seconds)),
            )

            def token() -> str | None:
                context = BoltContext(client=WebClient(base_url=api_url, timeout=int(wait_seconds)))
                result = authorize(context=context, enterprise_id=None, team_id=team_id, user_id="U0MEMBER1")
                return result.bot_token if result is not None else None

        with engine.connect():
            pass  # connected before the start, so both calls begin together
        barrier.wait(wait_seconds)
        results.put((os.getpid(), "token", token()))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        results.put((os.getpid(), "error", f"{type(exc).__name__}: {exc}"))
    finally:
        engine.dispose()


def run_race(database_url: str, api_url: str, team_id: str, locked: bool, wait_seconds: float = 8.0) -> list[tuple[str, str | None]]:
    """Two spawned processes race for the token; returns each one's ("token", value) or ("error", why)."""
    import multiprocessing
    import queue

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [
        context.Process(target=race_for_token, args=(database_url, api_url, team_id, locked, barrier, results, wait_seconds))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    outcomes: list[tuple[str, str | None]] = []
    try:
        deadline = time.monotonic() + wait_seconds + 2
        for _ in processes:
            try:
                _pid, kind, value = results.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                outcomes.append(("error", "a racing process gave no answer in time"))
                continue
            outcomes.append((kind, value))
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
    return outcomes
