"""Python the broken specs reference: each callable exists, and some do not fit the runtime."""

from typing import Any


def search(query: str, agent: Any) -> str:
    """A tool asking for agent, which this runtime does not pass to tools."""
    return query


def needs_context(step_input: Any, run_context: Any) -> str:
    """A function step asking for agno's run_context: allowed (the step beside it is not)."""
    return str(step_input)


def wants_state(session_state: dict) -> str:
    """A function step asking for session_state by name (it lives on the StepInput)."""
    return str(session_state)


def check_message(message: str) -> None:
    """A pre-hook asking for 'message', which hooks are not given."""
