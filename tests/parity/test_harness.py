"""The harness itself: it sees differences, and its agno model replays the spec's answers."""

from __future__ import annotations

import asyncio

import agno_dsl
from agno.agent import Agent

from . import views
from .harness import SPECS, Side, compare
from .scripted_agno import scripted_models


def _side(content: str, event_content: str) -> Side:
    side = Side()
    output = {"status": "completed", "content": content, "metrics": {"input_tokens": 1}}
    event = {"event": "RunCompleted", "content": event_content, "run_id": "r", "session_id": "s"}
    side.add(output, [views.event_view(event)])
    return side


def test_a_difference_in_any_category_is_reported_with_its_place() -> None:
    same = compare(
        "p",
        {"run": _side("a", "a"), "stream": _side("a", "a")},
        {"run": _side("a", "a"), "stream": _side("a", "a")},
    )
    assert same.equal
    differ = compare(
        "p",
        {"run": _side("a", "a"), "stream": _side("a", "a")},
        {"run": _side("b", "a"), "stream": _side("a", "b")},
    )
    assert not differ.equal
    assert '[run] turn 0: .: agno="a" dsl="b"' in differ.diffs["content"]
    assert any(line.startswith("+RunCompleted") for line in differ.diffs["events"])


def test_ids_are_compared_by_presence_only() -> None:
    with_ids = views.event_view({"event": "RunStarted", "run_id": "x", "session_id": "y"})
    other_ids = views.event_view({"event": "RunStarted", "run_id": "z", "session_id": "w"})
    no_session = views.event_view({"event": "RunStarted", "run_id": "z"})
    assert with_ids == other_ids and with_ids != no_session


def test_the_agno_model_replays_the_spec_answers_with_cursors_per_agent() -> None:
    spec = agno_dsl.load(SPECS / "agent_history.yaml")
    model = scripted_models(dict(spec.models))["fake"]
    agent = Agent(name="friend", model=model)
    first = asyncio.run(agent.arun("My name is Ada."))
    second = asyncio.run(agent.arun("What is my name?"))
    assert (first.content, second.content) == ("Nice to meet you, Ada.", "Your name is Ada.")
    assert (second.metrics.input_tokens, second.metrics.output_tokens) == (30, 5)
    model.reset()
    assert asyncio.run(agent.arun("My name is Ada.")).content == "Nice to meet you, Ada."
