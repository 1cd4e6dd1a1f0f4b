"""The `openai` provider: the official SDK, Chat Completions, streamed.

Works with OpenAI and any OpenAI-compatible server (vLLM, Ollama's /v1,
llama.cpp, LM Studio) through `base_url`. Without `api_key` / `base_url` in
the spec, the SDK's own OPENAI_API_KEY / OPENAI_BASE_URL apply.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from ...schemas.models import OpenAIModel as OpenAIConfig
from ...schemas.outputs import Message
from ..errors import ConfigurationError
from .base import ModelResponse, ToolCall, call_sdk, import_sdk, message_text


def openai_messages(messages: list[Message]) -> list[dict[str, Any]]:
    converted: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "tool":
            converted.append(
                {
                    "role": "tool",
                    "tool_call_id": message.tool_call_id,
                    "content": str(message.content),
                }
            )
        elif message.role == "assistant" and message.tool_calls:
            converted.append(
                {
                    "role": "assistant",
                    "content": message.content,
                    "tool_calls": [
                        {
                            "id": call["id"],
                            "type": "function",
                            "function": {
                                "name": call["name"],
                                "arguments": json.dumps(call["arguments"]),
                            },
                        }
                        for call in message.tool_calls
                    ],
                }
            )
        else:
            content = message.content
            converted.append(
                {
                    "role": message.role,
                    "content": message_text(content),
                }
            )
    return converted


class OpenAIModel:
    provider = "openai"
    native_structured_outputs = True  # no JSON prompt in the system message (agno)

    def __init__(self, name: str, config: OpenAIConfig) -> None:
        openai = import_sdk("openai", name, "the OpenAI SDK", "openai")
        self.name = name
        self.id = config.id
        self.config = config
        self._openai = openai
        try:
            self.client = openai.AsyncOpenAI(
                api_key=config.api_key,
                base_url=config.base_url,
                timeout=config.timeout or 600.0,
                max_retries=0,
            )
        except openai.OpenAIError as exc:  # e.g. no API key anywhere
            raise ConfigurationError(f"model '{name}': {exc}") from None
        self._secret = self.client.api_key

    def _params(
        self, messages: list[Message], output_schema: Any, tools: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        config = self.config
        params: dict[str, Any] = {
            "model": self.id,
            "messages": openai_messages(messages),
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        for key in ("temperature", "max_tokens", "top_p", "stop"):
            if getattr(config, key) is not None:
                params[key] = getattr(config, key)
        if tools:
            params["tools"] = tools
        if output_schema is not None:
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": dict(output_schema)},
            }
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
            self._openai,
            "openai",
            self.id,
            self._secret,
            lambda: self.client.chat.completions.create(
                **self._params(messages, output_schema, tools)
            ),
            lambda stream: self._collect(stream, started, on_delta, output_schema),
            lambda code, message: code == "context_length_exceeded",
        )

    async def _collect(
        self,
        stream: Any,
        started: float,
        on_delta: Callable[[str], None] | None,
        output_schema: Any,
    ) -> ModelResponse:
        text: list[str] = []
        calls: dict[int, dict[str, Any]] = {}
        response = ModelResponse()
        finished = False
        async for chunk in stream:
            if chunk.usage is not None:
                response.input_tokens = chunk.usage.prompt_tokens or 0
                response.output_tokens = chunk.usage.completion_tokens or 0
            if not chunk.choices:
                continue
            finished = finished or chunk.choices[0].finish_reason is not None
            delta = chunk.choices[0].delta
            if delta.content:
                if response.time_to_first_token is None:
                    response.time_to_first_token = time.perf_counter() - started
                text.append(delta.content)
                if on_delta is not None and output_schema is None:
                    on_delta(delta.content)
            for call in delta.tool_calls or []:
                slot = calls.setdefault(call.index, {"id": None, "name": "", "arguments": ""})
                if call.id:
                    slot["id"] = call.id
                if call.function and call.function.name:
                    slot["name"] += call.function.name
                if call.function and call.function.arguments:
                    slot["arguments"] += call.function.arguments
        if not finished:
            raise ValueError("the stream ended before the model finished")
        response.content = "".join(text) if text else None
        for index, slot in sorted(calls.items()):
            try:
                arguments = json.loads(slot["arguments"] or "{}")
            except json.JSONDecodeError:
                arguments = {"_raw": slot["arguments"]}
            response.tool_calls.append(
                ToolCall(slot["id"] or f"call_{index}", slot["name"], arguments)
            )
        return response
