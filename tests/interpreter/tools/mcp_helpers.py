"""Helpers of the MCP tests: real servers (the demo FastMCP server over stdio, streamable
HTTP and SSE on 127.0.0.1), specs that use them, and the processes a test leaves behind."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import agno_dsl
import psutil

SERVERS = Path(__file__).resolve().parent / "mcp_servers"
DEMO = SERVERS / "demo.py"
MALFORMED = SERVERS / "malformed.py"
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def remote_demo(kind: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """The demo server over `http` (streamable) or `sse`; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, str(DEMO), kind, str(port)],
        env={**os.environ, **(env or {})},
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
        path = "mcp" if kind == "http" else "sse"
        yield f"http://127.0.0.1:{port}/{path}"
    finally:
        process.terminate()
        process.wait(10)


def spec_text(responses: list[dict[str, Any]], tools: dict[str, Any], agents: str) -> str:
    """A spec with one scripted model; tools and responses as JSON (which YAML reads)."""
    return (
        "version: 1\n"
        "models:\n"
        f"  fake: {{provider: scripted, responses: {json.dumps(responses)}}}\n"
        "tools:\n"
        + "".join(f"  {name}: {json.dumps(config)}\n" for name, config in tools.items())
        + agents
    )


def write_spec(folder: Path, responses: list[Any], tools: dict[str, Any], agents: str) -> Path:
    """`spec_text` written to folder/spec.yaml."""
    path = folder / "spec.yaml"
    path.write_text(spec_text(responses, tools, agents))
    return path


def stdio_demo(**options: Any) -> dict[str, Any]:
    """An `mcp:` tool running the demo server over stdio."""
    timeout = options.pop("timeout", None)
    tool: dict[str, Any] = {"mcp": {"command": [PYTHON, str(DEMO)], **options}}
    if timeout is not None:
        tool["timeout"] = timeout
    return tool


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": name, "arguments": arguments}]}


def run_spec(path: Path, message: str = "go", **options: Any) -> tuple[Any, list[dict[str, Any]]]:
    """Run a spec through the Python API; the output and its events as dicts."""
    events: list[Any] = []
    output = agno_dsl.run(path, message, on_event=events.append, **options)
    return output, [event.to_dict() for event in events]


def run_and_look(path: Path, **options: Any) -> tuple[Any, list[dict[str, Any]], list[int]]:
    """Run a spec in an event loop that goes on; also the processes still alive right after
    the run returned (asyncio.run would stop leftover tasks, hiding a leak)."""
    import asyncio

    async def run() -> tuple[Any, list[dict[str, Any]], list[int]]:
        events: list[Any] = []
        output = await agno_dsl.arun(path, "go", on_event=events.append, **options)
        return output, [e.to_dict() for e in events], [p.pid for p in live_children()]

    return asyncio.run(run())


def tool_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["event"].startswith("ToolCall")]


def completed_results(events: list[dict[str, Any]]) -> list[Any]:
    """The `result` of each ToolCallCompleted's `tool` (agno's ToolExecution), in order."""
    return [e["tool"]["result"] for e in events if e["event"] == "ToolCallCompleted"]


def tool_messages(output: Any) -> list[Any]:
    """What the model read back from each tool call, in order."""
    return [m.content for m in output.messages if m.role == "tool"]


def live_children() -> list[psutil.Process]:
    """Processes this test process started that are still running (zombies are dead)."""
    children = psutil.Process().children(recursive=True)
    return [c for c in children if _running(c)]


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def gone(pids: list[int], within: float = 10.0) -> bool:
    """Whether every one of these processes has exited (waiting up to `within` seconds)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if psutil.pid_exists(pid) and _running(psutil.Process(pid))]
        if not alive:
            return True
        time.sleep(0.05)
    return False
