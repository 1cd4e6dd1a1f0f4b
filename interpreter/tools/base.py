"""What a model may call (`ToolPlan`), and calling one with validated arguments.

Every kind of tool (Python functions in `python.py`, HTTP endpoints in
`http.py`) compiles to the same `ToolPlan`; sync functions run in the worker
pool, async ones are awaited.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Parameters filled in by the runtime, never by the model (agno injects the same names).
INJECTED = frozenset({"session_state", "run_context", "agent", "team"})
# The injected names this runtime actually fills in (`call_tool`); validate checks tools against it.
PASSED_TO_TOOLS = frozenset({"session_state", "run_context"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolPlan:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of the arguments, as models see it
    function: Callable[..., Any]
    # The model's arguments → the keyword arguments of `function`; raises
    # ValueError("invalid arguments for NAME: …"), which the model gets to see.
    validate: Callable[[dict[str, Any]], dict[str, Any]]
    is_async: bool
    wants_session_state: bool
    wants_run_context: bool = False
    timeout: float | None = None
    cache: bool = False
    requires_confirmation: bool = False
    stop_after_tool_call: bool = False


@dataclass
class RunContext:
    """What agno hands a tool as `run_context`: the run's ids and its live session state."""

    run_id: str
    session_id: str | None
    session_state: dict[str, Any]
    user_id: str | None = None
    dependencies: dict[str, Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


async def call_tool(
    tool: ToolPlan,
    arguments: dict[str, Any],
    *,
    session_state: dict[str, Any],
    executor: Any,
    run_context: RunContext | None = None,
) -> Any:
    """Validate the model's arguments and call the function; its errors propagate."""
    values = tool.validate(arguments)
    if tool.wants_session_state:
        values["session_state"] = session_state
    if tool.wants_run_context:
        values["run_context"] = run_context
    if tool.is_async:
        call = tool.function(**values)
    else:
        loop = asyncio.get_running_loop()
        call = loop.run_in_executor(executor, functools.partial(tool.function, **values))
    if tool.timeout is None:
        return await call
    async with asyncio.timeout(tool.timeout):
        return await call
