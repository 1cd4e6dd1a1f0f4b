"""The `ollama` provider: the official `ollama` client, native chat API, streamed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ...schemas.models import OllamaModel as OllamaConfig
from ...schemas.outputs import Message
from .base import ModelResponse, ToolCall, import_sdk, message_text, provider_error


def ollama_messages(messages: list[Message]) -> list[dict[str, Any]]:
    converted: list[dict[str, Any]] = []
    for message in messages:
        content = message.content
        text = "" if content is None else message_text(content)
        entry: dict[str, Any] = {"role": message.role, "content": text}
        if message.role == "assistant" and message.tool_calls:
            entry["tool_calls"] = [
                {"function": {"name": c["name"], "arguments": c["arguments"]}}
                for c in message.tool_calls
            ]
        if message.role == "tool":
            entry["tool_name"] = message.name
        converted.append(entry)
    return converted


class OllamaModel:
    provider = "ollama"
    native_structured_outputs = True  # no JSON prompt in the system message (agno)

    def __init__(self, name: str, config: OllamaConfig) -> None:
        ollama = import_sdk("ollama", name, "the ollama client", "ollama")
        self.name = name
        self.id = config.id
        self.config = config
        self._ollama = ollama
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else None
        self.client = ollama.AsyncClient(
            host=config.base_url, headers=headers, timeout=config.timeout or 600.0
        )
        self._secret = config.api_key

    def _options(self) -> dict[str, Any]:
        config = self.config
        options: dict[str, Any] = {}
        for ours, theirs in (
            ("temperature", "temperature"),
            ("top_p", "top_p"),
            ("max_tokens", "num_predict"),
            ("stop", "stop"),
        ):
            if getattr(config, ours) is not None:
                options[theirs] = getattr(config, ours)
        return {**options, **(config.extra or {})}

    async def respond(
        self,
        messages: list[Message],
        *,
        agent: str,
        output_schema: Any = None,
        tools: list[dict[str, Any]] | None = None,
        on_delta: Callable[[str], None] | None = None,
    ) -> ModelResponse:
        import httpx

        ollama = self._ollama
        started = time.perf_counter()
        response = ModelResponse()
        text: list[str] = []
        try:
            stream = await self.client.chat(
                model=self.id,
                messages=ollama_messages(messages),
                tools=tools or None,
                stream=True,
                format=dict(output_schema) if output_schema else None,
                options=self._options() or None,
            )
            done = False
            async for part in stream:
                message = part.message
                if message.content:
                    if response.time_to_first_token is None:
                        response.time_to_first_token = time.perf_counter() - started
                    text.append(message.content)
                    if on_delta is not None and output_schema is None:
                        on_delta(message.content)
                for index, call in enumerate(message.tool_calls or []):
                    response.tool_calls.append(
                        ToolCall(
                            f"call_{len(response.tool_calls)}_{index}",
                            call.function.name,
                            dict(call.function.arguments or {}),
                        )
                    )
                if part.done:
                    done = True
                    response.input_tokens = part.prompt_eval_count or 0
                    response.output_tokens = part.eval_count or 0
            if not done:
                raise ValueError("the stream ended before the model finished")
        except ollama.ResponseError as exc:
            status = exc.status_code if exc.status_code and exc.status_code > 0 else None
            raise provider_error(
                "ollama", self.id, status, exc.error, secret=self._secret
            ) from None
        except httpx.TimeoutException:
            raise provider_error(
                "ollama", self.id, None, "timed out", secret=self._secret
            ) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise provider_error(
                "ollama",
                self.id,
                None,
                f"malformed or interrupted stream ({exc})",
                secret=self._secret,
            ) from None
        response.content = "".join(text) if text else None
        return response
