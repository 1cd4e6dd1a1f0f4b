"""The model ↔ tools loop shared by agents and team leaders (agno's run loop).

Each model request is bracketed by ModelRequestStarted/ModelRequestCompleted
(with its tokens); the answer's text streams as RunContent while it arrives
(or as one RunContent when the model hands it over whole), as agno streams
it. Tool calls of one turn run as `tool_calls.ToolTurn` runs them; then the
model is asked again, until it answers or a tool ends the run. Calls past
`tool_call_limit` are refused with agno's message and the model is asked
again, as agno does. Team leaders emit the same events prefixed with "Team".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...schemas.outputs import Message, Metrics, content_type_of
from ..context import RunContext
from ..durability import RunPaused
from ..errors import (
    ContextWindowExceededError,
    ModelAuthenticationError,
    ModelProviderError,
    ModelRateLimitError,
)
from ..providers import Model, ModelResponse, ToolCall
from .tool_calls import LoopTool, ToolTurn

__all__ = ["LoopResult", "LoopTool", "ModelCall", "ask_model", "run_loop", "tool_schemas"]


@dataclass
class LoopResult:
    """What the model ↔ tools loop ended with: the answer, tokens, tool calls."""

    content: Any
    stopped_by: str | None = None  # the tool that ended the run, if one did
    input_tokens: int = 0
    output_tokens: int = 0
    time_to_first_token: float | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # agno's ToolExecutions
    last: Any = None  # the last model turn's own content (the final assistant message)

    def add(self, response: ModelResponse) -> None:
        self.input_tokens += response.input_tokens
        self.output_tokens += response.output_tokens
        if self.time_to_first_token is None:
            self.time_to_first_token = response.time_to_first_token

    def metrics(self, duration: float) -> Metrics:
        """agno's run metrics for the model turns of this loop."""
        return Metrics(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            total_tokens=self.input_tokens + self.output_tokens,
            duration=duration,
            time_to_first_token=self.time_to_first_token,
            tokens_per_second=self.output_tokens / duration if duration > 0 else None,
        )


@dataclass
class ModelCall:
    """How to ask the model once: who is asking, with which limits."""

    model: Model
    runner: str  # agent or team name: the scripted cursor and the events
    retries: int
    retry_delay: float
    timeout: float | None
    output_schema: Any = None
    on_delta: Callable[[str], None] | None = None  # streamed answer text, as it arrives


def tool_schemas(tools: dict[str, LoopTool]) -> list[dict[str, Any]] | None:
    """Tools as the model sees them (OpenAI's function-calling shape), sorted by name as
    agno sorts them (a stable request prefix for the providers' prompt caches)."""
    return [
        {"type": "function", "function": _function_schema(t)}
        for t in sorted(tools.values(), key=lambda tool: tool.name)
    ] or None


def _function_schema(tool: LoopTool) -> dict[str, Any]:
    """agno's Function.to_dict(): a description the tool does not have is left out."""
    schema: dict[str, Any] = {"name": tool.name}
    if tool.description is not None:
        schema["description"] = tool.description
    schema["parameters"] = tool.parameters
    return schema


async def ask_model(
    call: ModelCall, messages: list[Message], tools: dict[str, LoopTool] | None = None
) -> ModelResponse:
    """One model call with `retries` on ModelProviderError and exponential backoff."""
    attempt = 0
    schemas = tool_schemas(tools or {})
    while True:
        try:
            respond = call.model.respond(
                messages,
                agent=call.runner,
                output_schema=call.output_schema,
                tools=schemas,
                on_delta=call.on_delta,
            )
            if call.timeout is None:
                return await respond
            async with asyncio.timeout(call.timeout):
                return await respond
        except ModelProviderError as exc:
            if attempt >= call.retries or isinstance(
                exc, ModelAuthenticationError | ContextWindowExceededError
            ):
                raise  # retrying cannot fix these
            delay = call.retry_delay * (2**attempt)
            if isinstance(exc, ModelRateLimitError) and exc.retry_after is not None:
                delay = max(delay, exc.retry_after)  # the provider said how long to wait
            await asyncio.sleep(delay)
            attempt += 1


async def _request(
    call: ModelCall,
    messages: list[Message],
    tools: dict[str, LoopTool],
    emit: Callable[..., None],
) -> ModelResponse:
    """One model request with agno's events around it and its text as content events."""
    model = {"model": call.model.id, "model_provider": call.model.provider}
    emit("ModelRequestStarted", **model)
    streamed = False

    def on_delta(text: str) -> None:
        nonlocal streamed
        streamed = True
        emit("RunContent", content=text, content_type="str", delta=True)

    asked = ModelCall(
        call.model,
        call.runner,
        call.retries,
        call.retry_delay,
        call.timeout,
        call.output_schema,
        on_delta,
    )
    response = await ask_model(asked, messages, tools)
    if response.content is not None and not streamed:
        # the model handed its answer over whole: agno streams it as one chunk
        emit("RunContent", content=response.content, content_type=content_type_of(response.content))
    emit(
        "ModelRequestCompleted",
        **model,
        input_tokens=response.input_tokens,
        output_tokens=response.output_tokens,
        total_tokens=response.input_tokens + response.output_tokens,
        time_to_first_token=response.time_to_first_token,
        tool_calls=len(response.tool_calls),  # beside agno's fields: why the request ended
    )
    return response


async def run_loop(
    call: ModelCall,
    messages: list[Message],
    tools: dict[str, LoopTool],
    *,
    ctx: RunContext,
    tool_call_limit: int | None,
    event_prefix: str,
    events: dict[str, Any],
    decision_key: str,
    max_turns: int | None = None,
    resume: dict[str, Any] | None = None,
) -> LoopResult:
    """Ask the model until it answers; messages gain every turn.

    When a tool call waits for a human, RunPaused leaves with the loop's state on
    its Pending; `resume` (that state) starts again with those tool calls.
    """

    def emit(name: str, **fields: Any) -> None:
        ctx.emit(f"{event_prefix}{name}", **fields, **events)

    result = LoopResult(content=None)
    turn = ToolTurn(tools, ctx, emit, decision_key, events.get("step_name"), cache={})
    calls_made = 0
    turns = 0
    waiting: list[ToolCall] | None = None
    said: Any = None  # the text of the run's model turns so far: agno's content adds them up
    asked: list[int] = []  # how many messages the model had at each request
    if resume is not None:
        result.input_tokens, result.output_tokens = resume["tokens"]
        result.tool_calls = list(resume["executions"])
        calls_made = resume["calls_made"]
        waiting = [ToolCall(**c) for c in resume["tool_calls"]]
        asked = list(resume["asked"])
        said = resume.get("said")
        _replay(call, messages, asked)
    while True:
        if waiting is None:
            turns += 1
            asked.append(len(messages))
            response = await _request(call, messages, tools, emit)
            result.add(response)
            bounded = max_turns is not None and turns >= max_turns  # tasks mode: leader turns
            if not response.tool_calls or bounded:
                result.content = _joined(said, response.content)
                result.last = response.content
                return result
            messages.append(response.assistant_message())
            waiting, said = response.tool_calls, _joined(said, response.content)
        try:
            batch = await turn.run(waiting, calls_made, tool_call_limit)
        except RunPaused as pause:
            pause.pending = pause.pending.with_state(
                {
                    "tokens": [result.input_tokens, result.output_tokens],
                    "executions": result.tool_calls,
                    "calls_made": calls_made,
                    "asked": asked,
                    "said": said if isinstance(said, str) else None,
                    "tool_calls": [
                        {"id": c.id, "name": c.name, "arguments": c.arguments} for c in waiting
                    ],
                }
            )
            raise
        waiting = None
        calls_made += batch.charged
        messages.extend(batch.messages)
        result.tool_calls.extend(batch.executions)
        if batch.stop:
            # agno: the content is what the model said plus the results shown (None when
            # neither: StopAgentRun's message goes to the model, not into the content)
            result.content = _joined(said, batch.shown)
            result.stopped_by = next(
                (e["tool_name"] for e in batch.executions if e.get("stop_after_tool_call")), None
            )
            return result


def _replay(call: ModelCall, messages: list[Message], asked: list[int]) -> None:
    """A resumed run's scripted model skips the answers it gave before the pause."""
    replay = getattr(call.model, "replay_request", None)
    if replay is not None:
        for count in asked:
            replay(messages[:count], agent=call.runner)


def _joined(said: Any, content: Any) -> Any:
    """agno's run content: the text of every model turn of the run, one after another."""
    if said is None or not isinstance(said, str) or not isinstance(content, str | None):
        return content
    return said + (content or "")
