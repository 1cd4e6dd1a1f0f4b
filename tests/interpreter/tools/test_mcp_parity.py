"""Parity with agno 3.1.10's MCPTools: the same scripted turns and the same MCP servers run by
agno and by agno-dsl give the same tool calls, results (failures included) and answer.

Ready for tests/parity: each case is a spec (its `models:` holds the turns, written once)
plus the agno MCPTools that mirror its `tools:`.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import agno_dsl
import pytest
from agno.agent import Agent
from agno.metrics import MessageMetrics
from agno.models.base import Model
from agno.models.response import ModelResponse
from agno.tools.mcp import MCPTools

from tests.conftest import COOKBOOK

from .mcp_helpers import DEMO, MALFORMED, PYTHON, call, spec_text


class TurnsModel(Model):
    """agno's side of a spec's scripted model: its responses, in order (the last repeats)."""

    def __init__(self, responses: list[Any]) -> None:
        super().__init__(id="scripted", name="fake", provider="scripted")
        self.responses = responses
        self.turn = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> TurnsModel:
        return self

    async def ainvoke(self, messages: Any, **kwargs: Any) -> ModelResponse:
        entry = self.responses[min(self.turn, len(self.responses) - 1)]
        self.turn += 1
        usage = MessageMetrics(
            input_tokens=entry.usage.input_tokens if entry.usage else 0,
            output_tokens=entry.usage.output_tokens if entry.usage else 0,
        )
        calls = [
            {
                "id": f"call_{self.turn}_{index}",
                "type": "function",
                "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
            }
            for index, c in enumerate(entry.tool_calls or [])
        ]
        return ModelResponse(
            role="assistant", content=entry.content, tool_calls=calls, response_usage=usage
        )

    async def ainvoke_stream(self, messages: Any, **kwargs: Any) -> Any:
        yield await self.ainvoke(messages, **kwargs)

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the parity cases run agno asynchronously")

    def invoke_stream(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the parity cases run agno asynchronously")

    def _parse_provider_response(self, response: Any, **kwargs: Any) -> Any:
        return response

    def _parse_provider_response_delta(self, response: Any) -> Any:
        return response


def tool_view(events: list[tuple[str, str, Any, Any]]) -> dict[str, Any]:
    """Tool events compared: starts in order; completions (concurrent calls finish in any
    order) sorted."""
    started = [(name, args) for kind, name, args, _ in events if kind == "ToolCallStarted"]
    finished = sorted(
        (kind, name, json.dumps(args, sort_keys=True), result)
        for kind, name, args, result in events
        if kind != "ToolCallStarted"
    )
    return {"started": started, "finished": finished}


def run_agno(spec: Path, agent_name: str, toolkits: list[MCPTools], message: str) -> Any:
    config = agno_dsl.load(spec).models["fake"]
    agent = Agent(name=agent_name, model=TurnsModel(config.responses), tools=toolkits)

    async def run() -> tuple[Any, list]:
        seen: list[tuple[str, str, Any, Any]] = []
        content = None
        async for event in agent.arun(message, stream=True, stream_events=True):
            if event.event.startswith("ToolCall"):
                tool = event.tool
                seen.append((event.event, tool.tool_name, tool.tool_args, tool.result))
            if event.event == "RunCompleted":
                content = event.content
        return content, seen

    content, seen = asyncio.run(run())
    return content, tool_view(seen)


def run_ours(spec: Path, message: str) -> Any:
    events: list[Any] = []
    output = agno_dsl.run(spec, message, on_event=events.append)
    seen = [
        (e.event, e.tool_name, e.tool_args, getattr(e, "result", None))
        for e in events
        if e.event.startswith("ToolCall")
    ]
    return output.content, tool_view(seen)


def demo_failures(tmp_path: Path) -> tuple[Path, Callable[[], list[MCPTools]]]:
    responses = [
        {
            "tool_calls": [
                {"name": "add", "arguments": {"a": 1, "b": 2}},
                {"name": "weather", "arguments": {"city": "Oslo"}},
            ]
        },
        call("picture"),
        call("fail", reason="boom"),
        call("hang", seconds=10),
        call("die"),
        call("add", a=1, b=1),
        {"content": "done"},
    ]
    spec = tmp_path / "spec.yaml"
    tools = {"demo": {"mcp": {"command": [PYTHON, str(DEMO)]}, "timeout": "4s"}}
    spec.write_text(
        spec_text(responses, tools, "agents:\n  helper: {model: fake, tools: [demo]}\n")
    )
    return spec, lambda: [MCPTools(f"{PYTHON} {DEMO}", timeout_seconds=4)]


def malformed(tmp_path: Path) -> tuple[Path, Callable[[], list[MCPTools]]]:
    spec = tmp_path / "spec.yaml"
    tools = {"bad": {"mcp": {"command": [PYTHON, str(MALFORMED)]}}}
    agents = "agents:\n  helper: {model: fake, tools: [bad]}\n"
    spec.write_text(spec_text([call("broken"), {"content": "done"}], tools, agents))
    return spec, lambda: [MCPTools(f"{PYTHON} {MALFORMED}")]


def cookbook_stdio(tmp_path: Path) -> tuple[Path, Callable[[], list[MCPTools]]]:
    folder = COOKBOOK / "24_mcp_stdio_server"
    return folder / "spec.yaml", lambda: [
        MCPTools(f"{PYTHON} {folder / 'weather_server.py'}", timeout_seconds=10)
    ]


def cookbook_two_servers(tmp_path: Path) -> tuple[Path, Callable[[], list[MCPTools]]]:
    folder = COOKBOOK / "25_mcp_two_servers"
    return folder / "spec.yaml", lambda: [
        MCPTools("mcp-server-time", include_tools=["get_current_time"]),
        MCPTools(
            f"{PYTHON} {folder / 'notes_server.py'}",
            exclude_tools=["delete_note"],
            tool_name_prefix="notes",
        ),
    ]


CASES = {
    "cookbook_24_stdio_server": (cookbook_stdio, "forecaster", "What is tomorrow's weather?"),
    "cookbook_25_two_servers": (cookbook_two_servers, "assistant", "When is standup?"),
    "results_and_failures": (demo_failures, "helper", "go"),
    "malformed_result": (malformed, "helper", "go"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_tool_calls_results_and_answer_match_agnos_mcp_tools(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # agno finds a server's command on PATH only (we look beside our Python first).
    bin_dir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ.get('PATH', '')}")
    build, agent_name, message = CASES[case]
    spec, toolkits = build(tmp_path)
    ours = run_ours(spec, message)
    theirs = run_agno(spec, agent_name, toolkits(), message)
    if case == "cookbook_25_two_servers":  # the clock's answer is the time now, on each side
        ours, theirs = _without_times(ours), _without_times(theirs)
    assert ours == theirs


def _without_times(view: Any) -> Any:
    content, tools = view
    finished = [
        (kind, name, args, "<time>" if name == "get_current_time" else result)
        for kind, name, args, result in tools["finished"]
    ]
    return content, {**tools, "finished": finished}
