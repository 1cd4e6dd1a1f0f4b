"""The `echo` provider: answers with the last user message, unchanged."""

from __future__ import annotations

from typing import Any

from ...schemas.outputs import Message
from .base import ModelResponse


class EchoModel:
    provider = "echo"
    id = "echo"

    def __init__(self, name: str) -> None:
        self.name = name

    async def respond(
        self,
        messages: list[Message],
        *,
        agent: str,
        output_schema: Any = None,
        tools: list[dict[str, Any]] | None = None,
        on_delta: Any = None,
    ) -> ModelResponse:
        for message in reversed(messages):
            if message.role == "user":
                return ModelResponse(content=message.content)
        return ModelResponse(content="")
