"""The CLI behaves the same way everywhere: --debug after the command, exit codes on
invalid specs and unknown runs, storage URLs, readable tables, hints on input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.dsl.run_helpers import cli, quiet_for, read_until, run_id_of, run_on_terminal

BROKEN = "version: 1\nagents:\n  a: {model: nowhere}\n"
NEEDS_INPUT = """version: 1
models:
  fake: {provider: scripted, responses: [{content: done}]}
agents:
  a: {model: fake}
workflows:
  w:
    input_schema:
      type: object
      properties: {topic: {type: string}, depth: {type: integer}}
      required: [topic]
    steps: [{agent: a, input: "{{ input.topic }}"}]
"""


@pytest.mark.parametrize("place", ["before", "after"])
def test_debug_is_accepted_before_and_after_the_command(tmp_path: Path, place: str) -> None:
    target = str(tmp_path / "missing" / "schema.json")  # writing it fails unexpectedly
    args = ["schema", "-o", target]
    args = ["--debug", *args] if place == "before" else [*args, "--debug"]
    shown = cli(*args, cwd=tmp_path)
    assert shown.returncode == 1
    assert "Traceback" in shown.stderr and "FileNotFoundError" in shown.stderr
    plain = cli("schema", "-o", target, cwd=tmp_path)
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert plain.stderr.strip().endswith("(add --debug for details)")


@pytest.mark.parametrize("command", ["run", "resume", "runs list", "runs show", "sessions list"])
def test_every_command_takes_debug_after_it(tmp_path: Path, command: str) -> None:
    result = run_cli([*command.split(), "--help"])
    assert result.exit_code == 0 and "--debug" in result.output


def test_exit_codes_on_an_invalid_spec(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN)
    expected = {"validate": 1, "graph": 2, "run": 2}  # docs/language.md, "Exit codes"
    for command, code in expected.items():
        result = cli(command, "broken.yaml", cwd=tmp_path)
        assert result.returncode == code, (command, result.stderr)
        assert result.stderr.startswith("broken.yaml:3:")


def test_unknown_runs_are_usage_errors_everywhere(project: Path) -> None:
    run_id_of(cli("run", "spec.yaml", "tides", cwd=project).stderr)  # the storage exists
    for command in (["runs", "show", "nope"], ["runs", "events", "nope"], ["resume", "nope"]):
        result = cli(*command, cwd=project)
        assert result.returncode == 2, command
        assert "no run nope in " in result.stderr


@pytest.mark.parametrize("url", ["mysql://u:hunter2@h/db", "file:///tmp/x.db", "agno.db"])
def test_unsupported_storage_is_a_usage_error(project: Path, url: str) -> None:
    for command in (
        ["run", "spec.yaml", "tides", "--storage", url],
        ["runs", "list", "--storage", url],
        ["resume", "some-run", "--storage", url],
        ["sessions", "list", "--storage", url],
    ):
        result = cli(*command, cwd=project)
        assert result.returncode == 2, (command, result.stderr)
        assert "unsupported storage URL" in result.stderr
        assert "hunter2" not in result.stderr


def test_reading_a_storage_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    url = "sqlite:///missing/dir/x.db"
    listed = cli("runs", "list", "--storage", url, cwd=tmp_path)
    assert (
        listed.returncode == 0 and "no runs recorded in sqlite:///missing/dir/x.db" in listed.stderr
    )
    assert json.loads(cli("runs", "list", "--storage", url, "--json", cwd=tmp_path).stdout) == []
    assert cli("runs", "show", "r", "--storage", url, cwd=tmp_path).returncode == 2
    assert cli("sessions", "list", "--storage", url, cwd=tmp_path).returncode == 0
    assert cli("sessions", "show", "s", "--storage", url, cwd=tmp_path).returncode == 2
    assert not (tmp_path / "missing").exists()


def test_runs_list_is_readable_at_80_columns(project: Path) -> None:
    (project / "slow_name.yaml").write_text(
        "version: 1\nworkflows:\n  a_workflow_with_a_rather_long_name_indeed:\n"
        "    steps: [{name: f, function: 'nowhere:f'}]\n"
    )
    run_id_of(cli("run", "spec.yaml", "tides", cwd=project).stderr)
    cli("run", "slow_name.yaml", cwd=project)
    env = {**os.environ, "COLUMNS": "80"}
    table = subprocess.run(
        [sys.executable, "-m", "agno_dsl", "runs", "list"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    listed = json.loads(cli("runs", "list", "--json", cwd=project).stdout)
    lines = table.splitlines()
    assert all(len(line) <= 80 for line in lines), table
    assert lines[0].split() == ["run", "id", "status", "started", "target"]
    for run in listed:  # one line per run, its id whole at the start
        row = next(line for line in lines if line.startswith(run["run_id"]))
        assert row.split()[1] == run["status"]


def test_init_names_the_file_it_wrote(tmp_path: Path) -> None:
    for template in ("workflow", "agent", "graph"):
        written = tmp_path / f"my {template}.yaml"
        assert cli("init", template, "-o", written.name, cwd=tmp_path).returncode == 0
        text = written.read_text()
        assert f"agno-dsl run 'my {template}.yaml'" in text
        assert "agno.yaml" not in text


def test_a_run_without_the_input_it_needs_names_the_keys(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(NEEDS_INPUT)
    result = cli("run", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        "workflow 'w' needs input: pass -i topic=... (or --input-file FILE); optional: depth"
        in result.stderr
    )
    assert cli("run", "spec.yaml", "-i", "topic=tides", cwd=tmp_path).returncode == 0


def test_a_number_where_text_is_wanted_hints_at_quoting(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(NEEDS_INPUT)
    result = cli("run", "spec.yaml", "-i", "topic=42", cwd=tmp_path)
    assert result.returncode == 2
    assert "at topic: 42 is not of type 'string'" in result.stderr
    assert """quote to pass text: -i topic='"42"'""" in result.stderr
    assert cli("run", "spec.yaml", "-i", 'topic="42"', cwd=tmp_path).returncode == 0


def test_the_live_view_leaves_the_prompt_alone(project: Path) -> None:
    """While the user types at an input_required prompt, nothing redraws the terminal."""
    process, controller = run_on_terminal(project, "run", "spec.yaml", "tides")
    try:
        seen = read_until(controller, b"Publish the draft?", b"")
        assert quiet_for(controller, 0.6) == b""
        os.write(controller, b"y\n")
        seen = read_until(controller, b"review: note", seen)
        os.write(controller, b"look")  # typing, not finished yet
        echoed = quiet_for(controller, 0.6)
        assert echoed == b"look", echoed  # only the echo of what was typed
        os.write(controller, b"s fine\n")
        process.wait(timeout=30)
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
