"""interpreter/durability.py: a run killed with SIGKILL at any point resumes with
nothing lost and nothing that had completed run again, on every backend."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from agno_dsl.interpreter.storage import open_storage

from tests.interpreter.storage.conftest import drop, storage_url_for

SPEC = """version: 1
workflows:
  w:
    steps:
      - {name: a, function: "work:step", input: "a"}
      - parallel:
          name: p
          steps:
            - {name: b1, function: "work:step", input: "b1"}
            - {name: b2, function: "work:step", input: "b2"}
            - {name: b3, function: "work:step", input: "b3"}
      - foreach:
          name: each
          items: "[1, 2, 3]"
          step: {name: e, function: "work:step", input: "e{{ item }}"}
      - loop:
          name: l
          max_iterations: 3
          steps: [{name: it, function: "work:step", input: "it{{ loop.iteration }}"}]
      - name: z
        function: "work:step"
        input: >-
          z:{{ steps.a.output }}-{{ steps.p.output.b2 }}-{{ steps.each.output | join(',')
          }}-{{ steps.l.output }}
"""
WORK = """
import asyncio, os
from pathlib import Path

LOG = Path(__file__).parent / "starts.log"


async def step(step_input):
    label = step_input.input
    with open(LOG, "a") as log:
        log.write(label + "\\n")
    await asyncio.sleep(0.03)
    return label
"""
EXPECTED = "z:a-b2-e1,e2,e3-it3"
# Kill after this many events were written (spread over the run: between steps,
# mid-step, inside the parallel block, the foreach and the loop).
POINTS = {
    "sqlite": [1, 2, 3, 4, 6, 7, 9, 10, 12, 13, 15, 17, 18, 20, 22, 24, 26, 28, 30, 33],
    # A step is one statement (PostgreSQL) or one script call (Redis): killed
    # before, during or after it, inside the parallel block and the loop.
    "postgresql": [2, 6, 9, 13, 17, 22, 26, 31],
    "redis": [3, 7, 12, 16, 22, 27, 30, 33],
}


def cli(project: Path, url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "AGNO_DSL_STORAGE": url}
    return subprocess.Popen(
        [sys.executable, "-m", "agno_dsl", *args],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def committed(url: str, run_id: str) -> list[str]:
    async def go() -> list[str]:
        storage = await open_storage(url)
        try:
            return [
                data["content"]
                for _, data in await storage.load_steps(run_id)
                if isinstance(data.get("content"), str)
            ]
        finally:
            await storage.close()

    return asyncio.run(go())


def stored_events(url: str, run_id: str) -> list[dict]:
    async def go() -> list[dict]:
        storage = await open_storage(url)
        try:
            return await storage.load_events(run_id)
        finally:
            await storage.close()

    return asyncio.run(go())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "redis"])
def test_sigkill_at_many_points_then_resume(backend: str, tmp_path: Path) -> None:
    for point in POINTS[backend]:
        project = tmp_path / f"kill{point}"
        project.mkdir()
        (project / "spec.yaml").write_text(SPEC)
        (project / "work.py").write_text(WORK)
        url = storage_url_for(backend, tmp_path)
        try:
            check_one_kill(project, url, point)
        finally:
            drop(url)


def check_one_kill(project: Path, url: str, point: int) -> None:
    events = project / "events.jsonl"
    process = cli(project, url, "run", "spec.yaml", "--events", str(events))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if events.exists() and events.read_text().count("\n") >= point:
            break
        if process.poll() is not None:
            break
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    run_id = json.loads(events.read_text().splitlines()[0])["run_id"]
    done_before_kill = committed(url, run_id)
    log = project / "starts.log"
    starts_before = log.read_text().split() if log.exists() else []

    resumed = cli(project, url, "resume", run_id, "--json")
    stdout, stderr = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, f"point {point}: {stderr}"
    output = json.loads(stdout)
    assert output["status"] == "completed" and output["content"] == EXPECTED, f"point {point}"

    starts = (project / "starts.log").read_text().split()
    started_on_resume = starts[len(starts_before) :]
    for label in done_before_kill:
        assert label not in started_on_resume, f"point {point}: {label} ran again"
    # Every step ran to completion at least once, and the log shows the interruption.
    assert set(starts) >= {"a", "b1", "b2", "b3", "e1", "e2", "e3", "it1", "it2", "it3"}
    names = [(e["event"], e.get("resumed")) for e in stored_events(url, run_id)]
    assert ("WorkflowStarted", True) in names and names[-1][0] == "WorkflowCompleted"
