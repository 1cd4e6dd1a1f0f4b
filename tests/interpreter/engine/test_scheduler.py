"""interpreter/scheduler.py: concurrency, limits, policy (timeout, retries, on_error), cancel."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import agno_dsl
import pytest

from tests.conftest import read_events, run_cli
from tests.interpreter.engine import helpers

HERE = Path(__file__).resolve().parent
HEAD = "version: 1\nmodels:\n  mirror: {provider: echo}\nagents:\n  echo: {model: mirror}\n"


def spec(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(HEAD + body.replace("H:", "tests.interpreter.engine.helpers:"))
    return path


def test_parallel_branches_really_run_together(tmp_path: Path) -> None:
    helpers.reset(3)
    path = spec(
        tmp_path,
        """workflows:
  w:
    steps:
      - parallel:
          name: p
          steps:
            - {name: a, function: "H:meet", input: a}
            - {name: b, function: "H:meet", input: b}
            - {name: c, function: "H:meet", input: c}
""",
    )
    output = agno_dsl.run(path)
    assert output.status == "completed", output.error
    assert [s.content for s in output.step_results[0].steps] == ["met a", "met b", "met c"]


def test_graph_nodes_without_dependencies_run_together(tmp_path: Path) -> None:
    helpers.reset(2)
    path = spec(
        tmp_path,
        """workflows:
  w:
    graph:
      left: {function: "H:meet", input: l}
      right: {function: "H:meet", input: r}
      join: {agent: echo, needs: [left, right]}
""",
    )
    output = agno_dsl.run(path)
    assert output.status == "completed", output.error
    # With two dependencies, previous.output maps each to its output; an agent
    # receives it as JSON text.
    assert json.loads(output.content) == {"left": "met l", "right": "met r"}


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_max_concurrency_bounds_running_steps(tmp_path: Path, limit: int) -> None:
    helpers.reset(1)
    branches = "\n".join(
        f'            - {{name: s{i}, function: "H:count_active"}}' for i in range(6)
    )
    path = spec(
        tmp_path,
        f"""workflows:
  w:
    max_concurrency: {limit}
    steps:
      - parallel:
          name: p
          steps:
{branches}
""",
    )
    output = agno_dsl.run(path)
    assert output.status == "completed"
    assert limit == helpers.PEAK  # never more, and the limit is actually used


def test_cli_max_concurrency_overrides_the_spec(tmp_path: Path) -> None:
    helpers.reset(1)
    branches = "\n".join(
        f'            - {{name: s{i}, function: "H:count_active"}}' for i in range(4)
    )
    path = spec(
        tmp_path,
        f"""workflows:
  w:
    max_concurrency: 4
    steps:
      - parallel:
          steps:
{branches}
""",
    )
    assert run_cli(["run", str(path), "--max-concurrency", "1"]).exit_code == 0
    assert helpers.PEAK == 1


def test_model_error_fails_the_run_with_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("""version: 1
models:
  fake: {provider: scripted, responses: [{error: rate limited}]}
agents:
  a: {model: fake}
workflows:
  w:
    steps:
      - {name: first, agent: a, on_error: fail, retries: 0}
""")
    events = tmp_path / "e.jsonl"
    result = run_cli(["run", str(path), "hi", "--events", str(events)])
    assert result.exit_code == 1
    error, hint = result.stderr.splitlines()  # the error, then how to continue after a fix
    assert error == (
        f"error: {path}:9:9: step 'first' failed: "
        "Step 'first' executor (agent) failed: rate limited"
    )
    assert hint.startswith("after a fix, resume it with: agno-dsl resume ")
    names = [e["event"] for e in read_events(events)]
    assert names == [
        "WorkflowStarted",
        "StepStarted",
        "RunStarted",
        "ModelRequestStarted",
        "RunError",
        "StepError",
        "WorkflowError",
    ]


def test_function_error_names_the_step(tmp_path: Path) -> None:
    path = spec(
        tmp_path,
        'workflows:\n  w:\n    steps:\n      - {name: s, function: "H:boom", on_error: fail}\n',
    )
    result = run_cli(["run", str(path), "x"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].endswith("step 's' failed: ValueError: the function broke")
    assert "Traceback" not in result.output


def test_timeout(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("""version: 1
models:
  slow: {provider: scripted, responses: [{content: late, delay: 5s}]}
agents:
  a: {model: slow}
workflows:
  w:
    steps: [{name: s, agent: a, timeout: 50ms, retries: 0, on_error: fail}]
""")
    output = agno_dsl.run(path, "x")
    assert output.status == "failed"
    assert output.error.endswith("step 's' failed: timed out after 0.05s")


def test_retries_then_success_and_retries_exhausted(tmp_path: Path, monkeypatch) -> None:
    counter = tmp_path / "calls"
    monkeypatch.setenv("AGNO_DSL_TEST_COUNTER", str(counter))
    body = (
        'workflows:\n  w:\n    steps:\n      - {{name: s, function: "H:flaky", input: "{n}", '
        "retries: 2, retry_delay: 0s, on_error: fail}}\n"
    )
    output = agno_dsl.run(spec(tmp_path, body.format(n=3)))
    assert output.status == "completed" and output.content == "ok after 3"
    counter.unlink()
    output = agno_dsl.run(spec(tmp_path, body.format(n=4)))
    assert output.status == "failed"
    assert "RuntimeError: attempt 3 failed" in output.error
    assert counter.read_text() == "3"  # one try + two retries


def test_a_failing_step_is_skipped_by_default_like_agno(tmp_path: Path) -> None:
    body = """workflows:
  w:
    steps:
      - {{name: before, agent: echo}}
      - {{name: bad, function: "H:boom"{option}}}
      - {{name: after, agent: echo}}
"""
    for option in ("", ", on_error: skip", ", on_error: continue"):
        output = agno_dsl.run(spec(tmp_path, body.format(option=option)), "hello")
        assert output.status == "completed"
        # agno: the skipped step's record is what the next step receives
        assert output.content == "Step skipped due to error: the function broke"
        bad = output.step_results[1]
        assert (bad.step_name, bad.success, bad.error) == ("bad", False, "the function broke")


def test_skip_on_failure_reports_the_failure_as_the_step_output(tmp_path: Path) -> None:
    path = spec(
        tmp_path,
        """workflows:
  w:
    steps:
      - {name: bad, function: "H:boom", skip_on_failure: true, on_error: fail}
      - {name: after, agent: echo}
""",
    )
    output = agno_dsl.run(path, "hello")
    assert output.status == "completed"
    assert output.content == "Step bad failed but skipped"
    assert (output.step_results[0].success, output.step_results[0].error) == (
        False,
        "the function broke",
    )


def test_a_failing_parallel_branch_lets_the_others_finish(tmp_path: Path) -> None:
    path = spec(
        tmp_path,
        """workflows:
  w:
    steps:
      - parallel:
          steps:
            - {name: slow, function: "H:delayed", input: "5"}
            - {name: fast, function: "H:fail_fast", retries: 0}
""",
    )
    output = agno_dsl.run(path)
    assert output.status == "completed"
    slow, fast = output.step_results[0].steps
    assert (slow.content, slow.success) == ("5", True)
    assert (fast.content, fast.success) == ("Step fast failed: fast failure", False)
    assert output.step_results[0].success is False


def test_api_cancel_reports_cancelled_event(tmp_path: Path) -> None:
    path = spec(
        tmp_path, 'workflows:\n  w:\n    steps:\n      - {name: s, function: "H:slow_then_mark"}\n'
    )
    events: list[str] = []

    async def main() -> None:
        task = asyncio.create_task(agno_dsl.arun(path, on_event=lambda e: events.append(e.event)))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    os.environ["AGNO_DSL_TEST_COUNTER"] = str(tmp_path / "never")
    asyncio.run(main())
    assert events == ["WorkflowStarted", "StepStarted", "WorkflowCancelled"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_cli_interrupt_exits_130(tmp_path: Path, signum: int) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("""version: 1
models:
  slow: {provider: scripted, responses: [{content: late, delay: 30s}]}
agents:
  a: {model: slow}
workflows:
  w:
    steps: [{name: s, agent: a}]
""")
    events = tmp_path / "e.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "agno_dsl", "run", str(path), "x", "--events", str(events)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (
        events.exists() and "RunStarted" in events.read_text()
    ):
        time.sleep(0.05)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130
    assert "cancelled" in stderr and "Traceback" not in stderr
    assert read_events(events)[-1]["event"] == "WorkflowCancelled"


def test_function_returning_step_output_is_readable_by_name(tmp_path: Path) -> None:
    path = spec(
        tmp_path,
        """workflows:
  w:
    steps:
      - {name: gate, function: "H:stop_here", stop_if: "false"}
""",
    )
    path.write_text(
        path.read_text().replace(
            '- {name: gate, function: "tests.interpreter.engine.helpers:stop_here", '
            'stop_if: "false"}',
            '- {name: made, function: "tests.interpreter.engine.helpers:made_output"}\n'
            '      - {name: after, agent: echo, input: "{{ steps.made.output }}"}',
        )
    )
    output = agno_dsl.run(path)
    assert output.content == "built by a function"
    assert [s.step_name for s in output.step_results] == ["made", "after"]
