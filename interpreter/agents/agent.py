"""One agent run, as agno does it: checks, messages, the model ↔ tools loop, the answer.

The system message is laid out as agno lays it out: description, then the
instructions (one as is, several as a bullet list), expected output in
<expected_output> tags, then additional context. An answer that does not
match `output_schema` gets one repair attempt before OutputCheckError.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from ...schemas.outputs import Message, RunOutput, content_type_of
from ..context import RunContext, Scope, new_id
from ..errors import OutputCheckError
from ..inputs import check_input
from ..plan import AgentPlan
from ..providers.base import message_text
from ..tools.base import ToolPlan, call_tool
from ..tools.mcp import McpServerPlan
from . import checks
from .run_loop import LoopTool, ModelCall, ask_model, run_loop


def system_message(agent: AgentPlan, context: dict[str, Any]) -> str | None:
    parts = ""
    if agent.description:
        parts += f"{agent.description}\n"
    instructions = [str(item.evaluate(context)) for item in agent.instructions]
    if len(instructions) == 1:
        parts += instructions[0] + "\n\n"
    elif instructions:
        parts += "\n".join(f"- {item}" for item in instructions) + "\n\n"
    if agent.expected_output:
        parts += f"<expected_output>\n{agent.expected_output.strip()}\n</expected_output>\n\n"
    if agent.additional_context:
        parts += f"{agent.additional_context}\n"
    return parts.strip() or None


async def agent_tools(agent: AgentPlan, ctx: RunContext) -> dict[str, LoopTool]:
    """The agent's tools by name; its MCP servers are opened now if the run has not yet
    (agno connects MCPTools when a run starts), all at once."""

    def bind(tool: Any) -> Any:
        return lambda arguments: call_tool(
            tool, arguments, session_state=ctx.state, executor=ctx.executor()
        )

    servers = [tool for tool in agent.tools if isinstance(tool, McpServerPlan)]
    opened = iter(await asyncio.gather(*map(ctx.mcp.tools, servers)) if servers else ())
    tools: list[ToolPlan] = []
    for tool in agent.tools:  # the spec's order, each server's tools in the server's order
        tools.extend(next(opened) if isinstance(tool, McpServerPlan) else (tool,))
    return {
        tool.name: LoopTool(
            name=tool.name,
            description=tool.description,
            parameters=tool.parameters,
            call=bind(tool),
            stop_after_tool_call=tool.stop_after_tool_call,
            requires_confirmation=tool.requires_confirmation,
            cache=tool.cache,
        )
        for tool in tools
    }


async def run_agent(
    agent: AgentPlan,
    message: Any,
    ctx: RunContext,
    scope: Scope,
    step_name: str | None = None,
    key: str | None = None,
) -> RunOutput:
    run_id = new_id()
    model = ctx.model(agent.model.name)
    who = {"agent_name": agent.name, "step_name": step_name, "agent_run_id": run_id}
    ctx.emit("RunStarted", model=model.id, model_provider=model.provider, **who)
    started = time.perf_counter()
    text = message_text(message)
    messages: list[Message] = []
    try:
        check_input(agent.input_schema, message, agent.where, f"agent '{agent.name}'")
        checks.check_input(agent.guardrails, text)
        for hook in agent.pre_hooks:
            await checks.call_hook(
                hook,
                ctx.executor(),
                run_input=checks.RunInput(message),
                input=message,
                agent=agent.name,
                session_state=ctx.state,
            )
        system = system_message(agent, ctx.template_context(scope))
        if system:
            messages.append(Message(role="system", content=system))
        if agent.add_history_to_context and ctx.session is not None:
            messages.extend(ctx.session.history_messages(agent.name, agent.num_history_runs))
        own_start = len(messages)  # this run's own messages; history is not stored again
        messages.append(Message(role="user", content=text))
        call = ModelCall(
            model=model,
            runner=agent.name,
            retries=agent.retries,
            retry_delay=agent.retry_delay,
            timeout=agent.timeout,
            output_schema=agent.output_schema,
            on_delta=lambda delta: ctx.emit("RunContent", content=delta, delta=True, **who),
        )
        tools = await agent_tools(agent, ctx)
        result = await run_loop(
            call,
            messages,
            tools,
            ctx=ctx,
            tool_call_limit=agent.tool_call_limit,
            event_prefix="",
            events=who,
            decision_key=key or agent.name,
        )
        content = result.content
        if agent.output_schema is not None and result.stopped_by is None:
            content = await _structured(agent, call, messages, content, result)
        for hook in agent.post_hooks:
            await checks.call_hook(
                hook,
                ctx.executor(),
                run_output=_partial(agent, content),
                output=content,
                agent=agent.name,
                session_state=ctx.state,
            )
        checks.check_output(agent.guardrails, message_text(content))
    except Exception as exc:
        ctx.emit(
            "RunError",
            error=str(exc),
            error_type=type(exc).__name__,
            check_trigger=getattr(exc, "check_trigger", None),
            **who,
        )
        raise
    duration = time.perf_counter() - started
    metrics = result.metrics(duration)
    ctx.metrics.add_tokens(metrics)
    messages.append(Message(role="assistant", content=content))
    if ctx.session is not None:
        ctx.session.add_run(agent.name, messages[own_start:])
    ctx.emit("RunContent", content=content, content_type=content_type_of(content), **who)
    ctx.emit("RunCompleted", content=content, metrics=metrics.model_dump(), **who)
    return RunOutput(
        run_id=run_id,
        agent_name=agent.name,
        session_id=ctx.session_id,
        parent_run_id=ctx.run_id,
        content=content,
        content_type=content_type_of(content),
        model=model.id,
        model_provider=model.provider,
        messages=messages,
        metrics=metrics,
        tools=result.tool_calls or None,
    )


def _partial(agent: AgentPlan, content: Any) -> RunOutput:
    return RunOutput(
        run_id="", agent_name=agent.name, content=content, content_type=content_type_of(content)
    )


async def _structured(
    agent: AgentPlan, call: ModelCall, messages: list[Message], content: Any, result: Any
) -> Any:
    """The answer as an object matching output_schema, after at most one repair."""
    try:
        return _checked_content(agent, content)
    except OutputCheckError as first:
        messages.append(Message(role="assistant", content=message_text(content)))
        messages.append(
            Message(
                role="user",
                content=(
                    f"Your answer did not match the required JSON schema: {first}. "
                    "Answer again with only a JSON object matching the schema."
                ),
            )
        )
        repair = await ask_model(call, messages)
        result.input_tokens += repair.input_tokens
        result.output_tokens += repair.output_tokens
        return _checked_content(agent, repair.content)


def _checked_content(agent: AgentPlan, content: Any) -> Any:
    value = content
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise OutputCheckError(
                f"agent '{agent.name}' must answer with JSON matching its output_schema, "
                f"got text: {value[:80]!r}",
                check_trigger="output_schema",
            ) from None
    from jsonschema import Draft202012Validator

    errors = sorted(
        Draft202012Validator(agent.output_schema).iter_errors(value), key=lambda e: list(e.path)
    )
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "answer"
        raise OutputCheckError(
            f"agent '{agent.name}' output does not match output_schema at {where}: {first.message}",
            check_trigger="output_schema",
        )
    return value
