"""A project with a paused-run spec, and the CLI run in a new process as a user would."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SPEC = """version: 1
models:
  fake:
    provider: scripted
    responses:
      - {match: "^draft", content: "DRAFT"}
      - {match: "^publish", content: "PUBLISHED DRAFT"}
      - {match: "note", content: "NOTED"}
agents:
  writer: {model: fake}
workflows:
  w:
    steps:
      - {name: draft, agent: writer, input: "draft {{ input }}"}
      - {name: count, function: "counter:count"}
      - {name: publish, agent: writer, input: "publish {{ steps.draft.output }}",
         confirm: "Publish the draft?"}
      - name: review
        agent: writer
        input_required: {type: object, properties: {note: {type: string}}, required: [note]}
      - {name: final, function: "counter:summary"}
"""
COUNTER = """
import json
from pathlib import Path
from typing import Any

CALLS = Path(__file__).parent / "calls.json"


def _bump(name):
    calls = json.loads(CALLS.read_text()) if CALLS.exists() else {}
    calls[name] = calls.get(name, 0) + 1
    CALLS.write_text(json.dumps(calls))


def count(step_input):
    _bump("count")
    return "counted"


def summary(step_input):
    _bump("summary")
    names = ("draft", "publish", "review")
    return json.dumps({key: step_input.get_step_content(key) for key in names})
"""


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A new process each time, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "agno_dsl", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=60,
        env=os.environ.copy(),
    )


def calls(project: Path) -> dict[str, int]:
    return json.loads((project / "calls.json").read_text())


def run_id_of(stderr: str) -> str:
    return stderr.split("run ", 1)[1].split(" ", 1)[0]


def read_until(fd: int, marker: bytes, seen: bytes, timeout: float = 30) -> bytes:
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    assert marker in seen, seen
    return seen


def quiet_for(fd: int, seconds: float) -> bytes:
    """What the terminal received in `seconds` (nothing, when no one redraws)."""
    got = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            got += os.read(fd, 4096)
    return got


def run_on_terminal(project: Path, *args: str) -> tuple[subprocess.Popen[bytes], int]:
    """`agno-dsl ARGS` on a pseudo-terminal, as a user at a terminal runs it; returns the
    process and the terminal's other end (read what it shows, write what the user types)."""
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "agno_dsl", *args],
        cwd=project,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
    )
    os.close(terminal)
    return process, controller


def start_until(project: Path, args: list[str], events: Path, marker: str, **options: Any) -> Any:
    """Start `agno-dsl ARGS --events EVENTS` in the background; return once `marker` is in
    the events file (or after 30 s)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "agno_dsl", *args, "--events", str(events)],
        cwd=project,
        **options,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (events.exists() and marker in events.read_text()):
        time.sleep(0.05)
    return process
