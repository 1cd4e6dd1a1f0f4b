"""W9 for every system: the same FastMCP server (mcp_server.py), reached over stdio or
streamable HTTP on 127.0.0.1; the model asks for CALLS tool calls, one per turn."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER = Path(__file__).resolve().parent / "mcp_server.py"
CALLS = 100  # tool calls per agent run: the per-call figure is the run's time ÷ CALLS
STDIO_COMMAND = (sys.executable, str(SERVER))


@contextmanager
def http_server() -> Iterator[str]:
    """The server over streamable HTTP on a free port; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(10)
