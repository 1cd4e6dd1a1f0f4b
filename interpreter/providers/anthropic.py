"""The `anthropic` provider: the official SDK, Messages API, streamed.

ANTHROPIC_API_KEY applies when the spec gives no `api_key`. Structured
output is asked for in the system message and checked (with one repair) by
the agent, since the Messages API has no response format of its own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from ...schemas.models import AnthropicModel as AnthropicConfig
from ...schemas.outputs import Message
from .base import ModelResponse, ToolCall, call_sdk, import_sdk, message_text

DEFAULT_MAX_TOKENS = 4096


def anthropic_messages(messages: list[Message]) -> tuple[str | None, list[dict[str, Any]]]:
    """(system, messages) in the Messages API's shape; tool results become user blocks."""
    system = "\n\n".join(str(m.content) for m in messages if m.role == "system") or None
    converted: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            continue
        if message.role == "tool":
            block = {
                "type": "tool_result",
                "tool_use_id": message.tool_call_id,
                "content": str(message.content),
            }
            if (
                converted
                and converted[-1]["role"] == "user"
                and isinstance(converted[-1]["content"], list)
            ):
                converted[-1]["content"].append(block)
            else:
                converted.append({"role": "user", "content": [block]})
        elif message.role == "assistant" and message.tool_calls:
            blocks: list[dict[str, Any]] = []
            if message.content:
                blocks.append({"type": "text", "text": str(message.content)})
            blocks += [
                {"type": "tool_use", "id": c["id"], "name": c["name"], "input": c["arguments"]}
                for c in message.tool_calls
            ]
            converted.append({"role": "assistant", "content": blocks})
        else:
            content = message.content
            converted.append(
                {
                    "role": message.role,
                    "content": message_text(content),
                }
            )
    return system, converted


class AnthropicModel:
    provider = "anthropic"
    native_structured_outputs = True  # no JSON prompt in the system message (agno)

    def __init__(self, name: str, config: AnthropicConfig) -> None:
        anthropic = import_sdk("anthropic", name, "the Anthropic SDK", "anthropic")
        self.name = name
        self.id = config.id
        self.config = config
        self._anthropic = anthropic
        self.client = anthropic.AsyncAnthropic(
            api_key=config.api_key,
            base_url=config.base_url,
            timeout=config.timeout or 600.0,
            max_retries=0,
        )
        self._secret = self.client.api_key

    def _params(
        self, messages: list[Message], output_schema: Any, tools: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        config = self.config
        system, converted = anthropic_messages(messages)
        if output_schema is not None:
            system = ((system + "\n\n") if system else "") + (
                "Answer with only a JSON object matching this JSON Schema:\n"
                + json.dumps(output_schema)
            )
        params: dict[str, Any] = {
            "model": self.id,
            "messages": converted,
            "stream": True,
            "max_tokens": config.max_tokens or DEFAULT_MAX_TOKENS,
        }
        if system:
            params["system"] = system
        if config.temperature is not None:
            params["temperature"] = config.temperature
        if config.top_p is not None:
            params["top_p"] = config.top_p
        if config.stop:
            params["stop_sequences"] = config.stop
        if tools:
            params["tools"] = [
                {
                    "name": t["function"]["name"],
                    "description": t["function"].get("description") or "",
                    "input_schema": t["function"]["parameters"],
                }
                for t in tools
            ]
        params.update(config.extra or {})
        return params

    async def respond(
        self,
        messages: list[Message],
        *,
        agent: str,
        output_schema: Any = None,
        tools: list[dict[str, Any]] | None = None,
        on_delta: Callable[[str], None] | None = None,
    ) -> ModelResponse:
        started = time.perf_counter()
        return await call_sdk(
            self._anthropic,
            "anthropic",
            self.id,
            self._secret,
            lambda: self.client.messages.create(**self._params(messages, output_schema, tools)),
            lambda stream: self._collect(stream, started, on_delta, output_schema),
            lambda code, message: "prompt is too long" in message,
        )

    async def _collect(
        self,
        stream: Any,
        started: float,
        on_delta: Callable[[str], None] | None,
        output_schema: Any,
    ) -> ModelResponse:
        response = ModelResponse()
        text: list[str] = []
        blocks: dict[int, dict[str, Any]] = {}
        stopped = False
        async for event in stream:
            kind = event.type
            if kind == "message_start":
                response.input_tokens = event.message.usage.input_tokens or 0
            elif kind == "content_block_start" and event.content_block.type == "tool_use":
                blocks[event.index] = {
                    "id": event.content_block.id,
                    "name": event.content_block.name,
                    "json": "",
                }
            elif kind == "content_block_delta":
                delta = event.delta
                if delta.type == "text_delta":
                    if response.time_to_first_token is None:
                        response.time_to_first_token = time.perf_counter() - started
                    text.append(delta.text)
                    if on_delta is not None and output_schema is None:
                        on_delta(delta.text)
                elif delta.type == "input_json_delta":
                    blocks[event.index]["json"] += delta.partial_json
            elif kind == "message_delta":
                response.output_tokens = event.usage.output_tokens or 0
                stopped = stopped or event.delta.stop_reason is not None
        if not stopped:
            raise ValueError("the stream ended before the model finished")
        response.content = "".join(text) if text else None
        for _, block in sorted(blocks.items()):
            response.tool_calls.append(
                ToolCall(block["id"], block["name"], json.loads(block["json"] or "{}"))
            )
        return response
