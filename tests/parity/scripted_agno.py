"""An agno `Model` that replays a spec's scripted responses, the way agno-dsl's `scripted` does.

Both sides of a pair read the same `models:` entry of the spec, so the answers
are written once. The semantics are agno-dsl's (interpreter/providers/scripted.py):
one cursor per (model, agent) pair, `match`/`match_history`/`agent` filters,
the last entry repeats, `delay`, `error` (agno's ModelProviderError), `usage`
(agno's token metrics) and `stream` (the text word by word, one output token a
word unless `usage:` says otherwise). Cursors start afresh with every top-level
run, as they do for each `agno-dsl run`.

agno calls `ainvoke` on its non-streaming path and `ainvoke_stream` on its
streaming path; the agent's name comes from the `run_response` agno passes.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from agno.exceptions import ModelProviderError
from agno.metrics import MessageMetrics
from agno.models.base import Model
from agno.models.message import Message
from agno.models.response import ModelResponse
from agno_dsl.schemas.models import ScriptedModel as ScriptedConfig
from agno_dsl.schemas.models import ScriptedResponse

_WORD = re.compile(r"\s*\S+\s*")


@dataclass
class Script:
    """The responses of one spec model and the cursors of the current run."""

    name: str
    responses: list[ScriptedResponse]
    cursors: dict[str, int] = field(default_factory=dict)
    calls: int = 0

    @classmethod
    def of(cls, name: str, config: ScriptedConfig) -> Script:
        return cls(name, list(config.responses))

    def reset(self) -> None:
        """A new top-level run: every cursor back to the start (agno-dsl: one run, one model)."""
        self.cursors.clear()
        self.calls = 0

    def _applies(self, index: int, text: str, history: str, agent: str) -> bool:
        entry = self.responses[index]
        if entry.agent is not None and entry.agent != agent:
            return False
        if entry.match is not None and re.search(entry.match, text) is None:
            return False
        return entry.match_history is None or re.search(entry.match_history, history) is not None

    def pick(self, agent: str, text: str, history: str) -> ScriptedResponse:
        """The entry agent-dsl's scripted model would answer with (same errors too)."""
        if not self.responses:
            raise ModelProviderError(
                f"scripted model '{self.name}' has no responses",
                model_name=self.name,
                model_id="scripted",
            )
        cursor = self.cursors.get(agent, 0)
        for index in range(cursor, len(self.responses)):
            if self._applies(index, text, history, agent):
                self.cursors[agent] = index + 1
                return self.responses[index]
        last = len(self.responses) - 1
        if cursor >= len(self.responses) and self._applies(last, text, history, agent):
            return self.responses[last]
        preview = text if len(text) <= 60 else text[:57] + "..."
        raise ModelProviderError(
            f"scripted model '{self.name}' has no response left for agent '{agent}' "
            f"matching input {preview!r}",
            model_name=self.name,
            model_id="scripted",
        )


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return json.dumps(content, ensure_ascii=False, default=str)


def _last_input(messages: list[Message]) -> str:
    for message in reversed(messages):
        if message.role in ("user", "tool"):
            content = message.content
            return content if isinstance(content, str) else str(content)
    return ""


def _history(messages: list[Message]) -> str:
    earlier = [m for m in messages if m.role != "system"][:-1]
    return "\n".join(f"{m.role}: {m.content}" for m in earlier)


def _runner_name(run_response: Any) -> str:
    """The agent (or team leader) asking: the cursor key, as in agno-dsl."""
    for attribute in ("agent_name", "team_name"):
        name = getattr(run_response, attribute, None)
        if name:
            return str(name)
    return ""


class ScriptedAgnoModel(Model):
    """agno's side of the scripted provider. One instance per spec model, shared by agents."""

    def __init__(self, script: Script) -> None:
        super().__init__(id="scripted", name=script.name, provider="scripted")
        self.script = script
        # Every model request agno made, as the messages it sent (prompt layout checks).
        self.requests: list[list[dict[str, Any]]] = []

    def __deepcopy__(self, memo: dict[int, Any]) -> ScriptedAgnoModel:
        # agno copies models for members and runs; the script (and its cursors) stays shared.
        memo[id(self)] = self
        return self

    # --- the one answer ----------------------------------------------------------------

    def _entry(self, messages: list[Message], run_response: Any) -> ScriptedResponse:
        self.requests.append([_message_view(m) for m in messages])
        return self.script.pick(
            _runner_name(run_response), _last_input(messages), _history(messages)
        )

    def _tool_calls(self, entry: ScriptedResponse) -> list[dict[str, Any]] | None:
        if not entry.tool_calls:
            return None
        self.script.calls += 1
        return [
            {
                "id": call.id or f"call_{self.script.calls}_{index}",
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for index, call in enumerate(entry.tool_calls)
        ]

    def _usage(self, entry: ScriptedResponse, words: int) -> MessageMetrics:
        usage = entry.usage
        input_tokens = usage.input_tokens if usage else 0
        output_tokens = usage.output_tokens if usage else words
        return MessageMetrics(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=input_tokens + output_tokens,
        )

    def _fail(self, entry: ScriptedResponse) -> None:
        if entry.error is not None:
            raise ModelProviderError(entry.error, model_name=self.name, model_id=self.id)

    def _chunks(self, entry: ScriptedResponse) -> list[str]:
        """What streaming hands out: word by word with `stream: true`, else the whole text."""
        if entry.content is None:
            return []
        text = _text(entry.content)
        if entry.stream and isinstance(entry.content, str):
            return _WORD.findall(text) or [text]
        return [text]

    # --- agno's Model interface ------------------------------------------------------------

    async def ainvoke(self, messages: list[Message], **kwargs: Any) -> ModelResponse:
        entry = self._entry(messages, kwargs.get("run_response"))
        if entry.delay:
            await asyncio.sleep(entry.delay)
        self._fail(entry)
        streamed = (
            len(_WORD.findall(entry.content))
            if entry.stream and isinstance(entry.content, str)
            else 0
        )
        return ModelResponse(
            role="assistant",
            content=None if entry.content is None else _text(entry.content),
            tool_calls=self._tool_calls(entry) or [],
            response_usage=self._usage(entry, streamed),
        )

    async def ainvoke_stream(
        self, messages: list[Message], **kwargs: Any
    ) -> AsyncIterator[ModelResponse]:
        entry = self._entry(messages, kwargs.get("run_response"))
        if entry.delay:
            await asyncio.sleep(entry.delay)
        self._fail(entry)
        chunks = self._chunks(entry)
        for chunk in chunks:
            yield ModelResponse(role="assistant", content=chunk)
        tool_calls = self._tool_calls(entry)
        if tool_calls:
            yield ModelResponse(role="assistant", tool_calls=tool_calls)
        yield ModelResponse(response_usage=self._usage(entry, len(chunks) if entry.stream else 0))

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


def _message_view(message: Message) -> dict[str, Any]:
    """A message as the model received it: role, text and tool calls."""
    view: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        view["tool_calls"] = [
            {
                "name": call["function"]["name"],
                "arguments": json.loads(call["function"]["arguments"] or "{}"),
            }
            for call in message.tool_calls
        ]
    if message.role == "tool":
        view["name"] = message.tool_name
    return view


def scripted_models(spec_models: dict[str, Any]) -> dict[str, ScriptedAgnoModel]:
    """One agno model per scripted model of the spec."""
    return {
        name: ScriptedAgnoModel(Script.of(name, config))
        for name, config in spec_models.items()
        if isinstance(config, ScriptedConfig)
    }
