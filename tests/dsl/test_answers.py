"""Answers to a paused run (dsl/answers.py): an answer that does not fit the waiting
step is a usage error that names what the step expects, and the run stays paused."""

from __future__ import annotations

import json
from pathlib import Path

import agno_dsl
import pytest

from tests.dsl.run_helpers import calls, cli, read_until, run_id_of, run_on_terminal


def paused_at_publish(project: Path) -> str:
    """A run waiting at the `confirm:` step 'publish'."""
    first = cli("run", "spec.yaml", "tides", cwd=project)
    assert first.returncode == 3, first.stderr
    return run_id_of(first.stderr)


def paused_at_review(project: Path) -> str:
    """A run waiting at the `input_required:` step 'review' (wants {note: string})."""
    run_id = paused_at_publish(project)
    assert cli("resume", run_id, "--approve", cwd=project).returncode == 3
    return run_id


def status_of(project: Path, run_id: str) -> dict:
    listed = json.loads(cli("runs", "list", "--json", cwd=project).stdout)
    return next(run for run in listed if run["run_id"] == run_id)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (["-i", "note=ok"], "waits for a confirmation (Publish the draft?): approve or reject"),
        (["--approve", "--reject"], "give --approve or --reject, not both"),
        (["--approve", "-i", "note=ok"], "give --approve or -i, not both"),
    ],
)
def test_a_confirmation_takes_only_approve_or_reject(project: Path, answer, expected) -> None:
    run_id = paused_at_publish(project)
    wrong = cli("resume", run_id, *answer, cwd=project)
    assert wrong.returncode == 2, wrong.stderr
    assert expected in wrong.stderr
    run = status_of(project, run_id)
    assert run["status"] == "paused" and run["pending"]["step_name"] == "publish"
    assert run["decisions"] == {}  # nothing was approved behind the user's back
    # The run is intact: the right answer continues it.
    assert cli("resume", run_id, "--approve", cwd=project).returncode == 3


def test_confirm_answered_with_input_says_the_exact_command(project: Path) -> None:
    run_id = paused_at_publish(project)
    wrong = cli("resume", run_id, "-i", "note=ok", cwd=project)
    assert wrong.stderr.splitlines() == [
        f"error: run {run_id}: step 'publish' waits for a confirmation (Publish the draft?): "
        "approve or reject, not input note; the run is still paused",
        f"continue with: agno-dsl resume {run_id} --approve (or --reject)",
    ]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (["--approve"], "step 'review' waits for input (note) or reject, not --approve"),
        (["-i", "other=x"], "input of step 'review': 'note' is a required property"),
        (["-i", "note=42"], "input of step 'review' at note: 42 is not of type 'string'"),
    ],
)
def test_input_request_rejects_what_does_not_fit(project: Path, answer, expected) -> None:
    run_id = paused_at_review(project)
    wrong = cli("resume", run_id, *answer, cwd=project)
    assert wrong.returncode == 2, wrong.stderr
    assert expected in wrong.stderr
    assert f"continue with: agno-dsl resume {run_id} -i note=..." in wrong.stderr
    run = status_of(project, run_id)
    assert run["status"] == "paused" and run["pending"]["step_name"] == "review"
    done = cli("resume", run_id, "-i", "note=fine", "--json", cwd=project)
    assert json.loads(done.stdout)["status"] == "completed"
    assert calls(project) == {"count": 1, "summary": 1}


def test_a_number_where_text_is_wanted_hints_at_quoting(project: Path) -> None:
    run_id = paused_at_review(project)
    wrong = cli("resume", run_id, "-i", "note=42", cwd=project)
    assert """quote to pass text: -i note='"42"'""" in wrong.stderr
    quoted = cli("resume", run_id, "-i", 'note="42"', "--json", cwd=project)
    assert json.loads(quoted.stdout)["status"] == "completed"


def test_an_answer_to_a_run_that_waits_for_none(project: Path) -> None:
    (project / "plain.yaml").write_text(
        "version: 1\nworkflows:\n  w:\n    steps: [{name: f, function: 'counter:count'}]\n"
    )
    import os

    from agno_dsl.interpreter.storage import open_storage

    done = json.loads(cli("run", "plain.yaml", "--json", cwd=project).stdout)

    async def mark_interrupted() -> None:  # as after a kill: running, nobody holds it
        storage = await open_storage(os.environ["AGNO_DSL_STORAGE"])
        record = await storage.get_run(done["run_id"])
        record.status = "running"
        await storage.save_run(record)

    import asyncio

    asyncio.run(mark_interrupted())
    wrong = cli("resume", done["run_id"], "--approve", cwd=project)
    assert wrong.returncode == 2
    assert "is not waiting for an answer" in wrong.stderr


def test_api_resume_refuses_answers_that_do_not_fit(project: Path) -> None:
    run_id = paused_at_publish(project)
    with pytest.raises(agno_dsl.UsageError, match="waits for a confirmation"):
        agno_dsl.resume(run_id, values={"note": "ok"})
    with pytest.raises(agno_dsl.UsageError, match="approve= or values=, not both"):
        agno_dsl.resume(run_id, approve=True, values={"note": "ok"})
    output = agno_dsl.resume(run_id, approve=True)
    assert output.status == "paused" and output.pending["step_name"] == "review"
    with pytest.raises(agno_dsl.UsageError, match="waits for input \\(note\\) or reject"):
        agno_dsl.resume(run_id, approve=True)
    with pytest.raises(agno_dsl.UsageError, match="'note' is a required property"):
        agno_dsl.resume(run_id, values={"other": "x"})
    done = agno_dsl.resume(run_id, values={"note": "fine"})
    assert done.status == "completed"
    assert json.loads(done.content)["review"] == "NOTED"  # summary() returns JSON text


def test_the_terminal_asks_again_until_the_answer_fits(project: Path) -> None:
    import os

    process, controller = run_on_terminal(project, "run", "spec.yaml", "tides")
    try:
        seen = read_until(controller, b"Publish the draft?", b"")
        os.write(controller, b"y\n")
        seen = read_until(controller, b"review: note", seen)
        os.write(controller, b"42\n")  # JSON for a number; the schema wants text
        seen = read_until(controller, b"try again", seen)
        assert b"at note: 42 is not of type 'string'" in seen
        read_until(controller, b"review: note", seen.rsplit(b"try again", 1)[1])
        os.write(controller, b"fine\n")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    assert calls(project) == {"count": 1, "summary": 1}
