"""One agent run, as agno does it: hooks, messages, the model ↔ tools loop, the answer.

The system message is laid out as agno lays it out: description, then the
instructions (one as is, several as a bullet list), expected output in
<expected_output> tags, additional context, then (for a model without
native structured outputs) agno's JSON output prompt. An answer that does
not match `output_schema` gets one repair attempt before OutputCheckError
(`structured.py`).

Events follow agno's stream: RunStarted, the pre-hooks, each model request
(`run_loop`), RunContentCompleted, the post-hooks, RunCompleted — or
RunError with agno's error_type. A failed run still reports what it had:
the error travels as the exception, with the partial RunOutput (status
failed, content = the error's message unless there was an answer, the
messages and tokens so far) on it as `run_output`, as agno returns it.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from ...schemas.outputs import Message, Metrics, RunOutput, content_type_of
from .. import memory
from ..context import RunContext, Scope, new_id
from ..durability import RunPaused
from ..errors import (
    ContextWindowExceededError,
    InputCheckError,
    ModelAuthenticationError,
    OutputCheckError,
    describe,
    error_type_of,
)
from ..inputs import check_input
from ..plan import AgentPlan
from ..tools.base import RunContext as ToolRunContext
from ..tools.base import ToolPlan, call_tool
from ..tools.mcp import McpServerPlan
from . import checks
from .run_loop import LoopResult, LoopTool, ModelCall, run_loop
from .structured import json_output_prompt, said, structured


def system_message(
    agent: AgentPlan, context: dict[str, Any], model: Any = None, memories: str | None = None
) -> str | None:
    parts = ""
    if agent.description:
        parts += f"{agent.description}\n"
    if agent.role is not None:
        parts += f"\n<your_role>\n{agent.role}\n</your_role>\n\n"
    instructions = [str(item.evaluate(context)) for item in agent.instructions]
    if len(instructions) == 1:
        parts += instructions[0] + "\n\n"
    elif instructions:
        parts += "\n".join(f"- {item}" for item in instructions) + "\n\n"
    if agent.expected_output:
        parts += f"<expected_output>\n{agent.expected_output.strip()}\n</expected_output>\n\n"
    if agent.additional_context:
        parts += f"{agent.additional_context}\n"
    if memories:  # agno adds them after the additional context
        parts += memories
    if agent.output_schema is not None and not getattr(model, "native_structured_outputs", False):
        parts += json_output_prompt(agent.output_schema)
    return parts.strip() or None


def user_text(message: Any) -> str:
    """The user message agno builds from an input: text as is, lines of a list of
    strings, anything else as indented JSON (agno: model_dump_json(indent=2))."""
    if isinstance(message, str):
        return message
    if isinstance(message, list) and all(isinstance(item, str) for item in message):
        return "\n".join(message)
    try:
        return json.dumps(message, indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(message)


async def agent_tools(agent: AgentPlan, ctx: RunContext, run_id: str) -> dict[str, LoopTool]:
    """The agent's tools by name; its MCP servers are opened now if the run has not yet
    (agno connects MCPTools when a run starts), all at once."""
    run_context = ToolRunContext(run_id=run_id, session_id=ctx.session_id, session_state=ctx.state)

    def bind(tool: Any) -> Any:
        return lambda arguments: call_tool(
            tool,
            arguments,
            session_state=ctx.state,
            executor=ctx.executor(),
            run_context=run_context,
        )

    servers = [tool for tool in agent.tools if isinstance(tool, McpServerPlan)]
    opened = iter(await asyncio.gather(*map(ctx.mcp.tools, servers)) if servers else ())
    plans: list[ToolPlan] = []
    for tool in agent.tools:  # the spec's order, each server's tools in the server's order
        plans.extend(next(opened) if isinstance(tool, McpServerPlan) else (tool,))
    tools = {
        tool.name: LoopTool(
            name=tool.name,
            description=tool.description,
            parameters=tool.parameters,
            call=bind(tool),
            stop_after_tool_call=tool.stop_after_tool_call,
            requires_confirmation=tool.requires_confirmation,
            cache=tool.cache,
        )
        for tool in plans
    }
    if agent.enable_agentic_memory:
        tools[memory.AGENTIC_TOOL_NAME] = _agentic_memory_tool(agent, ctx)
    return tools


def memory_manager(agent: AgentPlan, ctx: RunContext) -> memory.MemoryManager:
    """agno's MemoryManager of the agent for the run's user: the memory model, else its own."""
    model_name = (agent.memory_model or agent.model).name
    return memory.MemoryManager(
        model=ctx.model(model_name),
        store=ctx.memories,
        user_id=ctx.user_id or memory.DEFAULT_USER,
        agent_id=agent.name,
    )


def _agentic_memory_tool(agent: AgentPlan, ctx: RunContext) -> LoopTool:
    """agno's update_user_memory: the task goes to the memory model."""

    async def update_user_memory(arguments: dict[str, Any]) -> str:
        outcome = await memory_manager(agent, ctx).update_memory_task(str(arguments["task"]))
        return outcome.content

    return LoopTool(
        name=memory.AGENTIC_TOOL_NAME,
        description=memory.AGENTIC_TOOL_DESCRIPTION,
        parameters=memory.AGENTIC_TOOL_PARAMETERS,
        call=update_user_memory,
    )


def _pre_hooks(agent: AgentPlan) -> list[tuple[str, Any]]:
    guardrails = [(checks.GUARDRAIL_HOOK_NAME, checks.GUARDRAILS[g]) for g in agent.guardrails]
    return guardrails + [(checks.hook_name(hook), hook) for hook in agent.pre_hooks]


PAUSED_CONTENT = "I have tools to execute, but I need confirmation."  # agno's words


async def run_agent(
    agent: AgentPlan,
    message: Any,
    ctx: RunContext,
    scope: Scope,
    step_name: str | None = None,
    key: str | None = None,
    resume: dict[str, Any] | None = None,
) -> RunOutput:
    """Run the agent, or continue it from a pause (`resume`: the state its Pending kept).

    `retries` are agno's: a failed run starts over (RunStarted again), with
    `retry_delay` doubling between attempts; a check error or a pause is not retried.
    """
    attempts = agent.retries + 1
    for attempt in range(attempts):
        last = attempt + 1 == attempts
        try:
            return await _attempt(agent, message, ctx, scope, step_name, key, resume, last)
        except Exception as exc:
            if last or not _retryable(exc):
                raise
            await asyncio.sleep(agent.retry_delay * (2**attempt))
    raise AssertionError("unreachable: the last attempt returns or raises")


def _retryable(error: Exception) -> bool:
    """Whether another attempt could succeed: not for checks, pauses, bad credentials or a
    conversation too long for the model (agno would try those again regardless)."""
    return not isinstance(
        error,
        InputCheckError
        | OutputCheckError
        | RunPaused
        | ModelAuthenticationError
        | ContextWindowExceededError,
    )


async def _attempt(
    agent: AgentPlan,
    message: Any,
    ctx: RunContext,
    scope: Scope,
    step_name: str | None,
    key: str | None,
    resume: dict[str, Any] | None,
    last: bool,
) -> RunOutput:
    """One attempt of a run; only the last one reports a failure (RunError), as in agno."""
    run_id = new_id()
    model = ctx.model(agent.model.name)
    shown = agent.display_name or agent.name  # agno's `name`
    who = {"agent_name": shown, "step_name": step_name, "agent_run_id": run_id}

    def emit(name: str, **fields: Any) -> None:
        ctx.emit(name, **fields, **who)

    output = RunOutput(
        run_id=run_id,
        agent_name=shown,
        session_id=ctx.session_id,
        user_id=ctx.user_id,
        parent_run_id=ctx.run_id,
        model=model.id,
        model_provider=model.provider,
    )
    if resume is None:
        emit("RunStarted", model=model.id, model_provider=model.provider)
    else:
        emit("RunContinued")
    started = time.perf_counter()
    result = LoopResult(content=None)
    messages: list[Message] = []
    own_start = 0  # where this run's own messages start; history is not stored again
    hook_arguments = {"agent": agent.name, "session_state": ctx.state}
    memory_update: asyncio.Task[memory.MemoryOutcome] | None = None
    try:
        if resume is None:
            own_start = await _start(agent, message, ctx, scope, model, emit, messages)
            memory_update = _start_memory_update(agent, ctx, messages[own_start])
        else:
            messages += [Message.model_validate(m) for m in resume["messages"]]
            own_start = resume["own_start"]
        output.messages = messages
        call = ModelCall(
            model=model,
            runner=agent.name,
            retries=0,  # the whole run is retried, as agno retries an agent
            retry_delay=agent.retry_delay,
            timeout=agent.timeout,
            output_schema=agent.output_schema,
        )
        tools = await agent_tools(agent, ctx, run_id)
        result = await run_loop(
            call,
            messages,
            tools,
            ctx=ctx,
            tool_call_limit=agent.tool_call_limit,
            event_prefix="",
            events=who,
            decision_key=key or agent.name,
            resume=resume["loop"] if resume else None,
        )
        output.tools = result.tool_calls or None
        content = result.content
        if result.stopped_by is None:
            messages.append(Message(role="assistant", content=said(result.last)))
            if agent.output_schema is not None:
                content = await structured(agent, call, messages, result.last, result)
        output.content = content
        emit("RunContentCompleted")
        post_hooks = [(checks.hook_name(hook), hook) for hook in agent.post_hooks]
        await checks.run_hooks(
            post_hooks,
            "post",
            emit,
            ctx.executor(),
            run_output=output,
            output=content,
            **hook_arguments,
        )
        memory_tokens = await _finish_memory_update(memory_update, ctx, emit)
    except RunPaused as pause:
        await _finish_memory_update(memory_update, ctx, emit)  # agno: before the pause
        _pause(output, pause, messages, own_start, emit)
        output.session_state = dict(ctx.state)
        raise
    except BaseException as exc:
        if memory_update is not None:
            memory_update.cancel()  # agno cancels the memory task of a failed run
        if not isinstance(exc, Exception):
            raise
        if not last and _retryable(exc):
            raise  # the next attempt starts over; only the last one reports
        _fail(output, exc, result, started, ctx)
        emit(
            "RunError",
            content=str(exc),
            error_type=error_type_of(exc),
            check_trigger=getattr(exc, "check_trigger", None),
        )
        exc.run_output = output  # type: ignore[attr-defined]
        raise
    output.content_type = content_type_of(output.content)
    output.metrics = result.metrics(time.perf_counter() - started)
    _add_tokens(output.metrics, memory_tokens)
    output.session_state = dict(ctx.state)
    ctx.metrics.add_tokens(output.metrics)
    if ctx.session is not None:
        ctx.session.add_run(agent.name, messages[own_start:])
    emit(
        "RunCompleted",
        content=output.content,
        content_type=output.content_type,
        metrics=output.metrics.model_dump(),
    )
    return output


def _start_memory_update(
    agent: AgentPlan, ctx: RunContext, user_message: Message
) -> asyncio.Task[memory.MemoryOutcome] | None:
    """update_memory_on_run: the memory model works beside the run, as agno's background
    task does (not with agentic memory, and not for an empty message)."""
    text = user_message.content if isinstance(user_message.content, str) else None
    if not agent.update_memory_on_run or agent.enable_agentic_memory or not (text or "").strip():
        return None
    return asyncio.create_task(memory_manager(agent, ctx).create_user_memories(str(text)))


async def _finish_memory_update(
    task: asyncio.Task[memory.MemoryOutcome] | None, ctx: RunContext, emit: Any
) -> tuple[int, int]:
    """Wait for the memory update after the post-hooks, between agno's two events; its tokens."""
    if task is None:
        return (0, 0)
    emit("MemoryUpdateStarted")
    tokens = (0, 0)
    try:
        outcome = await task
        tokens = (outcome.input_tokens, outcome.output_tokens)
    except Exception:  # noqa: BLE001 - agno logs a failed memory update and completes the run
        pass
    memories = await ctx.memories.get_user_memories(ctx.user_id or memory.DEFAULT_USER)
    emit("MemoryUpdateCompleted", memories=memories)
    return tokens


def _add_tokens(metrics: Metrics, tokens: tuple[int, int]) -> None:
    metrics.input_tokens += tokens[0]
    metrics.output_tokens += tokens[1]
    metrics.total_tokens += sum(tokens)


async def _start(
    agent: AgentPlan,
    message: Any,
    ctx: RunContext,
    scope: Scope,
    model: Any,
    emit: Any,
    messages: list[Message],
) -> int:
    """Input checks, pre-hooks and the first messages; where the run's own messages start."""
    check_input(agent.input_schema, message, agent.where, f"agent '{agent.name}'")
    run_input = checks.RunInput(message)
    await checks.run_hooks(
        _pre_hooks(agent),
        "pre",
        emit,
        ctx.executor(),
        run_input=run_input,
        input=message,
        agent=agent.name,
        session_state=ctx.state,
    )
    memories = None
    if agent.add_memories_to_context:
        stored = await ctx.memories.get_user_memories(ctx.user_id or memory.DEFAULT_USER)
        memories = memory.memories_context(stored, agent.enable_agentic_memory)
    system = system_message(agent, ctx.template_context(scope), model, memories)
    if system:
        messages.append(Message(role="system", content=system))
    if agent.add_history_to_context and ctx.session is not None:
        messages.extend(ctx.session.history_messages(agent.name, agent.num_history_runs))
    own_start = len(messages)
    messages.append(Message(role="user", content=user_text(run_input.input_content)))
    return own_start


def _pause(
    output: RunOutput, pause: RunPaused, messages: list[Message], own_start: int, emit: Any
) -> None:
    """agno's paused RunOutput, and the state that lets a resume continue the run."""
    loop = pause.pending.state or {}
    output.status = "paused"
    output.content = PAUSED_CONTENT
    output.tools = [*loop.get("executions", []), *getattr(pause, "tools", [])] or None
    tokens = loop.get("tokens", [0, 0])
    output.metrics = Metrics(
        input_tokens=tokens[0], output_tokens=tokens[1], total_tokens=sum(tokens)
    )
    state = {
        "loop": loop,
        "messages": [m.model_dump(mode="json") for m in messages],
        "own_start": own_start,
    }
    pause.pending = pause.pending.with_state(state)
    output.pending = pause.pending.to_json()
    emit("RunContentCompleted")
    emit("RunPaused", tools=output.tools)
    pause.run_output = output  # type: ignore[attr-defined]


def _fail(
    output: RunOutput, error: Exception, result: LoopResult, started: float, ctx: RunContext
) -> None:
    """The partial output agno returns for a failed run."""
    output.status = "failed"
    output.error = describe(error)
    if output.content is None:
        output.content = str(error)
    output.content_type = content_type_of(output.content)
    output.tools = output.tools or result.tool_calls or None
    output.metrics = result.metrics(time.perf_counter() - started)
    output.session_state = dict(ctx.state)
    ctx.metrics.add_tokens(output.metrics)
