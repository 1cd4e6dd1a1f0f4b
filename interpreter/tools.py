"""Tools: what a model may call, and calling one with validated arguments.

A Python function becomes a tool through its signature and docstring (the
JSON schema the model sees) and a pydantic model of its parameters; sync
functions run in the worker pool, async ones are awaited. HTTP tools
(`http_tools.py`) are the same `ToolPlan` with their own validation.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ConfigurationError

# Parameters filled in by the runtime, never by the model (agno injects the same names).
INJECTED = frozenset({"session_state", "run_context", "agent", "team"})


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
    timeout: float | None = None
    cache: bool = False
    requires_confirmation: bool = False
    stop_after_tool_call: bool = False


def _docstring_parts(function: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    """The summary and the `Args:` descriptions of a Google-style docstring."""
    doc = inspect.getdoc(function) or ""
    summary = doc.split("\n\n", 1)[0].strip()
    params: dict[str, str] = {}
    match = re.search(r"^Args:\s*\n((?:[ \t]+.*\n?)+)", doc, re.MULTILINE)
    if match:
        for line in match.group(1).splitlines():
            item = re.match(r"\s+(\w+)(?:\s*\([^)]*\))?:\s*(.+)", line)
            if item:
                params[item.group(1)] = item.group(2).strip()
    return summary, params


def python_tool(
    name: str,
    function: Callable[..., Any],
    *,
    description: str | None,
    timeout: float | None,
    cache: bool,
    requires_confirmation: bool,
    stop_after_tool_call: bool,
) -> ToolPlan:
    from pydantic import Field, create_model

    summary, param_docs = _docstring_parts(function)
    fields: dict[str, Any] = {}
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"tool '{name}': cannot read its signature: {exc}") from None
    for param in signature.parameters.values():
        if param.name in INJECTED or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        annotation = Any if param.annotation is param.empty else param.annotation
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (annotation, Field(default, description=param_docs.get(param.name)))
    model = create_model(f"{name}_arguments", **fields)
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    return ToolPlan(
        name=name,
        description=description or summary or name,
        parameters=schema,
        function=function,
        validate=functools.partial(_validate_with, model, name),
        is_async=inspect.iscoroutinefunction(function),
        wants_session_state="session_state" in signature.parameters,
        timeout=timeout,
        cache=cache,
        requires_confirmation=requires_confirmation,
        stop_after_tool_call=stop_after_tool_call,
    )


def _validate_with(model: Any, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    from pydantic import ValidationError

    try:
        values: dict[str, Any] = model.model_validate(arguments).model_dump()
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(f"invalid arguments for {name}: {details}") from None
    return {
        key: value
        for key, value in values.items()
        if key in arguments or model.model_fields[key].is_required() is False
    }


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
