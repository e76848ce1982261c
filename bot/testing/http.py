"""A tiny HTTP client for tests (stdlib only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass
class Response:
    status: int
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def request(
    url: str, body: str | None = None, headers: dict[str, str] | None = None, method: str | None = None, timeout: float = 10
) -> Response:
    data = body.encode("utf-8") if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method or ("POST" if data is not None else "GET"))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Response(resp.status, resp.read())
    except urllib.error.HTTPError as err:
        return Response(err.code, err.read())


def raw_request(url: str, path: str, headers: dict[str, str], body: bytes = b"", method: str = "POST", timeout: float = 30) -> Response:
    """A request written by hand on a socket, for what urllib will not send: no Content-Length, or one
    that is not a number, or a body larger than the server reads. The body is sent from a thread
    while the answer is read, since a server may answer (and close) before the body has arrived."""
    import socket
    import threading
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    head = f"{method} {path} HTTP/1.1\r\nHost: {parts.hostname}\r\nConnection: close\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)

    def send() -> None:
        try:
            sock.sendall(head.encode("latin-1"))
            view = memoryview(body)
            for start in range(0, len(view), 1 << 16):
                sock.sendall(view[start : start + (1 << 16)])
        except OSError:
            pass  # the server answered and closed without reading the rest

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    received = b""
    try:
        while chunk := sock.recv(1 << 16):
            received += chunk
    except ConnectionResetError:
        pass  # the reset after an unread body can follow the answer
    finally:
        sender.join(timeout)
        sock.close()
    status_line, _, rest = received.partition(b"\r\n")
    _headers, _, payload = rest.partition(b"\r\n\r\n")
    return Response(int(status_line.split()[1]), payload)
