"""interpreter/tools.py: JSON schema from signature and docstring; validated calls."""

from __future__ import annotations

import asyncio

import pytest
from agno_dsl.interpreter.tools.base import call_tool
from agno_dsl.interpreter.tools.python import python_tool

from tests.interpreter.agents import agent_helpers


def test_schema_from_signature_and_docstring() -> None:
    tool = python_tool(
        "add",
        agent_helpers.add,
        description=None,
        timeout=None,
        cache=False,
        requires_confirmation=False,
        stop_after_tool_call=False,
    )
    assert tool.description == "Add two numbers."
    assert tool.parameters == {
        "type": "object",
        "properties": {
            "a": {"type": "integer", "description": "The first number."},
            "b": {"type": "integer", "description": "The second number.", "default": 0},
        },
        "required": ["a"],
    }


def test_session_state_is_injected_not_exposed() -> None:
    tool = python_tool(
        "remember",
        agent_helpers.remember,
        description=None,
        timeout=None,
        cache=False,
        requires_confirmation=False,
        stop_after_tool_call=False,
    )
    assert set(tool.parameters["properties"]) == {"key", "value"}
    state: dict = {}
    result = asyncio.run(
        call_tool(tool, {"key": "k", "value": "v"}, session_state=state, executor=None)
    )
    assert result == "stored k" and state == {"k": "v"}


def test_bad_arguments_are_a_clear_error() -> None:
    tool = python_tool(
        "add",
        agent_helpers.add,
        description=None,
        timeout=None,
        cache=False,
        requires_confirmation=False,
        stop_after_tool_call=False,
    )
    with pytest.raises(
        ValueError, match="invalid arguments for add: a: Input should be a valid integer"
    ):
        asyncio.run(call_tool(tool, {"a": "many"}, session_state={}, executor=None))
