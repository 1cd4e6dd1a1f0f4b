"""Per-model concurrency: `max_concurrency:` on a model and `--rate` hold the requests
an OpenAI-compatible server sees at once, whatever the batch's concurrency."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.dsl.batch.conftest import Project


class CountingServer:
    """Answers chat completions after 50 ms; counts the requests in flight."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.most = 0
        self.served = 0
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("content-length") or 0))
                with lock:
                    server.in_flight += 1
                    server.most = max(server.most, server.in_flight)
                time.sleep(0.05)
                with lock:
                    server.in_flight -= 1
                    server.served += 1
                chunks = [
                    {"choices": [{"index": 0, "delta": {"content": "label"}}]},
                    {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                    {"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 1}},
                ]
                base = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m"}
                body = "".join(f"data: {json.dumps({**base, **c})}\n\n" for c in chunks)
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("content-length", str(len(body + "data: [DONE]\n\n")))
                self.end_headers()
                self.wfile.write((body + "data: [DONE]\n\n").encode())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server() -> Iterator[CountingServer]:
    counting = CountingServer()
    yield counting
    counting.httpd.shutdown()


def limited_project(project: Project, server: CountingServer, limit: str) -> None:
    project.spec.write_text(f"""version: 1
name: limits
models:
  gpt: {{provider: openai, id: m, base_url: "{server.url}", api_key: k{limit}}}
agents:
  tagger: {{model: gpt}}
""")
    project.write_rows([{"message": f"q{i}"} for i in range(16)])


@pytest.mark.parametrize(
    ("limit", "options", "most"),
    [
        (", max_concurrency: 2", [], 2),
        (", max_concurrency: 2", ["--rate", "3"], 3),
        ("", ["--rate", "gpt=1"], 1),
        ("", [], None),  # no limit: proves the server does see more at once
    ],
)
def test_requests_in_flight_never_exceed_the_limit(
    project: Project, server: CountingServer, limit: str, options: list[str], most: int | None
) -> None:
    limited_project(project, server, limit)
    done = project.cli(
        "batch", "spec.yaml", "--inputs", "data.jsonl", "--concurrency", "8", *options
    )
    assert done.returncode == 0, done.stderr
    assert server.served == 16
    if most is None:
        assert server.most > 3
    else:
        assert server.most == most


def test_a_bad_rate_is_a_usage_error(project: Project) -> None:
    project.write_rows([{"message": "q"}])
    done = project.cli(
        "batch", "spec.yaml", "--agent", "echo", "--inputs", "data.jsonl", "--rate", "x=0"
    )
    assert done.returncode == 2
    assert "--rate 'x=0': write N or MODEL=N (N ≥ 1)" in done.stderr
