"""An agno `Model` that replays a spec's scripted responses, exactly as agno-dsl's `scripted` does.

Both sides of a pair read the same `models:` entry of the spec, so the answers
are written once, and both sides pick them with the same code: this model asks
agno-dsl's own scripted provider (interpreter/providers/scripted.py) which
entry answers, then hands the answer to agno in agno's shapes. The semantics
are the language's: one cursor per (model, agent) pair, `match` /
`match_history` / `agent` filters, the last entry repeats, `delay`, `error`
(raised as agno's ModelProviderError), `usage` (agno's token metrics) and
`stream` (the text word by word). Cursors start afresh with every top-level
run, as they do for each `agno-dsl run`.

agno calls `ainvoke` on its non-streaming path and `ainvoke_stream` on its
streaming path; the agent's name comes from the `run_response` agno passes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from agno.exceptions import ModelProviderError
from agno.metrics import MessageMetrics
from agno.models.base import Model
from agno.models.message import Message
from agno.models.response import ModelResponse
from agno_dsl.interpreter.errors import ModelProviderError as DslModelProviderError
from agno_dsl.interpreter.providers.base import ModelResponse as DslResponse
from agno_dsl.interpreter.providers.scripted import ScriptedModel as DslScriptedModel
from agno_dsl.schemas.models import ScriptedModel as ScriptedConfig
from agno_dsl.schemas.outputs import Message as DslMessage


def _runner_name(run_response: Any) -> str:
    """The agent (or team leader) asking: the cursor key, as in agno-dsl."""
    for attribute in ("agent_name", "team_name"):
        name = getattr(run_response, attribute, None)
        if name:
            return str(name)
    return ""


def _as_dsl(message: Message) -> DslMessage:
    """What the scripted provider reads of a message: its role and text."""
    role = message.role if message.role in ("system", "user", "assistant", "tool") else "user"
    return DslMessage(role=role, content=message.content)


class ScriptedAgnoModel(Model):
    """agno's side of the scripted provider. One instance per spec model, shared by agents."""

    def __init__(self, name: str, config: ScriptedConfig) -> None:
        super().__init__(id="scripted", name=name, provider="scripted")
        self.config = config
        self.script = DslScriptedModel(name, config)

    def reset(self) -> None:
        """A new top-level run: every cursor back to the start (agno-dsl: one run, one model)."""
        self.script = DslScriptedModel(self.name or "", self.config)

    def __deepcopy__(self, memo: dict[int, Any]) -> ScriptedAgnoModel:
        # agno copies models for members and runs; the script (and its cursors) stays shared.
        memo[id(self)] = self
        return self

    async def _answer(
        self, messages: list[Message], run_response: Any, chunks: list[str]
    ) -> DslResponse:
        try:
            return await self.script.respond(
                [_as_dsl(m) for m in messages],
                agent=_runner_name(run_response),
                on_delta=chunks.append,
            )
        except DslModelProviderError as error:
            raise ModelProviderError(str(error), model_name=self.name, model_id=self.id) from None

    @staticmethod
    def _tool_calls(answer: DslResponse) -> list[dict[str, Any]]:
        return [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for call in answer.tool_calls
        ]

    @staticmethod
    def _usage(answer: DslResponse) -> MessageMetrics:
        return MessageMetrics(
            input_tokens=answer.input_tokens,
            output_tokens=answer.output_tokens,
            total_tokens=answer.input_tokens + answer.output_tokens,
        )

    @staticmethod
    def _text(answer: DslResponse) -> str | None:
        content = answer.content
        if content is None or isinstance(content, str):
            return content
        return json.dumps(content, ensure_ascii=False)

    # --- agno's Model interface ------------------------------------------------------------

    async def ainvoke(self, messages: list[Message], **kwargs: Any) -> ModelResponse:
        answer = await self._answer(messages, kwargs.get("run_response"), [])
        return ModelResponse(
            role="assistant",
            content=self._text(answer),
            tool_calls=self._tool_calls(answer),
            response_usage=self._usage(answer),
        )

    async def ainvoke_stream(
        self, messages: list[Message], **kwargs: Any
    ) -> AsyncIterator[ModelResponse]:
        chunks: list[str] = []
        answer = await self._answer(messages, kwargs.get("run_response"), chunks)
        text = self._text(answer)
        for chunk in chunks or ([text] if text is not None else []):
            yield ModelResponse(role="assistant", content=chunk)
        if answer.tool_calls:
            yield ModelResponse(role="assistant", tool_calls=self._tool_calls(answer))
        yield ModelResponse(response_usage=self._usage(answer))

    def invoke(self, messages: list[Message], **kwargs: Any) -> ModelResponse:
        return asyncio.run(self.ainvoke(messages, **kwargs))

    def invoke_stream(self, messages: list[Message], **kwargs: Any) -> Iterator[ModelResponse]:
        async def collect() -> list[ModelResponse]:
            return [chunk async for chunk in self.ainvoke_stream(messages, **kwargs)]

        yield from asyncio.run(collect())

    def _parse_provider_response(self, response: Any, **kwargs: Any) -> ModelResponse:
        return response  # type: ignore[no-any-return]

    def _parse_provider_response_delta(self, response: Any) -> ModelResponse:
        return response  # type: ignore[no-any-return]


def scripted_models(spec_models: dict[str, Any]) -> dict[str, ScriptedAgnoModel]:
    """One agno model per scripted model of the spec."""
    return {
        name: ScriptedAgnoModel(name, config)
        for name, config in spec_models.items()
        if isinstance(config, ScriptedConfig)
    }
