"""The stand-in Web API's side of files members give the bot (a modal's file_input): files.info,
and the download its `url_private_download` names, served on the stand-in's own host."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler


class SharedFiles:
    def __init__(self, base_url: Callable[[], str]):
        self.base_url = base_url
        self.files: dict[str, tuple[str, bytes]] = {}  # file id -> (name, bytes)
        self.content_type = "text/plain; charset=utf-8"  # what a download answers with (Slack's sign-in page is text/html)
        self._lock = threading.Lock()
        self._count = 0

    def share(self, name: str, content: bytes) -> dict:
        """A file a member picked: the file object a view_submission carries."""
        with self._lock:
            self._count += 1
            file_id = f"FSHARED{self._count:04d}"
            self.files[file_id] = (name, content)
        return {"id": file_id, "name": name}

    def info(self, call) -> dict:
        """files.info: the file's size and where to download it."""
        file_id = str(call.params.get("file") or "")
        with self._lock:
            found = self.files.get(file_id)
        if found is None:
            return {"ok": False, "error": "file_not_found"}
        name, content = found
        url = f"{self.base_url()}/files-pri/{file_id}"
        return {
            "ok": True,
            "file": {
                "id": file_id,
                "name": name,
                "size": len(content),
                "url_private": f"{url}/{name}",
                "url_private_download": f"{url}/download/{name}",
            },
        }

    def serve(self, handler: BaseHTTPRequestHandler, token: str | None) -> None:
        """A GET of a download URL: the file's bytes to a bearer of a token, 404 otherwise."""
        parts = handler.path.split("/")
        with self._lock:
            found = self.files.get(parts[2]) if len(parts) > 2 and parts[1] == "files-pri" else None
        if found is None or not token:
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(len(found[1])))
        handler.end_headers()
        try:
            handler.wfile.write(found[1])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bot stopped reading (a file over its cap)
