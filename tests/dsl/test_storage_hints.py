"""The resume command printed on a pause, Ctrl-C and a failure finds the run, wherever
its storage came from (--storage, AGNO_DSL_STORAGE, the spec's storage:), and never
shows a password (dsl/storage_choice.py)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dsl.run_helpers import SPEC, cli, run_id_of, start_until
from tests.interpreter.storage.conftest import drop, storage_url_for

FLAKY = """
from pathlib import Path

def work(step_input):
    if (Path(__file__).parent / "broken").exists():
        raise RuntimeError("the disk is full")
    return "worked"
"""
FAILING_SPEC = """version: 1
storage: {storage}
workflows:
  w:
    steps:
      - {{name: first, function: "flaky:work", on_error: fail, retries: 0}}
"""


def hinted(stderr: str, prefix: str = "continue with: ") -> list[str]:
    """The command a hint line names, as argv after `agno-dsl`."""
    line = next(line for line in stderr.splitlines() if prefix in line)
    command = line.split(prefix, 1)[1].replace(" (or --reject)", "")
    words = shlex.split(command.split(" (", 1)[0])
    assert words[0] == "agno-dsl"
    return words[1:]


@pytest.fixture
def spec_storage(project: Path, monkeypatch) -> Path:
    """The project's spec records through its own `storage:`; AGNO_DSL_STORAGE is unset."""
    monkeypatch.delenv("AGNO_DSL_STORAGE")
    storage = f"sqlite:///{project}/from-spec/runs.db"
    (project / "spec.yaml").write_text(
        SPEC.replace("version: 1\n", f"version: 1\nstorage: {storage}\n")
    )
    return project


def test_pause_hint_names_the_spec_and_finds_the_run(spec_storage: Path) -> None:
    project = spec_storage
    first = cli("run", "spec.yaml", "tides", cwd=project)
    run_id = run_id_of(first.stderr)
    assert f"continue with: agno-dsl resume {run_id} --spec spec.yaml --approve" in first.stderr
    second = cli(*hinted(first.stderr), cwd=project)
    assert second.returncode == 3, second.stderr  # the next pause: the run was found
    assert hinted(second.stderr) == ["resume", run_id, "--spec", "spec.yaml", "-i", "note=..."]
    done = cli("resume", run_id, "--spec", "spec.yaml", "-i", "note=ok", cwd=project)
    assert done.returncode == 0, done.stderr
    assert not (project / ".agno-dsl").exists()  # nothing went to the default storage


def test_runs_and_sessions_find_what_the_spec_recorded(spec_storage: Path) -> None:
    project = spec_storage
    run_id = run_id_of(cli("run", "spec.yaml", "tides", cwd=project).stderr)
    listed = json.loads(cli("runs", "list", "--spec", "spec.yaml", "--json", cwd=project).stdout)
    assert [run["run_id"] for run in listed] == [run_id]
    grouped = cli("runs", "--spec", "spec.yaml", "list", "--json", cwd=project)
    assert json.loads(grouped.stdout) == listed
    assert "draft" in cli("runs", "show", run_id, "--spec", "spec.yaml", cwd=project).stdout
    events = cli("runs", "events", run_id, "--spec", "spec.yaml", cwd=project)
    assert events.returncode == 0 and "StepPaused" in events.stdout  # agno: no WorkflowPaused

    (project / "chat.yaml").write_text(
        f"version: 1\nstorage: sqlite:///{project}/from-spec/runs.db\n"
        "models: {m: {provider: echo}}\nagents: {a: {model: m, add_history_to_context: true}}\n"
    )
    assert cli("run", "chat.yaml", "hello", "--session", "s1", cwd=project).returncode == 0
    shown = cli("sessions", "show", "s1", "--spec", "chat.yaml", cwd=project)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["session_id"] == "s1"
    assert cli("sessions", "--spec", "chat.yaml", "list", cwd=project).stdout.startswith("s1 ")
    without = cli("sessions", "show", "s1", cwd=project)
    assert without.returncode == 2 and "--spec FILE" in without.stderr


def test_group_help_lists_storage_and_spec(project: Path) -> None:
    for group in ("runs", "sessions"):
        shown = cli(group, "--help", cwd=project).stdout
        assert "--storage" in shown and "--spec" in shown


def test_failure_hint_resumes_after_the_fix(project: Path, monkeypatch) -> None:
    monkeypatch.delenv("AGNO_DSL_STORAGE")
    (project / "flaky.py").write_text(FLAKY)
    (project / "broken").write_text("")
    (project / "fail.yaml").write_text(FAILING_SPEC.format(storage=f"sqlite:///{project}/f.db"))
    failed = cli("run", "fail.yaml", cwd=project)
    assert failed.returncode == 1
    assert "the disk is full" in failed.stderr
    command = hinted(failed.stderr, "resume it with: ")
    assert command[-2:] == ["--spec", "fail.yaml"]
    (project / "broken").unlink()  # the fix
    done = cli(*command, "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["content"] == "worked"


def test_ctrl_c_hint_names_the_spec(project: Path, monkeypatch) -> None:
    monkeypatch.delenv("AGNO_DSL_STORAGE")
    (project / "slow.yaml").write_text(f"""version: 1
storage: sqlite:///{project}/slow.db
models:
  slow: {{provider: scripted, responses: [{{content: late, delay: 30s}}]}}
agents:
  a: {{model: slow}}
workflows:
  w:
    steps: [{{name: s, agent: a}}]
""")
    events = project / "e.jsonl"
    process = start_until(
        project, ["run", "slow.yaml", "x"], events, "RunStarted", stderr=subprocess.PIPE, text=True
    )
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130
    command = hinted(stderr, "continue it with: ")
    assert command[-2:] == ["--spec", "slow.yaml"]
    shown = cli("runs", "show", command[1], "--spec", "slow.yaml", cwd=project)
    assert shown.returncode == 0 and "cancelled" in shown.stdout


def test_a_password_in_the_storage_url_is_never_printed(project: Path, tmp_path) -> None:
    # PostgreSQL with trust auth accepts any password: the URL works and holds a secret.
    base = storage_url_for("postgresql", tmp_path)
    url = base.replace("postgres@", "postgres:hunter2@").replace("postgres:@", "postgres:hunter2@")
    assert "hunter2" in url
    try:
        first = cli(
            "run", "spec.yaml", "tides", "--storage", url, "--events", "e.jsonl", cwd=project
        )
        assert first.returncode == 3, first.stderr
        assert "hunter2" not in first.stderr + first.stdout
        assert "AGNO_DSL_STORAGE" in first.stderr
        run_id = run_id_of(first.stderr)
        resumed = subprocess.run(
            [sys.executable, "-m", "agno_dsl", *hinted(first.stderr), "--json"],
            cwd=project,
            capture_output=True,
            text=True,
            env={**os.environ, "AGNO_DSL_STORAGE": url},
            timeout=60,
        )
        assert resumed.returncode == 3, resumed.stderr  # found: paused at the next step
        assert json.loads(resumed.stdout)["run_id"] == run_id
        assert "hunter2" not in resumed.stderr + resumed.stdout
        assert "hunter2" not in (project / "e.jsonl").read_text()
    finally:
        drop(url)
