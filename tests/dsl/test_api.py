"""dsl/api.py and `agno-dsl run` input handling: the public Python API and the CLI agree."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import agno_dsl
import pytest
from agno_dsl.api import UsageError
from agno_dsl.interpreter.errors import InputCheckError

from tests.conftest import COOKBOOK, run_cli

SEQUENTIAL = COOKBOOK / "02_sequential_workflow" / "spec.yaml"


def test_run_and_arun_and_stream_agree() -> None:
    spec = agno_dsl.load(SEQUENTIAL)
    first = agno_dsl.run(spec, {"topic": "tides"})
    second = asyncio.run(agno_dsl.arun(SEQUENTIAL, {"topic": "tides"}))

    async def collect() -> list[str]:
        return [event.event async for event in agno_dsl.stream(spec, {"topic": "tides"})]

    names = asyncio.run(collect())
    assert first.content == second.content and first.status == "completed"
    # agno's WorkflowMetrics: tokens per agent step
    steps = first.metrics.steps.values()
    assert sum(step.metrics.total_tokens for step in steps) == 30 + 18 + 25 + 10 + 40 + 16
    assert names[0] == "WorkflowStarted" and names[-1] == "WorkflowCompleted"


def test_input_schema_is_checked_before_running() -> None:
    with pytest.raises(InputCheckError, match="'topic' is a required property"):
        agno_dsl.run(SEQUENTIAL, {"subject": "tides"})
    result = run_cli(["run", str(SEQUENTIAL), "-i", "subject=tides"])
    assert result.exit_code == 2
    assert "input of workflow 'article': 'topic' is a required property" in result.stderr
    assert "spec.yaml:20:7" in result.stderr  # where the input_schema is


def test_choosing_what_to_run(write_spec) -> None:
    path = write_spec(
        "version: 1\nmodels: {m: {provider: echo}}\nagents: {a: {model: m}, b: {model: m}}\n"
    )
    with pytest.raises(UsageError, match="choose one with --agent"):
        agno_dsl.run(path, "x")
    assert agno_dsl.run(path, "x", agent="b").content == "x"
    with pytest.raises(UsageError, match="did you mean 'b'"):
        agno_dsl.run(path, "x", agent="bb")


def test_cli_json_output_has_run_id_and_status(tmp_path: Path) -> None:
    result = run_cli(["run", str(SEQUENTIAL), "-i", "topic=tides", "--json"])
    data = json.loads(result.stdout)
    assert data["status"] == "completed" and data["run_id"]
    assert [s["step_name"] for s in data["step_results"]] == ["research", "outline", "write"]


def test_cli_input_file_and_message_conflict(tmp_path: Path) -> None:
    input_file = tmp_path / "in.json"
    input_file.write_text(json.dumps({"topic": "tides"}))
    result = run_cli(["run", str(SEQUENTIAL), "--input-file", str(input_file)])
    assert result.exit_code == 0 and "Tide pools" in result.stdout
    result = run_cli(["run", str(SEQUENTIAL), "hello", "-i", "topic=x"])
    assert result.exit_code == 2 and "not both" in result.output


def test_cli_invalid_spec_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nagents: {a: {model: nope}}\n")
    result = run_cli(["run", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("bad.yaml:2:21: unknown model 'nope'; none are defined")


def test_model_override_swaps_a_model(tmp_path: Path) -> None:
    result = run_cli(["run", str(SEQUENTIAL), "-i", "topic=tides", "--model", "fake=echo:"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Write from Outline: Research tides")
    result = run_cli(["run", str(SEQUENTIAL), "-i", "topic=x", "--model", "nope=echo:"])
    assert result.exit_code == 2 and "unknown model 'nope'" in result.output


def test_structured_output_is_validated(write_spec) -> None:
    path = write_spec("""version: 1
models:
  fake: {provider: scripted, responses: [{content: {city: 3}}]}
agents:
  a:
    model: fake
    output_schema: {type: object, properties: {city: {type: string}}, required: [city]}
""")
    output = agno_dsl.run(path, "x")
    assert output.status == "failed"
    assert output.error == (
        "OutputCheckError: agent 'a' output does not match output_schema "
        "at city: 3 is not of type 'string'"
    )


def test_every_keyword_is_spelled_out() -> None:
    import inspect

    for name in ("run", "arun", "stream", "resume", "aresume"):
        parameters = inspect.signature(getattr(agno_dsl, name)).parameters.values()
        assert all(p.kind is not p.VAR_KEYWORD for p in parameters), name
    run_keywords = set(inspect.signature(agno_dsl.arun).parameters)
    assert set(inspect.signature(agno_dsl.run).parameters) == run_keywords
    assert set(inspect.signature(agno_dsl.stream).parameters) == run_keywords - {"on_event"}
    assert {"values", "approve", "spec", "storage"} <= set(
        inspect.signature(agno_dsl.resume).parameters
    )


def test_run_inside_a_running_event_loop_says_to_await_arun(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("version: 1\nmodels: {m: {provider: echo}}\nagents: {a: {model: m}}\n")

    async def in_a_notebook() -> None:
        with pytest.raises(agno_dsl.UsageError, match=r"use `await agno_dsl\.arun\(\.\.\.\)`"):
            agno_dsl.run(path, "hi")
        with pytest.raises(agno_dsl.UsageError, match=r"`await agno_dsl\.aresume\(\.\.\.\)`"):
            agno_dsl.resume("some-run")
        output = await agno_dsl.arun(path, "hi")  # what the message says works
        assert output.content == "hi"

    asyncio.run(in_a_notebook())
