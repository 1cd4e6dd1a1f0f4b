"""MCP sessions live exactly as long as their run: closed on success, failure, pause, cancel
and Ctrl-C, with no server process left behind; a resumed run connects again."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import agno_dsl
import psutil
import pytest

from .mcp_helpers import call, gone, live_children, run_and_look, stdio_demo, write_spec

DONE = {"content": "done"}
AGNO_DSL = str(Path(sys.executable).parent / "agno-dsl")


@pytest.fixture(autouse=True)
def _no_orphans():  # type: ignore[no-untyped-def]
    yield
    left = live_children()
    assert gone([p.pid for p in left]), [p.cmdline() for p in left]


def hanging_spec(folder: Path) -> Path:
    """An agent whose one tool call hangs for a minute: a run to interrupt."""
    agents = "agents:\n  helper: {model: fake, tools: [demo]}\n"
    tools = {"demo": stdio_demo(timeout="2m")}
    return write_spec(folder, [call("hang", seconds=60), DONE], tools, agents)


def pids_seen(events: list[dict]) -> list[int]:
    return [
        int(e["tool"]["result"])
        for e in events
        if e["event"] == "ToolCallCompleted" and e["tool"]["tool_name"] == "process_id"
    ]


def test_a_failed_run_stops_its_servers(tmp_path: Path) -> None:
    (tmp_path / "steps.py").write_text("def explode(step_input):\n    raise RuntimeError('no')\n")
    agents = (
        "agents:\n  helper: {model: fake, tools: [demo]}\n"
        "workflows:\n  w:\n    steps:\n      - {agent: helper}\n"
        "      - {name: boom, function: 'steps:explode', on_error: fail}\n"
    )
    spec = write_spec(tmp_path, [call("process_id"), DONE], {"demo": stdio_demo()}, agents)
    output, events, alive = run_and_look(spec)
    assert output.status == "failed"
    assert pids_seen(events) and alive == []


def test_a_paused_run_stops_its_servers_and_the_resumed_run_connects_again(tmp_path: Path) -> None:
    agents = (
        "agents:\n  one: {model: fake, tools: [demo]}\n  two: {model: fake, tools: [demo]}\n"
        "workflows:\n  w:\n    steps:\n      - {agent: one}\n"
        "      - {agent: two, confirm: 'Ask the server again?'}\n"
    )
    spec = write_spec(tmp_path, [call("process_id"), DONE], {"demo": stdio_demo()}, agents)
    storage = f"sqlite:///{tmp_path}/runs.db"
    paused, events, alive = run_and_look(spec, storage=storage)
    assert paused.status == "paused"
    (first,) = pids_seen(events)
    assert alive == []
    resumed_events: list = []
    resumed = agno_dsl.resume(
        paused.run_id, storage=storage, approve=True, on_event=resumed_events.append
    )
    assert resumed.status == "completed"
    (second,) = pids_seen([e.to_dict() for e in resumed_events])
    assert second != first and gone([second])


def test_a_cancelled_run_stops_its_servers(tmp_path: Path) -> None:
    spec = hanging_spec(tmp_path)

    async def run_then_cancel() -> list[int]:
        started = asyncio.Event()

        def on_event(event: object) -> None:
            if getattr(event, "event", "") == "ToolCallStarted":
                started.set()

        task = asyncio.create_task(agno_dsl.arun(spec, "go", on_event=on_event))
        await asyncio.wait_for(started.wait(), 30)
        servers = [p.pid for p in live_children()]
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert live_children() == []  # stopped by the run itself, not by asyncio.run's end
        return servers

    assert asyncio.run(run_then_cancel())


def test_ctrl_c_of_agno_dsl_run_leaves_no_server_running(tmp_path: Path) -> None:
    spec = hanging_spec(tmp_path)
    events = tmp_path / "events.jsonl"
    storage = f"sqlite:///{tmp_path}/runs.db"
    run = subprocess.Popen(
        [AGNO_DSL, "run", str(spec), "go", "--events", str(events), "--storage", storage],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "ToolCallStarted" not in _text(events):
        time.sleep(0.05)
    servers = [p.pid for p in psutil.Process(run.pid).children(recursive=True)]
    assert servers, "the server runs while its tool is called"
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1].startswith("run ")  # one line: how to resume
    assert gone(servers)


def _text(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def test_a_run_without_mcp_tools_never_imports_the_sdk(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\nmodels:\n  fake: {provider: scripted, responses: [{content: hi}]}\n"
        "agents:\n  a: {model: fake}\n"
    )
    probe = (
        "import json, sys, agno_dsl\n"
        f"out = agno_dsl.run({str(spec)!r}, 'hello')\n"
        "print(json.dumps([out.content, sorted(m for m in sys.modules if m.split('.')[0] "
        "in ('mcp', 'mcp_types', 'httpx2', 'anyio'))]))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert json.loads(result.stdout) == ["hi", []], result.stderr
