"""The tool calls of one model turn, run the way agno runs them.

agno's order (agno/models/base.py, `arun_function_calls`), which this module
keeps event for event and message for message:
- a call to a tool that does not exist gets an error message for the model
  and no event;
- calls past `tool_call_limit` get agno's limit message and are not run;
- every remaining call gets its ToolCallStarted first, then all run
  concurrently, then each, in the order asked, gets ToolCallCompleted
  (and ToolCallError after it when it raised); a tool agno writes as a
  plain generator (`in_order`: team task tools) runs only then, in turn, so
  its own events come right before its ToolCallCompleted;
- a tool with `stop_after_tool_call` shows its result as content and ends
  the run with it.

A tool's result reaches the model as agno gives it: `str(result)`, or the
error's message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ...schemas.outputs import Message
from ..context import RunContext
from ..durability import Pending, RunPaused
from ..errors import StopAgentRun
from ..providers import ToolCall
from ..providers.base import message_text

UNKNOWN_TOOL = "Error: The requested tool does not exist or is not available."
REJECTED = "Function call was rejected by the user"


@dataclass(frozen=True, slots=True)
class LoopTool:
    """A tool as the loop sees it: a name, a schema, and how to call it."""

    name: str
    description: str | None
    parameters: dict[str, Any]
    call: Callable[[dict[str, Any]], Awaitable[Any]]
    stop_after_tool_call: bool = False
    # a tool that ends the run shows its result as run content (false: it was shown already)
    shows_result: bool = True
    in_order: bool = False  # runs when its completion is reported (agno's sync generators)
    requires_confirmation: bool = False
    cache: bool = False


@dataclass
class Batch:
    """What one turn's tool calls left behind."""

    messages: list[Message] = field(default_factory=list)  # for the model, in agno's order
    executions: list[dict[str, Any]] = field(default_factory=list)  # agno's ToolExecution
    shown: str | None = None  # results of stop_after_tool_call tools: the run's content
    stop: bool = False
    charged: int = 0  # calls that count against tool_call_limit


@dataclass
class Outcome:
    """A tool call's result as the model sees it, and what it does to the run."""

    text: str
    error: bool = False
    stop: bool = False


def limit_message(name: str) -> str:
    return f"Tool call limit reached. Tool call {name} not executed. Don't try to execute it again."


def result_text(value: Any) -> str:
    """A tool result as agno hands it to the model: text as is, anything else as str()."""
    return value if isinstance(value, str) else str(value)


def execution(call: ToolCall, **fields: Any) -> dict[str, Any]:
    """agno's ToolExecution of a call, as a dict (RunOutput.tools, the `tool` of events)."""
    return {
        "tool_call_id": call.id,
        "tool_name": call.name,
        "tool_args": call.arguments,
        "tool_call_error": None,
        "result": None,
        **fields,
    }


class ToolTurn:
    """Runs the tool calls of one model turn: events, messages, executions."""

    def __init__(
        self,
        tools: dict[str, LoopTool],
        ctx: RunContext,
        emit: Callable[..., None],
        decision_key: str,
        step_name: str | None,
        cache: dict[str, Any],
    ) -> None:
        self.tools = tools
        self.ctx = ctx
        self.emit = emit
        self.decision_key = decision_key
        self.step_name = step_name
        self.cache = cache

    async def run(self, requested: list[ToolCall], calls_made: int, limit: int | None) -> Batch:
        """Run one turn's calls; `calls_made` so far in the run count against `limit`."""
        batch = Batch()
        runnable = self._admit(requested, calls_made, limit, batch)
        await self._confirm(runnable)
        runnable = [call for call in runnable if not self._rejected(call, batch)]
        for call in runnable:
            self.emit("ToolCallStarted", tool=execution(call, **self._confirmed(call)))
        now = [call for call in runnable if not self.tools[call.name].in_order]
        outcomes = dict(zip(map(id, now), await asyncio.gather(*map(self._call, now)), strict=True))
        for call in runnable:
            outcome = outcomes.get(id(call)) or await self._call(call)
            self._finish(call, outcome, batch)
        return batch

    def _admit(
        self, requested: list[ToolCall], calls_made: int, limit: int | None, batch: Batch
    ) -> list[ToolCall]:
        """The calls that may run; the others get agno's messages, unknown tools first."""
        known = []
        for call in requested:
            if call.name in self.tools:
                known.append(call)
            else:
                batch.messages.append(_tool_message(call, UNKNOWN_TOOL))
        runnable: list[ToolCall] = []
        for call in known:
            batch.charged += 1
            if limit is not None and calls_made + batch.charged > limit:
                batch.messages.append(_tool_message(call, limit_message(call.name)))
            else:
                runnable.append(call)
        return runnable

    def _finish(self, call: ToolCall, outcome: Outcome, batch: Batch) -> None:
        """A call's completion events, execution record and message for the model."""
        tool = self.tools[call.name]
        # a failing tool does not end the run with its error (agno would show "None")
        shows = tool.stop_after_tool_call and not outcome.error
        stop = outcome.stop or shows
        done = execution(
            call,
            tool_call_error=outcome.error,
            result=outcome.text,
            stop_after_tool_call=stop,
            **self._confirmed(call),
        )
        if shows:
            # agno shows the result of a tool that ends the run as the run's content
            if tool.shows_result:
                self.emit("RunContent", content=outcome.text, content_type="str")
            batch.shown = (batch.shown or "") + outcome.text
        batch.stop = batch.stop or stop
        self.emit("ToolCallCompleted", tool=done)
        if outcome.error:
            self.emit("ToolCallError", tool=done, error=outcome.text)
        if tool.requires_confirmation:  # agno's record keeps only that it was confirmed
            done = {**done, "requires_confirmation": False}
        batch.executions.append(done)
        batch.messages.append(_tool_message(call, outcome.text))

    def _confirmed(self, call: ToolCall) -> dict[str, Any]:
        if not self.tools[call.name].requires_confirmation:
            return {}
        return {"requires_confirmation": True, "confirmed": True}

    def _key(self, call: ToolCall) -> str:
        return f"{self.decision_key}#{call.name}:{message_text(call.arguments)}"

    async def _confirm(self, calls: list[ToolCall]) -> None:
        """Ask for (or pause for) the calls that need a human's approval."""
        for call in calls:
            if not self.tools[call.name].requires_confirmation:
                continue
            key = self._key(call)
            if key in self.ctx.decisions:
                continue
            pending = Pending(
                key=key,
                step_name=self.step_name or call.name,
                kind="confirm",
                question=f"Run tool {call.name}({message_text(call.arguments)})?",
            )
            if self.ctx.ask is None:
                paused = RunPaused(pending)
                # what agno's paused RunOutput lists: the calls waiting for a human
                paused.tools = [  # type: ignore[attr-defined]
                    execution(c, tool_call_error=False, requires_confirmation=True)
                    for c in calls
                    if self.tools[c.name].requires_confirmation
                    and self._key(c) not in self.ctx.decisions
                ]
                raise paused
            self.ctx.decisions[key] = await self.ctx.ask(pending)

    def _rejected(self, call: ToolCall, batch: Batch) -> bool:
        if not self.tools[call.name].requires_confirmation:
            return False
        if self.ctx.decisions.get(self._key(call)) != "reject":
            return False
        # agno: a rejected call is not run and has no events; the model reads why
        batch.executions.append(execution(call, tool_call_error=True))
        batch.messages.append(_tool_message(call, REJECTED))
        return True

    async def _call(self, call: ToolCall) -> Outcome:
        tool = self.tools[call.name]
        cache_key = f"{call.name}:{message_text(call.arguments)}"
        try:
            if tool.cache and cache_key in self.cache:
                return Outcome(result_text(self.cache[cache_key]))
            value = await tool.call(call.arguments)
            if tool.cache:
                self.cache[cache_key] = value
            return Outcome(result_text(value))
        except RunPaused:
            raise
        except TimeoutError:
            return Outcome(f"Error: {call.name} timed out", error=True)
        except Exception as exc:  # the model reads the error and may recover (agno)
            text = str(exc) or type(exc).__name__
            # agno's own StopAgentRun (a tool brought over from agno) counts as ours
            stops = isinstance(exc, StopAgentRun) or _named(exc, "StopAgentRun")
            return Outcome(text, error=True, stop=stops)


def _tool_message(call: ToolCall, text: str) -> Message:
    return Message(role="tool", content=text, tool_call_id=call.id, name=call.name)


def _named(error: Exception, name: str) -> bool:
    return any(cls.__name__ == name for cls in type(error).__mro__)
