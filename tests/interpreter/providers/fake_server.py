"""A local HTTP server that answers model API (and HTTP tool) requests from a script.

Each queued reply says what to send: a JSON body, a server-sent-event
stream (optionally cut half way), NDJSON lines, a status code and headers,
after an optional delay. Every request is kept so tests can check what the
real SDK client sent. Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    sse: list[Any] | None = None  # dicts, or (event, dict) pairs
    ndjson: list[Any] | None = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    cut_after: int | None = None  # close the stream after this many events
    content_type: str = "application/json"  # of a json/raw reply


class FakeModelServer:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(body) if body else None,
                    }
                )
                reply = (
                    server.replies.popleft()
                    if server.replies
                    else Reply(status=500, json={"error": {"message": "no reply scripted"}})
                )
                if reply.delay:
                    time.sleep(reply.delay)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._send(reply)

            # HTTP tools send any method; they are answered the same way.
            do_GET = do_PUT = do_PATCH = do_DELETE = do_POST  # noqa: N815

            def _send(self, reply: Reply) -> None:
                if reply.sse is None and reply.ndjson is None:
                    payload = (
                        reply.raw if reply.raw is not None else json.dumps(reply.json).encode()
                    )
                    self.send_response(reply.status)
                    self.send_header("content-type", reply.content_type)
                    self.send_header("content-length", str(len(payload)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                self.send_response(reply.status)
                streaming_type = (
                    "text/event-stream" if reply.sse is not None else "application/x-ndjson"
                )
                self.send_header("content-type", streaming_type)
                self.send_header("connection", "close")
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                items = reply.sse if reply.sse is not None else reply.ndjson or []
                for index, item in enumerate(items):
                    if reply.cut_after is not None and index >= reply.cut_after:
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    if reply.sse is not None:
                        if isinstance(item, tuple):
                            chunk = f"event: {item[0]}\ndata: {json.dumps(item[1])}\n\n"
                        elif item == "[DONE]":
                            chunk = "data: [DONE]\n\n"
                        else:
                            chunk = f"data: {json.dumps(item)}\n\n"
                    else:
                        chunk = json.dumps(item) + "\n"
                    self.wfile.write(chunk.encode())
                    self.wfile.flush()
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeModelServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def reply(self, *replies: Reply) -> None:
        self.replies.extend(replies)
