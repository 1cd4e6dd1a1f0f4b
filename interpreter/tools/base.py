"""What a model may call (`ToolPlan`), and calling one with validated arguments.

Every kind of tool (Python functions in `python.py`, HTTP endpoints in
`http.py`) compiles to the same `ToolPlan`; sync functions run in the worker
pool, async ones are awaited.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# Parameters filled in by the runtime, never by the model (agno injects the same names).
INJECTED = frozenset({"session_state", "run_context", "agent", "team"})
# The injected names this runtime actually fills in (`call_tool`); validate checks tools against it.
PASSED_TO_TOOLS = frozenset({"session_state", "run_context"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolPlan:
    """A tool, compiled: its schema for models and how to call it."""

    name: str
    description: str | None  # None: the model is given no description (an MCP tool's)
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
    """What agno hands a tool, a function step or an evaluator as `run_context`: the
    run's ids and its live session state."""

    run_id: str
    session_id: str | None
    session_state: dict[str, Any]
    user_id: str | None = None
    workflow_name: str | None = None
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


def without_secrets(url: str) -> str:
    """scheme://host/path: no user info, no query string."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def scrub(text: str, url: str, headers: Mapping[str, str], keep: Iterable[Any] = ()) -> str:
    """The text with the URL shortened and every header value, query value and
    password that could be a key replaced by ***. What `keep` holds (the model's
    own arguments) is no secret: it stays, so "no such city Pariss" still makes sense."""
    parts = urlsplit(url)
    secrets = [*headers.values(), *(value for _, value in parse_qsl(parts.query))]
    # "Bearer KEY": the key alone may show up too, e.g. echoed in an error body.
    secrets += [word for value in headers.values() for word in value.split() if len(word) >= 8]
    if parts.password:
        secrets.append(parts.password)
    said = {str(value) for value in keep}
    if url:
        text = text.replace(url, without_secrets(url))
    for secret in sorted(set(secrets) - said, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
