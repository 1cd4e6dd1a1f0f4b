"""What a model may call (`ToolPlan`), and calling one with validated arguments.

Every kind of tool (Python functions in `python.py`, HTTP endpoints in
`http.py`) compiles to the same `ToolPlan`; sync functions run in the worker
pool, async ones are awaited.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Parameters filled in by the runtime, never by the model (agno injects the same names).
INJECTED = frozenset({"session_state", "run_context", "agent", "team"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolPlan:
    """A tool, compiled: its schema for models and how to call it."""

    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of the arguments, as models see it
    function: Callable[..., Any]
    # The model's arguments → the keyword arguments of `function`; raises
    # ValueError("invalid arguments for NAME: …"), which the model gets to see.
    validate: Callable[[dict[str, Any]], dict[str, Any]]
    is_async: bool
    wants_session_state: bool
    timeout: float | None = None
    cache: bool = False
    requires_confirmation: bool = False
    stop_after_tool_call: bool = False


async def call_tool(
    tool: ToolPlan, arguments: dict[str, Any], *, session_state: dict[str, Any], executor: Any
) -> Any:
    """Validate the model's arguments and call the function; its errors propagate."""
    values = tool.validate(arguments)
    if tool.wants_session_state:
        values["session_state"] = session_state
    if tool.is_async:
        call = tool.function(**values)
    else:
        loop = asyncio.get_running_loop()
        call = loop.run_in_executor(executor, functools.partial(tool.function, **values))
    if tool.timeout is None:
        return await call
    async with asyncio.timeout(tool.timeout):
        return await call
