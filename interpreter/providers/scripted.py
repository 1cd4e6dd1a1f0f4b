"""The `scripted` provider: answers from a list, offline and deterministic.

One cursor per (model, agent) pair. Entries are used in order; an entry with
`match:` is used only for an input that matches its regular expression.
When the list runs out, the last entry repeats.

Patterns run on the `regex` engine, which can stop a search: a pattern that
backtracks catastrophically (`^(a+)+$`) fails the model call at the step's
deadline, or after MAX_MATCH_SECONDS, instead of holding the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

from ...schemas.models import ScriptedModel as ScriptedConfig
from ...schemas.models import ScriptedResponse
from ...schemas.outputs import Message
from ..errors import ModelProviderError
from ..expressions import seconds_left
from .base import ModelResponse, ToolCall

MAX_MATCH_SECONDS = 1.0


class ScriptedModel:
    provider = "scripted"
    id = "scripted"

    def __init__(self, name: str, config: ScriptedConfig) -> None:
        self.name = name
        self.responses = config.responses
        self._patterns = [_compile(r.match) for r in self.responses]
        self._history_patterns = [_compile(r.match_history) for r in self.responses]
        self._cursors: dict[str, int] = {}
        self._calls = 0

    def _applies(self, index: int, text: str, history: str, agent: str = "") -> bool:
        only_for = self.responses[index].agent
        if only_for is not None and only_for != agent:
            return False
        pattern, in_history = self._patterns[index], self._history_patterns[index]
        return self._search(pattern, text) and self._search(in_history, history)

    def _search(self, pattern: Any, text: str) -> bool:
        if pattern is None:
            return True
        budget = seconds_left(MAX_MATCH_SECONDS)
        try:
            return pattern.search(text, timeout=budget) is not None
        except TimeoutError:
            raise ModelProviderError(
                f"scripted model '{self.name}': pattern {pattern.pattern!r} did not finish "
                f"within {budget:.2g}s on a {len(text):,}-character input "
                "(nested repetition like (a+)+ backtracks without end; simplify it)",
                model_name=self.name,
                model_id=self.id,
            ) from None

    def _pick(self, agent: str, text: str, history: str = "") -> ScriptedResponse:
        if not self.responses:
            raise ModelProviderError(
                f"scripted model '{self.name}' has no responses",
                model_name=self.name,
                model_id=self.id,
            )
        cursor = self._cursors.get(agent, 0)
        for index in range(cursor, len(self.responses)):
            if self._applies(index, text, history, agent):
                self._cursors[agent] = index + 1
                return self.responses[index]
        last = len(self.responses) - 1
        if cursor >= len(self.responses) and self._applies(last, text, history, agent):
            return self.responses[last]
        preview = text if len(text) <= 60 else text[:57] + "..."
        raise ModelProviderError(
            f"scripted model '{self.name}' has no response left for agent '{agent}' "
            f"matching input {preview!r}",
            model_name=self.name,
            model_id=self.id,
        )

    def replay(self, text: str, *, agent: str) -> None:
        """Consume the entry a repeated call would use, without answering."""
        with contextlib.suppress(ModelProviderError):
            self._pick(agent, text)

    def replay_request(self, messages: list[Message], *, agent: str) -> None:
        """Consume the entry a request with these messages used before a pause."""
        with contextlib.suppress(ModelProviderError):
            self._pick(agent, _last_input(messages), _history(messages))

    async def respond(
        self,
        messages: list[Message],
        *,
        agent: str,
        output_schema: Any = None,
        tools: list[dict[str, Any]] | None = None,
        on_delta: Any = None,
    ) -> ModelResponse:
        text = _last_input(messages)
        response = self._pick(agent, text, _history(messages))
        if response.delay:
            await asyncio.sleep(response.delay)
        if response.error is not None:
            raise ModelProviderError(response.error, model_name=self.name, model_id=self.id)
        self._calls += 1
        tool_calls = [
            ToolCall(call.id or f"call_{self._calls}_{index}", call.name, dict(call.arguments))
            for index, call in enumerate(response.tool_calls or [])
        ]
        streamed = 0
        if response.stream and isinstance(response.content, str):
            streamed = _stream(response.content, on_delta if output_schema is None else None)
        usage = response.usage
        return ModelResponse(
            content=response.content,
            tool_calls=tool_calls,
            input_tokens=usage.input_tokens if usage else 0,
            output_tokens=usage.output_tokens if usage else streamed,
            time_to_first_token=response.delay,
        )


def _compile(pattern: str | None) -> Any:
    if pattern is None:
        return None
    import regex  # only specs with patterns pay for importing it

    return regex.compile(pattern)


_WORD = re.compile(r"\s*\S+\s*")


def _stream(text: str, on_delta: Any) -> int:
    """Hand the text to `on_delta` a word at a time; the number of words sent."""
    words = _WORD.findall(text) or [text]
    if on_delta is not None:
        for word in words:
            on_delta(word)
    return len(words)


def _history(messages: list[Message]) -> str:
    """The conversation before the last input, one message per line."""
    earlier = [m for m in messages if m.role != "system"][:-1]
    return "\n".join(f"{m.role}: {m.content}" for m in earlier)


def _last_input(messages: list[Message]) -> str:
    for message in reversed(messages):
        if message.role in ("user", "tool"):
            content = message.content
            return content if isinstance(content, str) else str(content)
    return ""
