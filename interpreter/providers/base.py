"""The one interface every model provider implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ...schemas.outputs import Message


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(slots=True)
class ModelResponse:
    content: Any = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    time_to_first_token: float | None = None


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
    ) -> ModelResponse: ...
