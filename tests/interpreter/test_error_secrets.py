"""A password written in a URL inside an error never reaches the user, the events
or storage: errors are described once (interpreter/errors.describe), redacted."""

from __future__ import annotations

import json
from pathlib import Path

from agno_dsl.interpreter.errors import describe, without_url_passwords

from tests.conftest import run_cli

FAILING = """
def connect(step_input):
    raise ConnectionError("cannot reach postgresql://app:hunter2@db.internal:5432/prod")
"""


def test_a_url_password_is_masked_in_one_error_line() -> None:
    error = ValueError("x redis://:s3cr3tpw@h:6379/0 and https://u:p4ss@h/x, see http://h/ok")
    line = describe(error)
    assert "s3cr3tpw" not in line and "p4ss" not in line
    assert "redis://:***@h:6379/0" in line and "https://u:***@h/x" in line
    assert without_url_passwords("no url here") == "no url here"


def test_a_failing_step_quoting_a_url_password_leaks_it_nowhere(tmp_path: Path) -> None:
    (tmp_path / "db_steps.py").write_text(FAILING)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\nworkflows:\n  w:\n    steps:\n"
        '      - {name: connect, function: "db_steps:connect", on_error: fail}\n'
    )
    storage = tmp_path / "runs.db"
    events = tmp_path / "events.jsonl"
    result = run_cli(
        ["run", str(spec), "--json", "--events", str(events), "--storage", f"sqlite:///{storage}"]
    )
    assert result.exit_code == 1
    output = json.loads(result.stdout)
    assert output["status"] == "failed" and "postgresql://app:***@db.internal" in output["error"]
    for text in (result.stdout, result.stderr, events.read_text()):
        assert "hunter2" not in text
    for file in tmp_path.glob("runs.db*"):  # the database and its WAL
        assert b"hunter2" not in file.read_bytes()
