"""Run states tell the truth: a run whose process died shows as interrupted, with the
step it cut off; a function step whose output cannot be recorded fails that step, the
run ends failed, and it resumes after the fix."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import agno_dsl
import pytest

from tests.dsl.run_helpers import cli, start_until
from tests.interpreter.storage.conftest import BACKENDS, drop, storage_url_for

QUIET = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
SLOW = """version: 1
models:
  slow: {provider: scripted, responses: [{content: late, delay: 60s}]}
  fast: {provider: scripted, responses: [{content: early}]}
agents:
  quick: {model: fast}
  patient: {model: slow}
workflows:
  w:
    steps:
      - {name: first, agent: quick}
      - {name: second, agent: patient}
"""
OBJECTS = """
from pathlib import Path

from agno_dsl import StepOutput


class Thing:
    pass


def make(step_input):
    # A StepOutput keeps its content as it is (a plain value would become text, as in agno).
    if (Path(__file__).parent / "fixed").exists():
        return StepOutput(content={"thing": "as a dict"})
    return StepOutput(content=Thing())
"""
OBJECT_SPEC = """version: 1
workflows:
  w:
    steps:
      - {name: before, function: "objects:make_text"}
      - {name: make, function: "objects:make", on_error: fail, retries: 0}
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_killed_run_shows_as_interrupted(project: Path, tmp_path: Path, backend: str) -> None:
    url = storage_url_for(backend, tmp_path)
    env = {**os.environ, "AGNO_DSL_STORAGE": url}
    (project / "slow.yaml").write_text(SLOW)
    events = project / "e.jsonl"
    process = start_until(
        project, ["run", "slow.yaml", "x"], events, '"step_name": "second"', env=env, **QUIET
    )
    try:
        time.sleep(1.0)  # events wait at most IDLE_EVENT_FLUSH (0.5 s) for a commit
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

        def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "agno_dsl", *args],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )

        listed = json.loads(run_cli("runs", "list", "--json").stdout)
        assert listed[0]["status"] == "interrupted"
        run_id = listed[0]["run_id"]
        assert run_id in run_cli("runs", "list", "--status", "interrupted").stdout
        assert run_cli("runs", "list", "--status", "running", "--json").stdout.strip() == "[]"
        shown = run_cli("runs", "show", run_id).stdout
        assert f"run {run_id}  interrupted" in shown
        rows = {line.split()[1]: line for line in shown.splitlines() if line.startswith("│ ")}
        assert "completed" in rows["first"]
        assert "interrupted" in rows["second"] and "running" not in rows["second"]
    finally:
        if process.poll() is None:
            process.kill()
        drop(url)


def test_a_running_run_shows_as_running(project: Path) -> None:
    (project / "slow.yaml").write_text(SLOW)
    events = project / "e.jsonl"
    process = start_until(
        project, ["run", "slow.yaml", "x"], events, '"step_name": "second"', **QUIET
    )
    try:
        listed = json.loads(cli("runs", "list", "--json", cwd=project).stdout)
        assert listed[0]["status"] == "running"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


def test_an_unrecordable_output_fails_the_step_and_resumes_after_the_fix(project: Path) -> None:
    (project / "objects.py").write_text(
        OBJECTS + "\n\ndef make_text(step_input):\n    return 'ok'\n"
    )
    (project / "objects.yaml").write_text(OBJECT_SPEC)
    failed = cli("run", "objects.yaml", cwd=project)
    assert failed.returncode == 1
    error = failed.stderr.splitlines()[0]
    assert error.startswith("error: objects.yaml:6:9: step 'make' failed: StepOutputError: ")
    assert "function objects:make returned a Thing, which cannot be recorded" in error
    assert "Traceback" not in failed.stderr
    listed = json.loads(cli("runs", "list", "--json", cwd=project).stdout)
    assert listed[0]["status"] == "failed"
    run_id = listed[0]["run_id"]
    (project / "fixed").write_text("")
    done = cli("resume", run_id, "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["status"] == "completed" and output["content"] == {"thing": "as a dict"}


def test_the_api_reports_an_unrecordable_output_as_a_failed_step(
    project: Path, tmp_path: Path
) -> None:
    (project / "objects.py").write_text(
        OBJECTS + "\n\ndef make_text(step_input):\n    return 'ok'\n"
    )
    (project / "objects.yaml").write_text(OBJECT_SPEC)
    url = f"sqlite:///{tmp_path}/api.db"
    output = agno_dsl.run(project / "objects.yaml", storage=url)
    assert output.status == "failed" and output.failed_step == "make"
    assert "cannot be recorded" in output.error and "objects.yaml:6:9" in output.error
    # Without storage nothing is recorded, and the object is the step's output as is.
    unrecorded = agno_dsl.run(project / "objects.yaml")
    assert unrecorded.status == "completed"
    assert type(unrecorded.content).__name__ == "Thing"
