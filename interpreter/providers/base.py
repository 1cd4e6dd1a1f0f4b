"""The one interface every model provider implements."""

from __future__ import annotations

import importlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ...schemas.outputs import Message
from ..errors import ConfigurationError


def message_text(value: Any) -> str:
    """Content as a model reads it: text as is, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def import_sdk(module: str, model_name: str, what: str, extra: str) -> Any:
    """An optional provider SDK, or a one-line error naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigurationError(
            f"model '{model_name}' needs {what}: pip install 'agno-dsl[{extra}]'"
        ) from None


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call the model asked for."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(slots=True)
class ModelResponse:
    """One answer of a model: content and/or tool calls, and tokens."""

    content: Any = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    time_to_first_token: float | None = None

    def assistant_message(self) -> Message:
        """The model's turn as the conversation keeps it: its text and tool calls."""
        return Message(
            role="assistant",
            content=self.content,
            tool_calls=[
                {"id": c.id, "name": c.name, "arguments": c.arguments} for c in self.tool_calls
            ],
        )


class Model(Protocol):
    name: str
    provider: str
    id: str

    async def respond(
        self,
        messages: list[Message],
        *,
        agent: str,
        output_schema: Any = None,
        tools: list[dict[str, Any]] | None = None,
        on_delta: Callable[[str], None] | None = None,
    ) -> ModelResponse: ...


def provider_error(
    provider: str,
    model_id: str,
    status: int | None,
    message: str,
    *,
    secret: str | None = None,
    retry_after: float | None = None,
    context_window: bool = False,
) -> Exception:
    """agno's error for an HTTP status, with a one-line message that never holds the key."""
    from ..errors import (
        ContextWindowExceededError,
        ModelAuthenticationError,
        ModelProviderError,
        ModelRateLimitError,
    )

    text = " ".join(str(message).split()) or "no details"
    if secret:
        text = text.replace(secret, "***")
    where = f"{provider} model {model_id}"
    details: dict[str, Any] = {"model_id": model_id}
    if status in (401, 403):
        return ModelAuthenticationError(
            f"{where}: authentication failed ({status}): {text}", status_code=status, **details
        )
    if status == 429:
        wait = f"; retry after {retry_after:g}s" if retry_after is not None else ""
        return ModelRateLimitError(
            f"{where}: rate limited (429){wait}: {text}", retry_after=retry_after, **details
        )
    if context_window:
        return ContextWindowExceededError(
            f"{where}: context window exceeded: {text}", status_code=status or 400, **details
        )
    code = f" ({status})" if status else ""
    return ModelProviderError(
        f"{where}: request failed{code}: {text}", status_code=status or 502, **details
    )


def retry_after_seconds(headers: Any) -> float | None:
    try:
        value = headers.get("retry-after") if headers is not None else None
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


async def call_sdk(
    sdk: Any,
    provider: str,
    model_id: str,
    secret: str | None,
    request: Callable[[], Awaitable[Any]],
    collect: Callable[[Any], Awaitable[ModelResponse]],
    is_context_window: Callable[[Any, str], bool],
) -> ModelResponse:
    """One streamed call through the openai or anthropic SDK, which share their error
    classes; every failure becomes agno's error, with the key redacted."""
    try:
        stream = await request()
        try:
            return await collect(stream)
        except sdk.APIError:
            raise
        except Exception as exc:  # a malformed or interrupted stream
            raise provider_error(
                provider, model_id, None, f"malformed or interrupted stream ({exc})", secret=secret
            ) from None
    except sdk.APIStatusError as exc:
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error", body)
        error = error if isinstance(error, dict) else {}
        message = error.get("message") or exc.message
        raise provider_error(
            provider,
            model_id,
            exc.status_code,
            message,
            secret=secret,
            retry_after=retry_after_seconds(exc.response.headers),
            context_window=is_context_window(error.get("code"), str(message)),
        ) from None
    except sdk.APITimeoutError:
        raise provider_error(provider, model_id, None, "timed out", secret=secret) from None
    except sdk.APIError as exc:
        raise provider_error(
            provider, model_id, None, f"{type(exc).__name__}: {exc}", secret=secret
        ) from None
