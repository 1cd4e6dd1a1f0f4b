"""The span tree a run produces: names, parents, attributes, errors, pauses, resumes."""

from __future__ import annotations

from typing import Any

import pytest
from agno_dsl import api

from tests.interpreter.sinks.conftest import Traced, children, roots, tree

TOOLS = "tests.interpreter.sinks.otel_tools"

TREE_SPEC = f"""
version: 1
models:
  calc_model:
    provider: scripted
    responses:
      - tool_calls: [{{name: add, arguments: {{a: 2, b: 3}}}}]
        usage: {{input_tokens: 10, output_tokens: 5}}
      - {{content: "The sum is 5", usage: {{input_tokens: 12, output_tokens: 4}}}}
  plain:
    provider: scripted
    responses:
      - {{content: "draft", usage: {{input_tokens: 3, output_tokens: 2}}}}
  leader:
    provider: scripted
    responses:
      - tool_calls:
          - {{name: delegate_task_to_member, arguments: {{member_id: writer, task: Write}}}}
        usage: {{input_tokens: 100, output_tokens: 1}}
      - {{content: team done, usage: {{input_tokens: 200, output_tokens: 2}}}}
tools:
  add: {{python: "{TOOLS}:add"}}
agents:
  calc: {{model: calc_model, tools: [add]}}
  writer: {{model: plain}}
  critic: {{model: plain}}
teams:
  desk: {{mode: coordinate, model: leader, members: [writer]}}
workflows:
  main:
    steps:
      - {{name: compute, agent: calc, input: "Add 2 and 3"}}
      - parallel:
          name: fan
          steps:
            - {{name: left, agent: writer}}
            - {{name: right, team: desk}}
      - loop:
          name: polish
          max_iterations: 2
          steps: [{{name: review, agent: critic}}]
"""


LEADER_INPUT = 100 + 200


def by_name(spans: list[Any], name: str) -> list[Any]:
    return [s for s in spans if s.name == name]


def test_workflow_with_parallel_loop_team_and_tool_is_one_tree(write_spec, traced: Traced):
    output = api.run(write_spec(TREE_SPEC), "go", session_id="s-1", telemetry=traced.telemetry)
    assert output.status == "completed"
    spans = traced.spans()
    (root,) = roots(spans)
    agent_run = ("calc.arun", [("Scripted.ainvoke", []), ("add", []), ("Scripted.ainvoke", [])])
    writer_run = ("writer.arun", [("Scripted.ainvoke", [])])
    review = ("review.aexecute", [("critic.arun", [("Scripted.ainvoke", [])])])
    team_run = (
        "desk.arun",
        [
            ("Scripted.ainvoke", []),
            ("delegate_task_to_member", [writer_run]),  # the member under its leader
            ("Scripted.ainvoke", []),
        ],
    )
    assert tree(spans, root) == (
        "main.arun",
        [
            ("compute.aexecute", [agent_run]),
            # Branches start in declaration order (asyncio runs new tasks first in, first out).
            ("fan.aexecute", [("left.aexecute", [writer_run]), ("right.aexecute", [team_run])]),
            ("polish.aexecute", [("polish.iteration", [review]), ("polish.iteration", [review])]),
        ],
    )
    # One trace, every span in it.
    assert {s.context.trace_id for s in spans} == {root.context.trace_id}
    run_id = output.run_id
    assert root.attributes["gen_ai.operation.name"] == "invoke_workflow"
    assert root.attributes["gen_ai.workflow.name"] == "main"
    assert root.attributes["agno.run.id"] == run_id
    assert root.attributes["session.id"] == "s-1"
    assert root.attributes["gen_ai.usage.input_tokens"] == 10 + 12 + 3 + 3 + 3 + 3 + LEADER_INPUT


def test_attributes_follow_genai_and_agno_tracing(write_spec, traced: Traced):
    api.run(write_spec(TREE_SPEC), "go", telemetry=traced.telemetry)
    spans = traced.spans()
    (step,) = by_name(spans, "compute.aexecute")
    assert step.attributes["agno.step.type"] == "agent"
    assert step.attributes["agno.step.agent_name"] == "calc"
    (agent,) = by_name(spans, "calc.arun")
    assert agent.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert agent.attributes["gen_ai.agent.name"] == "calc"
    assert agent.attributes["openinference.span.kind"] == "AGENT"
    assert agent.attributes["gen_ai.provider.name"] == "scripted"
    assert agent.attributes["gen_ai.request.model"] == "scripted"
    assert agent.attributes["gen_ai.usage.input_tokens"] == 22
    assert agent.attributes["gen_ai.usage.output_tokens"] == 9
    first, second = (s for s in children(spans, agent) if s.name == "Scripted.ainvoke")
    assert first.attributes["gen_ai.operation.name"] == "chat"
    assert first.kind.name == "CLIENT"
    assert first.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert second.attributes["gen_ai.response.finish_reasons"] == ("stop",)
    (tool,) = by_name(spans, "add")
    assert tool.attributes["gen_ai.operation.name"] == "execute_tool"
    assert tool.attributes["gen_ai.tool.name"] == "add"
    assert tool.attributes["gen_ai.tool.call.id"]
    # Content is opt-in: no arguments or results without capture_content.
    assert "gen_ai.tool.call.arguments" not in tool.attributes
    assert "gen_ai.tool.call.result" not in tool.attributes
    assert first.end_time <= tool.start_time <= tool.end_time <= second.start_time
    (team,) = by_name(spans, "desk.arun")
    assert team.attributes["agno.team"] == "desk"
    assert team.attributes["agno.team.mode"] == "coordinate"
    (fan,) = by_name(spans, "fan.aexecute")
    assert fan.attributes["agno.step.type"] == "parallel"
    assert fan.attributes["agno.parallel.step_count"] == 2
    iterations = by_name(spans, "polish.iteration")
    assert [s.attributes["agno.loop.iteration"] for s in iterations] == [1, 2]
    assert all(s.status.status_code.name == "OK" for s in spans)
    resource = spans[0].resource.attributes
    assert resource["service.name"] == "agno-dsl"
    assert resource["agno.runtime"] == "agno-dsl"
    assert resource["service.version"]


def test_capture_content_records_inputs_outputs_and_tool_io(write_spec):
    traced = Traced(capture_content=True)
    api.run(write_spec(TREE_SPEC), "go", telemetry=traced.telemetry)
    spans = traced.spans()
    (tool,) = by_name(spans, "add")
    assert tool.attributes["gen_ai.tool.call.arguments"] == '{"a": 2, "b": 3}'
    assert tool.attributes["gen_ai.tool.call.result"] == "5"
    (agent,) = by_name(spans, "calc.arun")
    assert agent.attributes["output.value"] == "The sum is 5"
    (root,) = roots(spans)
    assert root.attributes["input.value"] == "go"


def test_metrics_count_tokens_durations_and_outcomes(write_spec, traced: Traced):
    api.run(write_spec(TREE_SPEC), "go", telemetry=traced.telemetry)
    traced.spans()
    metrics = traced.metrics()
    tokens = {
        (p.attributes["gen_ai.token.type"], p.attributes["gen_ai.request.model"]): p.sum
        for p in metrics["gen_ai.client.token.usage"]
    }
    # Every run's own tokens once: members are not counted again in their team's.
    assert tokens[("input", "scripted")] == 10 + 12 + 3 + 3 + 3 + 3 + LEADER_INPUT
    durations = {
        p.attributes["gen_ai.operation.name"] for p in metrics["gen_ai.client.operation.duration"]
    }
    assert durations == {"chat", "execute_tool"}
    tool_point = next(
        p
        for p in metrics["gen_ai.client.operation.duration"]
        if p.attributes.get("gen_ai.tool.name") == "add"
    )
    assert tool_point.count == 1
    (run_point,) = metrics["agno.runs"]
    assert run_point.attributes["agno.status"] == "completed" and run_point.value == 1
    steps = {
        (p.attributes["agno.step.type"], p.attributes["agno.status"]): p.value
        for p in metrics["agno.steps"]
    }
    assert steps[("agent", "completed")] == 4  # compute, left, review twice
    assert steps[("team", "completed")] == 1


FAILING_SPEC = f"""
version: 1
models:
  plain: {{provider: scripted, responses: [{{content: ok}}]}}
agents:
  writer: {{model: plain}}
workflows:
  main:
    steps:
      - {{name: first, agent: writer}}
      - loop:
          name: fan
          max_iterations: 1
          steps:
            - {{name: broken, function: "{TOOLS}:boom", retries: 0}}
            - {{name: fine, agent: writer}}
"""


def test_failing_step_sets_error_status_and_exception_event_up_to_the_root(
    write_spec, traced: Traced
):
    output = api.run(write_spec(FAILING_SPEC), "go", telemetry=traced.telemetry)
    assert output.status == "failed"
    spans = traced.spans()
    (broken,) = by_name(spans, "broken.aexecute")
    assert broken.status.status_code.name == "ERROR"
    (exception,) = [e for e in broken.events if e.name == "exception"]
    assert "cannot reach" in exception.attributes["exception.message"]
    # agno reports no event for a step failing inside a loop (the loop fails the run):
    # its span ends when the run fails.
    assert exception.attributes["exception.type"] == "StepFailed"
    # The error path is ERROR up to the root; the step that had finished stays OK.
    (fan,) = by_name(spans, "fan.aexecute")
    (root,) = roots(spans)
    assert fan.status.status_code.name == "ERROR"
    assert root.status.status_code.name == "ERROR"
    assert "cannot reach" in root.status.description  # WorkflowError: the message, as agno
    (first,) = by_name(spans, "first.aexecute")
    assert first.status.status_code.name == "OK"
    assert all(s.end_time is not None for s in spans)
    (run_point,) = traced.metrics()["agno.runs"]
    assert run_point.attributes["agno.status"] == "failed"


def test_failing_model_marks_agent_and_request_spans(write_spec, traced: Traced):
    spec = """
version: 1
models:
  bad: {provider: scripted, responses: [{error: "rate limited"}]}
agents:
  writer: {model: bad}
"""
    output = api.run(write_spec(spec), "hi", telemetry=traced.telemetry)
    assert output.status == "failed"
    spans = traced.spans()
    (agent,) = roots(spans)
    assert agent.name == "writer.arun"
    assert agent.status.status_code.name == "ERROR"
    assert "rate limited" in agent.status.description
    (request,) = children(spans, agent)
    assert request.status.status_code.name == "ERROR"


PAUSE_SPEC = """
version: 1
models:
  plain: {provider: scripted, responses: [{content: drafted}, {content: published}]}
agents:
  writer: {model: plain}
workflows:
  main:
    steps:
      - {name: draft, agent: writer}
      - {name: publish, agent: writer, confirm: "Publish it?"}
"""


def test_paused_run_then_resumed_run_continue_one_trace(write_spec, traced: Traced, tmp_path):
    storage = f"sqlite:///{tmp_path}/runs.db"
    path = write_spec(PAUSE_SPEC)
    paused = api.run(path, "go", storage=storage, telemetry=traced.telemetry)
    assert paused.status == "paused"
    first = traced.spans()
    (first_root,) = roots(first)
    assert first_root.attributes["agno.status"] == "paused"
    assert first_root.status.status_code.name == "UNSET"
    (waiting,) = by_name(first, "publish.aexecute")
    assert waiting.attributes["agno.status"] == "paused"
    assert waiting.status.status_code.name == "UNSET"
    traced.exporter.clear()

    resumed = api.resume(paused.run_id, storage=storage, approve=True, telemetry=traced.telemetry)
    assert resumed.status == "completed"
    second = traced.spans()
    (second_root,) = roots(second)
    # The same trace, a new root linked to the paused attempt's root.
    assert second_root.context.trace_id == first_root.context.trace_id
    (link,) = second_root.links
    assert link.context.span_id == first_root.context.span_id
    assert second_root.attributes["agno.resumed"] is True
    assert [s.name for s in children(second, second_root)] == ["publish.aexecute"]
    assert second_root.status.status_code.name == "OK"

    from agno_dsl.interpreter.storage import open_storage

    async def stored() -> list[dict[str, Any]]:
        store = await open_storage(storage)
        try:
            return await store.load_spans(paused.run_id)
        finally:
            await store.close()

    import asyncio

    records = asyncio.run(stored())
    assert [r["name"] for r in records if r["parent_span_id"] is None] == ["main.arun", "main.arun"]
    assert {r["trace_id"] for r in records} == {format(first_root.context.trace_id, "032x")}


@pytest.mark.parametrize("inside", [False, True])
def test_a_step_paused_inside_a_block_is_a_paused_span_in_the_block(
    write_spec, traced: Traced, inside
):
    spec = PAUSE_SPEC
    if inside:
        spec = spec.replace(
            '      - {name: publish, agent: writer, confirm: "Publish it?"}',
            "      - parallel:\n"
            "          name: fan\n"
            "          steps:\n"
            "            - {name: publish, agent: writer, confirm: ok?}\n"
            "            - {name: other, agent: writer}",
        )
    output = api.run(write_spec(spec), "go", telemetry=traced.telemetry)
    assert output.status == "paused"
    spans = traced.spans()
    (root,) = roots(spans)
    (waiting,) = by_name(spans, "publish.aexecute")
    assert waiting.attributes["agno.status"] == "paused"
    parent = next(s for s in spans if s.context.span_id == waiting.parent.span_id)
    assert parent.name == ("fan.aexecute" if inside else "main.arun")
    assert all(s.status.status_code.name != "ERROR" for s in spans)


def test_cancelled_run_ends_every_span_as_cancelled(write_spec, traced: Traced):
    import asyncio

    spec = """
version: 1
models:
  slow: {provider: scripted, responses: [{content: late, delay: 5s}]}
  plain: {provider: scripted, responses: [{content: ok}]}
agents:
  sleeper: {model: slow}
  quick: {model: plain}
workflows:
  main:
    steps:
      - {name: first, agent: quick}
      - parallel:
          name: fan
          steps:
            - {name: waits, agent: sleeper}
            - {name: also, agent: sleeper}
"""
    path = write_spec(spec)

    async def main() -> None:
        task = asyncio.create_task(api.arun(path, "go", telemetry=traced.telemetry))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    spans = traced.spans()
    (root,) = roots(spans)
    assert root.attributes["agno.status"] == "cancelled"
    assert root.status.status_code.name == "UNSET"
    interrupted = by_name(spans, "waits.aexecute") + by_name(spans, "sleeper.arun")
    assert interrupted and all(s.attributes["agno.status"] == "cancelled" for s in interrupted)
    (first,) = by_name(spans, "first.aexecute")
    assert first.status.status_code.name == "OK"
