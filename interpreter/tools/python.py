"""Python functions as tools: the signature and docstring become the JSON schema
the model sees, and a pydantic model of the parameters validates its arguments."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from typing import Any

from ..errors import ConfigurationError
from .base import INJECTED, ToolPlan


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
        wants_run_context="run_context" in signature.parameters,
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
