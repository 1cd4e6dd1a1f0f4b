"""The `scripted` provider: answers from a list, offline and deterministic.

One cursor per (model, agent) pair. Entries are used in order; an entry with
`match:` is used only when the message the model answers matches it: the
user's input, or, on the turn after a tool call, the tool's result.
`match_input:` always tests the run's input (the last user message), and
`match_history:` the messages before the one answered.
When the list runs out, the last entry repeats.

Patterns run on the `regex` engine, which can stop a search: a pattern that
backtracks catastrophically (`^(a+)+$`) fails the model call at the step's
deadline, or after MAX_MATCH_SECONDS, instead of holding the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
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
        self._input_patterns = [_compile(r.match_input) for r in self.responses]
        self._cursors: dict[str, int] = {}
        self._calls = 0

    def _applies(self, index: int, turn: _Turn, agent: str = "") -> bool:
        only_for = self.responses[index].agent
        if only_for is not None and only_for != agent:
            return False
        return all(
            self._search(pattern, text)
            for pattern, text in (
                (self._patterns[index], turn.text),
                (self._history_patterns[index], turn.history),
                (self._input_patterns[index], turn.user_input),
            )
        )

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

    def _pick(self, agent: str, turn: _Turn) -> ScriptedResponse:
        if not self.responses:
            raise ModelProviderError(
                f"scripted model '{self.name}' has no responses",
                model_name=self.name,
                model_id=self.id,
            )
        cursor = self._cursors.get(agent, 0)
        for index in range(cursor, len(self.responses)):
            if self._applies(index, turn, agent):
                self._cursors[agent] = index + 1
                return self.responses[index]
        last = len(self.responses) - 1
        if cursor >= len(self.responses) and self._applies(last, turn, agent):
            return self.responses[last]
        raise ModelProviderError(
            f"scripted model '{self.name}' has no response left for agent '{agent}' "
            f"matching {turn.describe()}",
            model_name=self.name,
            model_id=self.id,
        )

    def replay(self, text: str, *, agent: str) -> None:
        """Consume the entry a repeated call would use, without answering."""
        with contextlib.suppress(ModelProviderError):
            self._pick(agent, _Turn(text, "user", text))

    def replay_request(self, messages: list[Message], *, agent: str) -> None:
        """Consume the entry a request with these messages used before a pause."""
        with contextlib.suppress(ModelProviderError):
            self._pick(agent, _turn(messages))

    async def respond(
        self,
        messages: list[Message],
        *,
        agent: str,
        output_schema: Any = None,
        tools: list[dict[str, Any]] | None = None,
        on_delta: Any = None,
    ) -> ModelResponse:
        response = self._pick(agent, _turn(messages))
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


@dataclass(frozen=True)
class _Turn:
    """What a scripted entry is tested against on one model call."""

    text: str  # the message answered: the user's input or the last tool result
    role: str  # "user" | "tool"
    user_input: str  # the run's input: the last user message
    history: str = ""  # the messages before the one answered
    tool: str | None = None  # the tool whose result `text` is

    def describe(self) -> str:
        preview = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        if self.role != "tool":
            return f"the user's input {preview!r}"
        return (
            f"the result of tool {self.tool or '?'} {preview!r} (after a tool call, match: "
            "tests the tool's result; match_input: tests the run's input)"
        )


def _turn(messages: list[Message]) -> _Turn:
    """The message answered (last user or tool message), the run's input, the history."""
    answered: Message | None = None
    user_input = ""
    for message in reversed(messages):
        if answered is None and message.role in ("user", "tool"):
            answered = message
        if message.role == "user":
            user_input = _text(message.content)
            break
    earlier = [m for m in messages if m.role != "system"][:-1]
    history = "\n".join(f"{m.role}: {m.content}" for m in earlier)
    if answered is None:
        return _Turn("", "user", user_input, history)
    return _Turn(
        _text(answered.content),
        answered.role,
        user_input,
        history,
        answered.name,
    )


def _text(content: Any) -> str:
    return content if isinstance(content, str) else str(content)
