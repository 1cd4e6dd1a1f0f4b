"""The model ↔ tools loop shared by agents and team leaders (agno's run loop).

The model answers, or asks for tool calls. Calls asked for together run
concurrently; their results (or their errors, which go back to the model as
results, as agno does) are appended as tool messages and the model is asked
again, until it answers, a tool stops the run, or `tool_call_limit` is used up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ...schemas.outputs import Message, Metrics
from ..context import RunContext
from ..durability import Pending, RunPaused
from ..errors import (
    ContextWindowExceededError,
    ModelAuthenticationError,
    ModelProviderError,
    ModelRateLimitError,
    RetryAgentRun,
    StopAgentRun,
)
from ..providers import Model, ModelResponse, ToolCall
from ..providers.base import message_text


@dataclass(frozen=True, slots=True)
class LoopTool:
    """A tool as the loop sees it: a name, a schema, and how to call it."""

    name: str
    description: str
    parameters: dict[str, Any]
    call: Callable[[dict[str, Any]], Awaitable[Any]]
    stop_after_tool_call: bool = False
    requires_confirmation: bool = False
    cache: bool = False


@dataclass
class LoopResult:
    """What the model ↔ tools loop ended with: the answer, tokens, tool calls."""

    content: Any
    stopped_by: str | None = None  # the tool that ended the run, if one did
    input_tokens: int = 0
    output_tokens: int = 0
    time_to_first_token: float | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)

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
    """Tools as the model sees them (OpenAI's function-calling shape)."""
    return [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
        }
        for t in tools.values()
    ] or None


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


def _as_text(value: Any) -> str:
    """A tool result for the model; results JSON cannot hold fall back to str()."""
    try:
        return message_text(value)
    except (TypeError, ValueError):
        return str(value)


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
) -> LoopResult:
    """Ask the model until it answers; messages gain every turn."""
    result = LoopResult(content=None)
    cache: dict[str, Any] = {}
    calls_made = 0
    turns = 0
    while True:
        turns += 1
        response = await ask_model(call, messages, tools)
        result.input_tokens += response.input_tokens
        result.output_tokens += response.output_tokens
        if result.time_to_first_token is None:
            result.time_to_first_token = response.time_to_first_token
        limit_reached = tool_call_limit is not None and calls_made >= tool_call_limit
        if max_turns is not None and turns >= max_turns and response.tool_calls:
            limit_reached = True  # tasks mode: the leader's turns are bounded
        if not response.tool_calls or limit_reached:
            result.content = response.content
            return result
        requested = response.tool_calls
        messages.append(
            Message(
                role="assistant",
                content=response.content,
                tool_calls=[
                    {"id": c.id, "name": c.name, "arguments": c.arguments} for c in requested
                ],
            )
        )
        allowed = requested
        if tool_call_limit is not None:
            allowed = requested[: max(tool_call_limit - calls_made, 0)]
        calls_made += len(allowed)
        outcomes = await asyncio.gather(
            *[_one_call(c, tools, ctx, cache, event_prefix, events, decision_key) for c in allowed]
        )
        for tool_call, (text, _stop) in zip(allowed, outcomes, strict=True):
            messages.append(
                Message(role="tool", content=text, tool_call_id=tool_call.id, name=tool_call.name)
            )
            result.tool_calls.append(
                {
                    "id": tool_call.id,
                    "name": tool_call.name,
                    "arguments": tool_call.arguments,
                    "result": text,
                }
            )
        for skipped in requested[len(allowed) :]:
            messages.append(
                Message(
                    role="tool",
                    tool_call_id=skipped.id,
                    name=skipped.name,
                    content=f"Tool call limit ({tool_call_limit}) reached; "
                    "answer with what you have.",
                )
            )
        for tool_call, (_text, stop) in zip(allowed, outcomes, strict=True):
            if stop is not None:
                result.content = stop
                result.stopped_by = tool_call.name
                return result


async def _one_call(
    tool_call: ToolCall,
    tools: dict[str, LoopTool],
    ctx: RunContext,
    cache: dict[str, Any],
    prefix: str,
    events: dict[str, Any],
    decision_key: str,
) -> tuple[str, Any]:
    """Run one tool call; return (text for the model, content that ends the run or None)."""
    info = {
        "tool_name": tool_call.name,
        "tool_call_id": tool_call.id,
        "tool_args": tool_call.arguments,
        **events,
    }
    tool = tools.get(tool_call.name)
    if tool is None:
        known = ", ".join(sorted(tools)) or "none"
        text = f"Error: there is no tool named {tool_call.name}; tools: {known}"
        ctx.emit(f"{prefix}ToolCallError", error=text, **info)
        return text, None
    if tool.requires_confirmation:
        key = f"{decision_key}#{tool_call.name}:{_as_text(tool_call.arguments)}"
        if key not in ctx.decisions:
            pending = Pending(
                key=key,
                step_name=events.get("step_name") or tool_call.name,
                kind="confirm",
                question=f"Run tool {tool_call.name}({_as_text(tool_call.arguments)})?",
            )
            if ctx.ask is None:
                raise RunPaused(pending)
            ctx.decisions[key] = await ctx.ask(pending)
        if ctx.decisions[key] == "reject":
            text = f"The user rejected running {tool_call.name}."
            ctx.emit(f"{prefix}ToolCallCompleted", result=text, **info)
            return text, None
    ctx.emit(f"{prefix}ToolCallStarted", **info)
    cache_key = f"{tool_call.name}:{_as_text(tool_call.arguments)}"
    try:
        if tool.cache and cache_key in cache:
            value = cache[cache_key]
        else:
            value = await tool.call(tool_call.arguments)
            if tool.cache:
                cache[cache_key] = value
    except StopAgentRun as stop:
        text = str(stop) or f"{tool_call.name} stopped the run"
        ctx.emit(f"{prefix}ToolCallCompleted", result=text, stopped_run=True, **info)
        return text, text
    except RetryAgentRun as retry:
        text = str(retry)
        ctx.emit(f"{prefix}ToolCallCompleted", result=text, retry=True, **info)
        return text, None
    except RunPaused:
        raise
    except Exception as exc:  # the model sees the error and may recover (agno)
        message = str(exc) or type(exc).__name__
        if isinstance(exc, TimeoutError):
            message = "timed out"
        text = (
            f"Error: {type(exc).__name__}: {message}"
            if not isinstance(exc, TimeoutError)
            else f"Error: {tool_call.name} timed out"
        )
        ctx.emit(f"{prefix}ToolCallError", error=text, **info)
        return text, None
    text = _as_text(value)
    ctx.emit(f"{prefix}ToolCallCompleted", result=text, **info)
    return text, (value if tool.stop_after_tool_call else None)
