"""dsl/runs.py through the CLI: pause, resume in a new process, reject, input, errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.dsl.run_helpers import SPEC, calls, cli, run_id_of, run_on_terminal


def test_pause_resume_across_processes(project: Path) -> None:
    first = cli("run", "spec.yaml", "tides", cwd=project)
    assert first.returncode == 3, first.stderr
    run_id = run_id_of(first.stderr)
    assert first.stderr.splitlines() == [
        f"run {run_id} paused at step 'publish': Publish the draft?",
        f"continue with: agno-dsl resume {run_id} --approve (or --reject)",
    ]
    second = cli("resume", run_id, "--approve", cwd=project)
    assert second.returncode == 3
    assert f"agno-dsl resume {run_id} -i note=..." in second.stderr
    third = cli("resume", run_id, "-i", "note=looks good", "--json", cwd=project)
    assert third.returncode == 0, third.stderr
    output = json.loads(third.stdout)
    assert output["status"] == "completed"
    assert json.loads(output["content"]) == {
        "draft": "DRAFT",
        "publish": "PUBLISHED DRAFT",
        "review": "NOTED",
    }
    # Three processes, yet every function step ran exactly once.
    assert calls(project) == {"count": 1, "summary": 1}


def test_reject_skips_the_step_and_the_run_goes_on(project: Path) -> None:
    run_id = run_id_of(cli("run", "spec.yaml", "tides", cwd=project).stderr)
    assert cli("resume", run_id, "--reject", cwd=project).returncode == 3
    done = cli("resume", run_id, "-i", 'note="fine"', "--json", cwd=project)
    output = json.loads(done.stdout)
    assert json.loads(output["content"])["publish"] is None
    # agno's on_reject default (skip): the step leaves no result
    assert [s["step_name"] for s in output["step_results"]] == ["draft", "count", "review", "final"]


def test_input_is_checked_against_the_schema(project: Path) -> None:
    run_id = run_id_of(cli("run", "spec.yaml", "tides", cwd=project).stderr)
    cli("resume", run_id, "--approve", cwd=project)
    bad = cli("resume", run_id, "-i", "other=x", cwd=project)
    # A wrong answer is a usage error: the run stays paused and the right answer still works.
    assert bad.returncode == 2
    assert "input of step 'review': 'note' is a required property" in bad.stderr
    assert f"continue with: agno-dsl resume {run_id} -i note=..." in bad.stderr
    good = cli("resume", run_id, "-i", "note=fine", cwd=project)
    assert good.returncode == 0, good.stderr


def test_resume_needs_a_decision_when_paused(project: Path) -> None:
    run_id = run_id_of(cli("run", "spec.yaml", "tides", cwd=project).stderr)
    result = cli("resume", run_id, cwd=project)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: run {run_id} waits at step 'publish': "
        "Publish the draft?; pass --approve or --reject"
    )


def test_resume_unknown_and_finished_runs(project: Path) -> None:
    unknown = cli("resume", "nope", cwd=project)
    assert unknown.returncode == 2 and "error: no run nope in sqlite:///" in unknown.stderr
    (project / "plain.yaml").write_text(
        "version: 1\nmodels: {m: {provider: echo}}\nagents: {a: {model: m}}\n"
        "workflows:\n  w:\n    steps: [{agent: a}]\n"
    )
    done = cli("run", "plain.yaml", "hi", "--json", cwd=project)
    run_id = json.loads(done.stdout)["run_id"]
    again = cli("resume", run_id, cwd=project)
    assert again.returncode == 2
    assert f"run {run_id} already finished (completed)" in again.stderr


def test_spec_changed_since_the_run_started(project: Path) -> None:
    run_id = run_id_of(cli("run", "spec.yaml", "tides", cwd=project).stderr)
    (project / "spec.yaml").write_text(SPEC + "\n# edited\n")
    changed = cli("resume", run_id, "--approve", cwd=project)
    assert changed.returncode == 2 and "changed since the run started" in changed.stderr
    assert cli("resume", run_id, "--approve", "--force", cwd=project).returncode == 3


def test_runs_list_show_and_events(project: Path, monkeypatch) -> None:
    run_id = run_id_of(cli("run", "spec.yaml", "tides", cwd=project).stderr)
    monkeypatch.setenv("COLUMNS", "70")  # a narrow terminal
    table = cli("runs", "list", cwd=project)
    assert run_id in table.stdout  # whole, so it can be copied into `resume`
    listed = cli("runs", "list", "--json", cwd=project)
    assert [r["run_id"] for r in json.loads(listed.stdout)] == [run_id]
    assert json.loads(listed.stdout)[0]["status"] == "paused"
    shown = cli("runs", "show", run_id, cwd=project)
    assert shown.returncode == 0
    assert "draft" in shown.stdout and "paused" in shown.stdout
    events = [
        json.loads(line)["event"]
        for line in cli("runs", "events", run_id, cwd=project).stdout.splitlines()
    ]
    assert events[0] == "WorkflowStarted" and events[-1] == "StepPaused"


def test_unreachable_database_is_one_line_without_password(project: Path) -> None:
    result = cli(
        "run",
        "spec.yaml",
        "tides",
        "--storage",
        "postgresql://agno:hunter2@127.0.0.1:1/test",
        cwd=project,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: storage postgresql://agno:***@127.0.0.1:1/test: ")
    assert "hunter2" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_sessions_cli(project: Path) -> None:
    (project / "chat.yaml").write_text(
        "version: 1\nmodels: {m: {provider: echo}}\n"
        "agents: {a: {model: m, add_history_to_context: true}}\n"
    )
    assert cli("run", "chat.yaml", "hello", "--session", "s1", cwd=project).returncode == 0
    listed = cli("sessions", "list", cwd=project)
    assert listed.stdout.startswith("s1  state keys: 0  agent runs: 1")
    shown = json.loads(cli("sessions", "show", "s1", cwd=project).stdout)
    assert shown["history"]["a"] == [
        [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "hello"}]
    ]
    assert cli("sessions", "show", "nope", cwd=project).returncode == 2


def test_kill_while_asking_on_a_terminal_then_resume(project: Path) -> None:
    """On a terminal `run` asks instead of exiting; killed while asking, nothing is lost."""
    import signal
    import time

    process, controller = run_on_terminal(project, "run", "spec.yaml", "tides")
    seen = b""
    deadline = time.monotonic() + 30
    while b"Publish the draft?" not in seen and time.monotonic() < deadline:
        try:
            seen += os.read(controller, 1024)
        except OSError:
            break
    assert b"Publish the draft?" in seen, seen
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    os.close(controller)
    listed = json.loads(cli("runs", "list", "--json", cwd=project).stdout)
    assert listed[0]["status"] == "paused"
    run_id = listed[0]["run_id"]
    assert cli("resume", run_id, "--approve", cwd=project).returncode == 3
    done = cli("resume", run_id, "-i", "note=ok", "--json", cwd=project)
    assert json.loads(done.stdout)["status"] == "completed"
    assert calls(project) == {"count": 1, "summary": 1}


def test_second_process_resuming_the_same_run_gets_a_clear_error(project: Path) -> None:
    import asyncio

    from agno_dsl.interpreter.storage import open_storage

    run_id = run_id_of(cli("run", "spec.yaml", "tides", cwd=project).stderr)

    async def hold() -> None:  # another live process on another host holds the run
        storage = await open_storage(os.environ["AGNO_DSL_STORAGE"])
        assert await storage.acquire_lease(run_id, "build-host-7:4242", 30) is None
        await storage.close()

    asyncio.run(hold())
    result = cli("resume", run_id, "--approve", cwd=project)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: run {run_id} is being run by another process (build-host-7:4242)"
    )


def test_tool_confirmation_pauses_and_resumes(project: Path) -> None:
    (project / "tools.py").write_text(
        "from pathlib import Path\n\n\n"
        "def refund(order: str) -> str:\n"
        "    log = Path(__file__).parent / 'refunds.log'\n"
        "    log.write_text(log.read_text() + order + '\\n' if log.exists() else order + '\\n')\n"
        "    return f'refunded {order}'\n"
    )
    (project / "refund.yaml").write_text("""version: 1
models:
  fake:
    provider: scripted
    responses:
      - {match: "^refund", tool_calls: [{name: refund, arguments: {order: "A-17"}}]}
      - {match: "refunded A-17", content: "Done: A-17 refunded."}
      - {match: "rejected", content: "No refund was made."}
tools:
  refund: {python: "tools:refund", requires_confirmation: true}
agents:
  clerk: {model: fake, tools: [refund]}
workflows:
  w:
    steps: [{name: handle, agent: clerk}]
""")
    first = cli("run", "refund.yaml", "refund order A-17", cwd=project)
    assert first.returncode == 3
    assert 'paused at step \'handle\': Run tool refund({"order": "A-17"})?' in first.stderr
    run_id = run_id_of(first.stderr)
    done = cli("resume", run_id, "--approve", "--json", cwd=project)
    assert json.loads(done.stdout)["content"] == "Done: A-17 refunded."
    assert (project / "refunds.log").read_text() == "A-17\n"

    rejected = run_id_of(cli("run", "refund.yaml", "refund order A-17", cwd=project).stderr)
    no = cli("resume", rejected, "--reject", "--json", cwd=project)
    assert json.loads(no.stdout)["content"] == "No refund was made."
    assert (project / "refunds.log").read_text() == "A-17\n"  # not called again
