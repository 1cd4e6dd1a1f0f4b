"""Fake agno models: answer at once, so only agno's own overhead is measured.

Kept apart from system_agno.py so the W0 cold-start script imports no more of
agno than an agent needs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from agno.models.base import Model
from agno.models.response import ModelResponse


@dataclass
class FakeModel(Model):
    """Answers `content` at once; when `stream`, yields it word by word."""

    id: str = "fake"
    name: str = "fake"
    provider: str = "fake"
    content: str = "ok"

    def _answer(self, messages: Any) -> ModelResponse:
        return ModelResponse(role="assistant", content=self.content)

    def invoke(self, *args: Any, **kwargs: Any) -> ModelResponse:
        return self._answer(kwargs.get("messages"))

    async def ainvoke(self, *args: Any, **kwargs: Any) -> ModelResponse:
        return self._answer(kwargs.get("messages"))

    def invoke_stream(self, *args: Any, **kwargs: Any) -> Any:
        for word in re.findall(r"\s*\S+\s*", self.content):
            yield ModelResponse(role="assistant", content=word)

    async def ainvoke_stream(self, *args: Any, **kwargs: Any) -> Any:
        for word in re.findall(r"\s*\S+\s*", self.content):
            yield ModelResponse(role="assistant", content=word)

    def _parse_provider_response(self, response: Any, **kwargs: Any) -> Any:
        return response

    def _parse_provider_response_delta(self, response: Any) -> Any:
        return response


@dataclass
class FakeLeader(FakeModel):
    """A team leader: delegates to every member at once, then answers `done`."""

    members: list[str] = field(default_factory=list)

    def _answer(self, messages: Any) -> ModelResponse:
        if messages and messages[-1].role == "tool":
            return ModelResponse(role="assistant", content="done")
        calls = [
            {
                "id": f"call_{index}",
                "type": "function",
                "function": {
                    "name": "delegate_task_to_member",
                    "arguments": json.dumps({"member_id": member, "task": f"t{index}"}),
                },
            }
            for index, member in enumerate(self.members)
        ]
        return ModelResponse(role="assistant", tool_calls=calls)


@dataclass
class FakeToolCaller(FakeModel):
    """Asks for `tool` once per turn until `calls` results came back, then answers."""

    tool: str = "add"
    calls: int = 1

    def _answer(self, messages: Any) -> ModelResponse:
        made = sum(1 for message in messages or [] if message.role == "tool")
        if made >= self.calls:
            return ModelResponse(role="assistant", content="done")
        call = {
            "id": f"call_{made}",
            "type": "function",
            "function": {"name": self.tool, "arguments": json.dumps({"a": made, "b": 1})},
        }
        return ModelResponse(role="assistant", tool_calls=[call])
