"""A stand-in for Slack's Web API (and for response_url webhooks) on 127.0.0.1, port 0.

It records every call so tests can assert what a user would see, and can be told to answer a
method with a 429, a 500 or a slow response to exercise retries.

OAuth installs: a test puts what oauth.v2.access answers for a code in `oauth_grants` (or calls
`grant(...)`); a code is good once, an unknown or used one answers invalid_code. A granted bot
token then answers auth.test as that workspace's bot. With token rotation (a grant with a
refresh_token and expires_in), grant_type=refresh_token answers a new access token and a new
refresh token; each refresh token is good once, a used or unknown one answers
invalid_refresh_token. `Call.token` is the token a call was made with.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from bot.testing.slack_files import SharedFiles

BOT_USER_ID = "UBOT000001"
BOT_ID = "BBOT000001"


def metadata_key(call: Call) -> str:
    """The metadata key a chat.postMessage call carried (the bot's mark of what a message is)."""
    metadata = call.params.get("metadata")
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    return ((metadata or {}).get("event_payload") or {}).get("key", "")


@dataclass
class Call:
    method: str  # Web API method, or "response_url"
    path: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when the request arrived
    wall: float = field(default_factory=time.time)  # the same, in epoch seconds: what a test's sped-up clock is made of
    response: dict = field(default_factory=dict)

    @property
    def token(self) -> str | None:
        """The token this call was made with: the Authorization: Bearer header, or a `token` param."""
        for name, value in self.headers.items():
            if name.lower() == "authorization" and value.startswith("Bearer "):
                return value[len("Bearer ") :]
        token = self.params.get("token")
        return str(token) if token else None


@dataclass
class FaultPlan:
    """Faults for some Web API methods, drawn from a seeded RNG so a run can be repeated.

    A 429 never takes effect (Slack did not post). A 500 takes effect half the time, and a hang
    always does, answering only after the client has given up: the cases where the bot cannot know
    whether its message was posted."""

    methods: tuple[str, ...] = ("chat.postMessage", "chat.update")
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_hang: float = 0.0
    hang_seconds: float = 3.0
    retry_after: int = 1
    seed: int = 1
    counts: dict[str, int] = field(default_factory=lambda: {"429": 0, "500": 0, "500_applied": 0, "hang": 0})

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self, method: str) -> str | None:
        if method not in self.methods:
            return None
        x = self._rng.random()
        for kind, rate in (("429", self.rate_429), ("500", self.rate_500), ("hang", self.rate_hang)):
            if x < rate:
                if kind == "500" and self._rng.random() < 0.5:
                    self.counts["500_applied"] += 1
                    return "500_applied"
                self.counts[kind] += 1
                return kind
            x -= rate
        return None


class StubSlackApi:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._scripted: dict[str, list[Callable[[Call], tuple[int, dict, dict]]]] = {}
        self.handlers: dict[str, Callable[[Call], dict]] = {
            "auth.test": lambda call: {"ok": True, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "team_id": "T0001", "user": "careerbot"},
            "chat.postMessage": self._post_message,
            "chat.update": lambda call: {"ok": True, "channel": call.params.get("channel"), "ts": call.params.get("ts")},
            "users.info": self._user_info,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
        }
        self.messages: list[dict] = []  # what a channel would show, with metadata
        self.profiles: dict[str, dict] = {}  # users.info `profile` per user id (display_name, …)
        self.uploads: dict[str, bytes] = {}  # file id → the bytes POSTed to its upload_url
        self._files = 0
        self.handlers.update(
            {
                "conversations.open": self._open_dm,
                "files.getUploadURLExternal": self._upload_url,
                "upload": lambda call: {"ok": True},
                "files.completeUploadExternal": self._complete_upload,
            }
        )
        self._views = 0
        self.handlers.update({"views.open": self._open_view, "views.update": self._update_view})
        self.shared = SharedFiles(lambda: self.url)  # files members give the bot: `shared.share(name, bytes)`
        self.handlers["files.info"] = self.shared.info
        # App Home: views.publish, and which channels are private and who is in them.
        self.private_channels: set[str] = set()  # conversations.info says is_private for these
        self.private_members: dict[str, set[str]] = {}  # user id -> the private channels they are in
        self.handlers.update(
            {
                "views.publish": self._publish_view,
                "conversations.info": self._channel_info,
                "users.conversations": self._user_conversations,
            }
        )
        # OAuth: oauth.v2.access by code (and by refresh token), and auth.test per granted token.
        self.oauth_grants: dict[str, dict[str, Any]] = {}  # code -> the oauth.v2.access answer (without "ok")
        self.oauth_client: tuple[str, str] | None = None  # (client_id, client_secret) to insist on
        self.bots_by_token: dict[str, dict] = {}  # bot token -> auth.test's answer for it
        self._refresh_tokens: dict[str, dict] = {}  # refresh token (unused) -> the grant it renews
        self._rotations = 0
        self.handlers.update({"oauth.v2.access": self._oauth_access, "auth.test": self._auth_test})
        self._ts = 1700000000.000100
        self.faults: FaultPlan | None = None
        self.delay_seconds = 0.0  # answer every Web API call this much later (latency)
        self._held: dict[str, threading.Event] = {}  # method -> answered once the test sets it
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # a shared file's download, recorded as "download"
                call = Call("download", self.path, {}, dict(self.headers))
                with stub._lock:
                    stub.calls.append(call)
                stub.shared.serve(self, call.token)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if self.path.startswith("/upload/"):
                    # A file's bytes, POSTed to the upload_url of files.getUploadURLExternal: kept as
                    # they came, never parsed.
                    data = self.rfile.read(length) if length else b""
                    file_id = self.path.rsplit("/", 1)[-1]
                    with stub._lock:
                        stub.uploads[file_id] = data
                    call = Call("upload", self.path, {"file_id": file_id, "length": len(data)}, dict(self.headers))
                    status, headers, body = stub._answer(call)
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    answer = f"OK - {len(data)}".encode() if status == 200 else b"error"
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                    return
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(raw).items()}
                method = self.path.rsplit("/api/", 1)[-1] if "/api/" in self.path else "response_url"
                call = Call(method, self.path, params, dict(self.headers))
                status, headers, body = stub._answer(call)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a hang past its timeout): as Slack would see it

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    # ---------------------------------------------------------------- control

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    def start(self) -> StubSlackApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, method: str, *answers: tuple[int, dict, dict]) -> None:
        """Answer the next calls of `method` with these (status, headers, body) before the default."""
        with self._lock:
            self._scripted.setdefault(method, []).extend(_constant(a) for a in answers)

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def hold(self, method: str) -> threading.Event:
        """Calls to `method` are recorded at once but answered only once the test sets the event
        returned (or after 30 s): a Web API that is slow for exactly as long as the test needs."""
        with self._lock:
            return self._held.setdefault(method, threading.Event())

    def answer_at(self, name: str, timeout: float = 10.0) -> dict:
        """What the bot sent to the response_url named `name` (waited for, bounded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [c for c in self.calls if c.method == "response_url" and c.path.endswith(f"/response/{name}")]
            if found:
                return found[-1].params
            time.sleep(0.01)
        raise AssertionError(f"nothing was sent to response_url {name} within {timeout}s")

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait (bounded) for calls the bot makes from a background thread."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        return self.calls_to(method)

    def grant(
        self,
        code: str,
        team_id: str,
        team_name: str,
        token: str,
        *,
        bot_user_id: str | None = None,
        refresh_token: str | None = None,
        expires_in: int | None = None,
        enterprise: dict | None = None,
        installer: str = "UINSTALLER",
    ) -> dict:
        """What oauth.v2.access answers for `code`: Slack's documented shape for a bot install."""
        answer: dict[str, Any] = {
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write,channels:history,groups:history,channels:read,groups:read,users:read,im:write,files:write,files:read",
            "bot_user_id": bot_user_id or "UBOT" + team_id,
            "app_id": "A0CAREER01",
            "team": {"id": team_id, "name": team_name},
            "enterprise": enterprise,
            "is_enterprise_install": False,
            "authed_user": {"id": installer},
        }
        if refresh_token is not None:
            answer.update(refresh_token=refresh_token, expires_in=expires_in or 43200)
        with self._lock:
            self.oauth_grants[code] = answer
        return answer

    # ---------------------------------------------------------------- answers

    def _oauth_access(self, call: Call) -> dict:
        if self.oauth_client is not None:
            basic = next((v for k, v in call.headers.items() if k.lower() == "authorization" and v.startswith("Basic ")), "")
            client_id, _, secret = base64.b64decode(basic[len("Basic ") :] or b"").decode().partition(":")
            client_id = client_id or str(call.params.get("client_id") or "")
            secret = secret or str(call.params.get("client_secret") or "")
            if client_id != self.oauth_client[0]:
                return {"ok": False, "error": "invalid_client_id"}
            if secret != self.oauth_client[1]:
                return {"ok": False, "error": "bad_client_secret"}
        with self._lock:
            if call.params.get("grant_type") == "refresh_token":
                grant = self._refresh_tokens.pop(str(call.params.get("refresh_token") or ""), None)
                if grant is None:
                    return {"ok": False, "error": "invalid_refresh_token"}
                self._rotations += 1
                team = grant["team"]["id"]
                answer = {
                    **grant,
                    "access_token": f"xoxe.xoxb-1-{team}-r{self._rotations}",
                    "refresh_token": f"xoxe-1-{team}-r{self._rotations}",
                    "expires_in": grant.get("expires_in") or 43200,
                }
            else:
                found = self.oauth_grants.pop(str(call.params.get("code") or ""), None)
                if found is None:
                    return {"ok": False, "error": "invalid_code"}
                answer = found
            if answer.get("refresh_token"):
                self._refresh_tokens[answer["refresh_token"]] = answer
            team = answer.get("team") or {}
            user_id = answer.get("bot_user_id") or BOT_USER_ID
            self.bots_by_token[answer["access_token"]] = {
                "ok": True,
                "team_id": team.get("id"),
                "team": team.get("name"),
                "user_id": user_id,
                "bot_id": "B" + user_id[1:],
                "user": "careerbot",
                "url": f"https://{(team.get('id') or 'x').lower()}.slack.com/",
                **({"enterprise_id": answer["enterprise"]["id"]} if answer.get("enterprise") else {}),
            }
        return {"ok": True, **answer}

    def _auth_test(self, call: Call) -> dict:
        """The installed bot's identity for a granted token; the single workspace's otherwise."""
        with self._lock:
            known = self.bots_by_token.get(call.token or "")
        if known is not None:
            return dict(known)
        return {"ok": True, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "team_id": "T0001", "user": "careerbot"}

    def _answer(self, call: Call) -> tuple[int, dict, dict]:
        with self._lock:
            self.calls.append(call)
            scripted = self._scripted.get(call.method)
            answer = scripted.pop(0) if scripted else None
            fault = self.faults.draw(call.method) if self.faults and answer is None else None
        if self.delay_seconds and call.method != "response_url":
            time.sleep(self.delay_seconds)
        with self._lock:
            held = self._held.get(call.method)
        if held is not None:
            held.wait(timeout=30)
        if fault == "429":
            retry_after = str(self.faults.retry_after)  # type: ignore[union-attr]
            return 429, {"Retry-After": retry_after}, {"ok": False, "error": "ratelimited"}
        if fault in ("500_applied", "hang"):
            self.handlers[call.method](call)  # it took effect…
            if fault == "hang":
                time.sleep(self.faults.hang_seconds)  # type: ignore[union-attr]  # …but the answer comes too late
            return 500, {}, {"ok": False, "error": "internal_error"}
        if fault == "500":
            return 500, {}, {"ok": False, "error": "internal_error"}
        if answer is not None:
            status, headers, body = answer(call)
        elif call.method == "response_url" or call.method not in self.handlers:
            status, headers, body = 200, {}, {"ok": True}
        else:
            status, headers, body = 200, {}, self.handlers[call.method](call)
        call.response = body
        return status, headers, body

    def _post_message(self, call: Call) -> dict:
        with self._lock:
            # Like Slack's: the posting time, unique per message.
            self._ts = max(self._ts + 0.000001, time.time())
            ts = f"{self._ts:.6f}"
            metadata = call.params.get("metadata")
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            self.messages.append(
                {"channel": call.params.get("channel"), "ts": ts, "thread_ts": call.params.get("thread_ts"), "metadata": metadata}
            )
        return {"ok": True, "channel": call.params.get("channel"), "ts": ts, "message": {"text": call.params.get("text"), "ts": ts}}

    def _open_view(self, call: Call) -> dict:
        """views.open: the view as Slack would hold it, with an id and a hash of its own."""
        with self._lock:
            self._views += 1
            view_id = f"V{self._views:08d}"
        return {"ok": True, "view": {**self._view_of(call), "id": view_id, "hash": f"{view_id}-h1"}}

    def _update_view(self, call: Call) -> dict:
        view_id = str(call.params.get("view_id") or "V0UNKNOWN")
        return {"ok": True, "view": {**self._view_of(call), "id": view_id, "hash": f"{view_id}-h{len(self.calls_to('views.update')) + 1}"}}

    @staticmethod
    def _view_of(call: Call) -> dict:
        view = call.params.get("view")
        return json.loads(view) if isinstance(view, str) else dict(view or {})

    def _user_info(self, call: Call) -> dict:
        user_id = call.params.get("user")
        user = {"id": user_id, "is_admin": False, "is_owner": False}
        if user_id in self.profiles:
            user["profile"] = dict(self.profiles[user_id])
        return {"ok": True, "user": user}

    def _open_dm(self, call: Call) -> dict:
        user_id = str(call.params.get("users") or "")
        return {"ok": True, "channel": {"id": "D" + user_id[1:] if user_id else "D0UNKNOWN"}}

    def _upload_url(self, call: Call) -> dict:
        with self._lock:
            self._files += 1
            file_id = f"F{self._files:08d}"
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, call: Call) -> dict:
        files = call.params.get("files")
        files = json.loads(files) if isinstance(files, str) else (files or [])
        return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}

    def uploaded(self, file_id: str | None = None) -> bytes:
        """The bytes of an uploaded file (the latest one when no id is given)."""
        with self._lock:
            if file_id is None:
                if not self.uploads:
                    raise AssertionError("no file was uploaded")
                file_id = list(self.uploads)[-1]
            return self.uploads[file_id]

    def posted(self, channel: str | None = None) -> list[dict]:
        with self._lock:
            return [m for m in self.messages if channel is None or m["channel"] == channel]

    def _history(self, call: Call) -> dict:
        channel, oldest = call.params.get("channel"), float(call.params.get("oldest") or 0)
        with self._lock:
            found = [m for m in self.messages if m["channel"] == channel and not m["thread_ts"] and float(m["ts"]) >= oldest]
        return {"ok": True, "messages": [self._shown(m) for m in reversed(found)], "has_more": False}

    def _replies(self, call: Call) -> dict:
        channel, ts = call.params.get("channel"), call.params.get("ts")
        with self._lock:
            found = [m for m in self.messages if m["channel"] == channel and (m["ts"] == ts or m["thread_ts"] == ts)]
        return {"ok": True, "messages": [self._shown(m) for m in found], "has_more": False}

    @staticmethod
    def _shown(message: dict) -> dict:
        shown = {"type": "message", "ts": message["ts"], "bot_id": BOT_ID}
        if message["thread_ts"]:
            shown["thread_ts"] = message["thread_ts"]
        if message["metadata"]:
            shown["metadata"] = message["metadata"]
        return shown

    def _publish_view(self, call: Call) -> dict:
        """views.publish: the member's Home as Slack would hold it."""
        with self._lock:
            self._views += 1
            view_id = f"VH{self._views:07d}"
        return {"ok": True, "view": {**self._view_of(call), "id": view_id, "hash": f"{view_id}-h1"}}

    def published(self, user_id: str | None = None) -> list[dict]:
        """The Home views published (for one member), oldest first, as dicts."""
        return [
            c.response.get("view") or self._view_of(c)
            for c in self.calls_to("views.publish")
            if user_id is None or c.params.get("user_id") == user_id
        ]

    def _channel_info(self, call: Call) -> dict:
        channel = str(call.params.get("channel") or "")
        private = channel in self.private_channels
        return {
            "ok": True,
            "channel": {"id": channel, "name": channel.lower(), "is_channel": not private, "is_private": private, "is_member": True},
        }

    def _user_conversations(self, call: Call) -> dict:
        user = str(call.params.get("user") or "")
        channels = sorted(self.private_members.get(user, set()))
        return {"ok": True, "channels": [{"id": c, "is_private": True} for c in channels], "response_metadata": {"next_cursor": ""}}


def _constant(answer: Any) -> Any:
    """A scripted answer as the responder the stand-in calls: the same answer whatever the call."""
    return lambda call: answer
