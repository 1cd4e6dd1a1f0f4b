"""Every cookbook scenario traced: one well-formed span tree per run attempt, whatever it does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import COOKBOOK, cookbook_commands, read_events, run_cli
from tests.cookbook.test_cookbook import SCENARIOS

BLOCK_STARTS = (
    "ParallelExecutionStarted",
    "ConditionExecutionStarted",
    "LoopExecutionStarted",
    "RouterExecutionStarted",
    "ForeachExecutionStarted",
)
ERRORS = ("StepError", "WorkflowError", "RunError", "TeamRunError", "ToolCallError")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_trace_is_one_complete_tree(scenario: str, monkeypatch, tmp_path: Path) -> None:
    folder = COOKBOOK / scenario
    monkeypatch.chdir(folder)
    spans_file, events_file = tmp_path / "spans.jsonl", tmp_path / "events.jsonl"
    run_id, attempts = "", 0
    for index, args in enumerate(cookbook_commands(folder)):
        args = [arg.replace("RUN_ID", run_id) for arg in args]
        if args[0] in ("run", "resume"):
            args += ["--trace", str(spans_file)]
            attempts += 1
        run_cli([*args, "--events", str(events_file)])
        if index == 0:
            run_id = read_events(events_file)[0]["run_id"]
    spans = [json.loads(line) for line in spans_file.read_text().splitlines()]
    events = read_events(events_file)
    ids = {span["span_id"] for span in spans}
    # Every parent is in the trace: no span hangs outside its run's tree.
    assert all(span["parent_span_id"] in ids for span in spans if span["parent_span_id"])
    # One root per run or resumed attempt, carrying the run's id; one trace per run.
    roots = [span for span in spans if span["parent_span_id"] is None]
    run_ids = {event["run_id"] for event in events}
    assert len(roots) == attempts
    assert {root["attributes"]["agno.run.id"] for root in roots} == run_ids
    assert len({span["trace_id"] for span in spans}) == len(run_ids)
    assert all(span["end_time"] >= span["start_time"] > 0 for span in spans)
    # Each step and each block that started is a span of its own.
    kinds = [span["attributes"].get("agno.step.type") for span in spans]
    blocks = ("parallel", "condition", "loop", "router", "foreach")
    assert sum(kind in blocks for kind in kinds) == sum(e["event"] in BLOCK_STARTS for e in events)
    started = sum(e["event"] == "StepStarted" for e in events)
    leaf_spans = sum(kind in ("agent", "team", "function", "workflow") for kind in kinds)
    assert leaf_spans == started
    # Each agent and team run, each tool call.
    runners = sum(e["event"] in ("RunStarted", "TeamRunStarted") for e in events)
    kinds_oi = [span["attributes"].get("openinference.span.kind") for span in spans]
    assert kinds_oi.count("AGENT") == runners
    calls = {
        (e.get("agent_run_id") or e.get("team_run_id"), e["tool"]["tool_call_id"])
        for e in events
        if "ToolCall" in e["event"]
    }
    assert kinds_oi.count("TOOL") == len(calls)
    # ERROR only where the run reported an error.
    if not any(e["event"].endswith(ERRORS) for e in events):
        assert all(span["status_code"] != "ERROR" for span in spans)
