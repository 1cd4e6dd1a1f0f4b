"""One agent run: build agno's messages, call the model, check the answer.

The system message is laid out as agno lays it out: description, then the
instructions (one as is, several as a bullet list), expected output in
<expected_output> tags, then additional context.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from ..schemas.outputs import Message, Metrics, RunOutput, content_type_of
from .context import RunContext, Scope, new_id
from .errors import ConfigurationError, ModelProviderError, OutputCheckError
from .plan import AgentPlan


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


def as_message_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


async def run_agent(
    agent: AgentPlan, message: Any, ctx: RunContext, scope: Scope, step_name: str | None = None
) -> RunOutput:
    run_id = new_id()
    model = ctx.model(agent.model.name)
    ctx.emit(
        "RunStarted",
        agent_name=agent.name,
        step_name=step_name,
        agent_run_id=run_id,
        model=model.id,
        model_provider=model.provider,
    )
    started = time.perf_counter()
    messages: list[Message] = []
    system = system_message(agent, ctx.template_context(scope))
    if system:
        messages.append(Message(role="system", content=system))
    if agent.add_history_to_context and ctx.session is not None:
        messages.extend(ctx.session.history_messages(agent.name, agent.num_history_runs))
    own_start = len(messages)  # this run's own messages; history is not stored again
    messages.append(Message(role="user", content=as_message_text(message)))
    try:
        response = await _call_with_retries(agent, model, messages)
        if response.tool_calls:
            names = ", ".join(call.name for call in response.tool_calls)
            raise ConfigurationError(
                f"model asked for tool(s) {names}, but agent '{agent.name}' has no tools it can run"
            )
        content = _checked_content(agent, response.content)
    except Exception as exc:
        ctx.emit(
            "RunError",
            agent_name=agent.name,
            step_name=step_name,
            agent_run_id=run_id,
            error=str(exc),
            error_type=type(exc).__name__,
        )
        raise
    duration = time.perf_counter() - started
    tokens = response.input_tokens + response.output_tokens
    metrics = Metrics(
        input_tokens=response.input_tokens,
        output_tokens=response.output_tokens,
        total_tokens=tokens,
        duration=duration,
        time_to_first_token=response.time_to_first_token,
        tokens_per_second=(response.output_tokens / duration) if duration > 0 else None,
    )
    ctx.metrics.add_tokens(metrics)
    messages.append(Message(role="assistant", content=content))
    if ctx.session is not None:
        ctx.session.add_run(agent.name, messages[own_start:])
    ctx.emit(
        "RunContent",
        agent_name=agent.name,
        step_name=step_name,
        agent_run_id=run_id,
        content=content,
        content_type=content_type_of(content),
    )
    ctx.emit(
        "RunCompleted",
        agent_name=agent.name,
        step_name=step_name,
        agent_run_id=run_id,
        content=content,
        metrics=metrics.model_dump(),
    )
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
    )


async def _call_with_retries(agent: AgentPlan, model: Any, messages: list[Message]) -> Any:
    attempt = 0
    while True:
        try:
            if agent.timeout is None:
                return await model.respond(
                    messages, agent=agent.name, output_schema=agent.output_schema
                )
            async with asyncio.timeout(agent.timeout):
                return await model.respond(
                    messages, agent=agent.name, output_schema=agent.output_schema
                )
        except ModelProviderError:
            if attempt >= agent.retries:
                raise
            await asyncio.sleep(agent.retry_delay * (2**attempt))
            attempt += 1


def _checked_content(agent: AgentPlan, content: Any) -> Any:
    if agent.output_schema is None:
        return content
    value = content
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise OutputCheckError(
                f"agent '{agent.name}' must answer with JSON matching its output_schema, "
                f"got text: {value[:80]!r}"
            ) from None
    from jsonschema import Draft202012Validator

    errors = sorted(
        Draft202012Validator(agent.output_schema).iter_errors(value), key=lambda e: list(e.path)
    )
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "answer"
        raise OutputCheckError(
            f"agent '{agent.name}' output does not match output_schema at {where}: {first.message}"
        )
    return value
