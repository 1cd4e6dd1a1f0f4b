"""HTTP tools: a request built from the model's arguments; the response is the result.

The URL, the header values and the JSON body are templates compiled with the
spec, reading `args` (the call's arguments, checked against `parameters:`
first). A JSON response comes back as JSON, anything else as text. A status
of 400 or more is an error the model sees, like any failing tool. Header
values and the query string often hold keys, so no message ever shows them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..expressions import Evaluable
from .base import ToolPlan, scrub, without_secrets

DEFAULT_TIMEOUT = 30.0  # seconds, when the tool sets none: a silent server never hangs a run
_EXCERPT = 300  # characters of an error response shown to the model


class HttpToolError(Exception):
    """A request that failed or was answered with an error status."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRequestPlan:
    """The request an HTTP tool makes, with templates for its parts."""

    method: str
    url: Evaluable
    headers: tuple[tuple[str, Evaluable], ...] = ()
    body: Evaluable | None = None


def http_tool(
    name: str,
    request: HttpRequestPlan,
    *,
    description: str | None,
    parameters: dict[str, Any] | None,
    timeout: float | None,
    cache: bool,
    requires_confirmation: bool,
    stop_after_tool_call: bool,
) -> ToolPlan:
    from jsonschema.validators import validator_for

    # Without parameters: any object (a fresh one; providers may add to what they are given).
    schema = parameters or {"type": "object", "properties": {}}
    validator = validator_for(schema)(schema)

    async def call(**arguments: Any) -> Any:
        answer = await send(request, arguments, timeout=timeout or DEFAULT_TIMEOUT)
        # the model reads JSON as JSON (a tool's result reaches it as str(), as in agno)
        return answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)

    return ToolPlan(
        name=name,
        description=description or name,
        parameters=schema,
        function=call,
        validate=functools.partial(_validate_with, validator, name),
        is_async=True,
        wants_session_state=False,
        timeout=timeout,
        cache=cache,
        requires_confirmation=requires_confirmation,
        stop_after_tool_call=stop_after_tool_call,
    )


def _validate_with(validator: Any, name: str, arguments: Any) -> dict[str, Any]:
    errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))
    if errors:
        details = "; ".join(
            f"{'.'.join(map(str, e.path)) or 'arguments'}: {e.message}" for e in errors
        )
        raise ValueError(f"invalid arguments for {name}: {details}")
    return dict(arguments)


async def send(request: HttpRequestPlan, arguments: Mapping[str, Any], *, timeout: float) -> Any:
    """Render the request for these arguments, send it, and read the answer."""
    import httpx

    context = {"args": dict(arguments)}
    url = str(request.url.evaluate(context))
    headers = {key: str(value.evaluate(context)) for key, value in request.headers}
    body = request.body.evaluate(context) if request.body is not None else None
    target = f"{request.method} {without_secrets(url)}"
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client:
            response = await client.request(request.method, url, headers=headers, json=body)
    except httpx.HTTPError as exc:
        reason = scrub(str(exc) or type(exc).__name__, url, headers, arguments.values())
        raise HttpToolError(f"{target} failed: {reason}") from None
    if response.status_code >= 400:
        excerpt = scrub(response.text[:_EXCERPT], url, headers, arguments.values())
        raise HttpToolError(
            f"{target} answered {response.status_code} {response.reason_phrase}"
            + (f": {excerpt}" if excerpt else "")
        )
    if "json" in response.headers.get("content-type", ""):
        try:
            return response.json()
        except ValueError:
            pass  # a server that says JSON but is not: its text is still useful
    return response.text
