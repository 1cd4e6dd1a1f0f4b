"""Model request spans from agno's ModelRequestStarted/Completed events (when emitted)."""

from __future__ import annotations

import itertools
from typing import Any

from agno_dsl.interpreter.sinks.otel import OtelSink
from agno_dsl.schemas.events import Event

from tests.interpreter.sinks.conftest import Traced, children, roots

_clock = itertools.count(1)


def event(name: str, **fields: Any) -> Event:
    return Event.model_construct(
        event=name, created_at=1000.0 + next(_clock) / 100, run_id="run-1", **fields
    )


def test_requests_reported_by_events_carry_their_own_tokens(traced: Traced) -> None:
    sink = OtelSink(traced.telemetry)
    who = {"agent_name": "calc", "agent_run_id": "a-1"}
    model = {"model": "gpt-4.1-mini", "model_provider": "openai"}
    for item in [
        event("RunStarted", **who, **model),
        event("ModelRequestStarted", **who, **model),
        event(
            "ModelRequestCompleted",
            **who,
            **model,
            input_tokens=10,
            output_tokens=3,
            time_to_first_token=0.2,
        ),
        event("ToolCallStarted", **who, tool_name="add", tool_call_id="c1", tool_args={"a": 1}),
        event("ToolCallCompleted", **who, tool_name="add", tool_call_id="c1", result="2"),
        event("ModelRequestStarted", **who, **model),
        event("ModelRequestCompleted", **who, **model, input_tokens=15, output_tokens=4),
        event("RunContent", **who, content="2"),
        event("RunCompleted", **who, content="2", metrics={"input_tokens": 25, "output_tokens": 7}),
    ]:
        sink(item)
    spans = traced.spans()
    (agent,) = roots(spans)
    assert [s.name for s in children(spans, agent)] == [
        "OpenAIChat.ainvoke",
        "add",
        "OpenAIChat.ainvoke",
    ]
    first, _tool, second = children(spans, agent)
    assert first.attributes["gen_ai.usage.input_tokens"] == 10
    assert first.attributes["gen_ai.response.time_to_first_chunk"] == 0.2
    assert first.attributes["llm.provider"] == "OpenAI"
    assert first.attributes["gen_ai.request.model"] == "gpt-4.1-mini"
    assert second.attributes["gen_ai.usage.input_tokens"] == 15
    assert second.end_time - second.start_time == 10_000_000  # the events' own times
    tokens = {
        p.attributes["gen_ai.token.type"]: p.sum
        for p in traced.metrics()["gen_ai.client.token.usage"]
    }
    assert tokens == {"input": 25, "output": 7}  # per request, not again per run
    (ttft,) = traced.metrics()["gen_ai.client.operation.time_to_first_chunk"]
    assert ttft.count == 1


def test_a_rejected_tool_call_is_a_span_without_a_start_event(traced: Traced) -> None:
    sink = OtelSink(traced.telemetry)
    who = {"agent_name": "calc", "agent_run_id": "a-1"}
    sink(event("RunStarted", **who, model="m", model_provider="scripted"))
    sink(event("ToolCallCompleted", **who, tool_name="rm", tool_call_id="c9", result="rejected"))
    sink(event("RunCompleted", **who, content="ok", metrics={}))
    spans = traced.spans()
    assert sorted(s.name for s in spans) == [
        "Scripted.ainvoke",
        "Scripted.ainvoke",
        "calc.arun",
        "rm",
    ]
    assert all(s.end_time is not None for s in spans)
