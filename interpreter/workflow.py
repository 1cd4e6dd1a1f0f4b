"""Running a whole workflow or a single agent: input checks, events, final output."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ..schemas.outputs import RunOutput, WorkflowRunOutput, content_type_of
from .agent import run_agent
from .context import Listener, RunContext, Scope
from .errors import AgnoDslError, InputCheckError, StepFailed, describe
from .expressions import ExpressionError
from .plan import AgentPlan, WorkflowPlan
from .scheduler import Runner


def check_input(schema: Any, value: Any, where: str, what: str) -> None:
    """Raise InputCheckError when `value` does not satisfy a JSON Schema."""
    if schema is None:
        return
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        at = "/".join(str(p) for p in first.path)
        at = f" at {at}" if at else ""
        raise InputCheckError(
            f"input of {what}{at}: {first.message} (input_schema at {where})",
            check_trigger="input_schema",
        )


async def execute_workflow(
    plan: WorkflowPlan,
    input: Any,
    *,
    models: dict[str, Any],
    listeners: list[Listener],
    session_id: str | None = None,
    max_concurrency: int | None = None,
    run_id: str | None = None,
) -> WorkflowRunOutput:
    """Run a workflow to the end; failures are reported in the output, not raised.

    Raises InputCheckError (nothing ran) and re-raises cancellation after
    reporting it, as asyncio code expects.
    """
    check_input(plan.input_schema, input, plan.input_schema_where, f"workflow '{plan.name}'")
    ctx = RunContext(
        input=input,
        workflow_name=plan.name,
        session_id=session_id,
        models=models,
        listeners=listeners,
        max_concurrency=max_concurrency or plan.max_concurrency,
        session_state=dict(plan.session_state or {}),
        run_id=run_id,
    )
    return await _run(plan, ctx)


async def run_nested_workflow(
    plan: WorkflowPlan, input: Any, parent: RunContext
) -> WorkflowRunOutput:
    check_input(plan.input_schema, input, plan.input_schema_where, f"workflow '{plan.name}'")
    ctx = RunContext(
        input=input,
        workflow_name=plan.name,
        session_id=parent.session_id,
        models=parent.model_configs,
        listeners=parent.listeners,
        max_concurrency=None,
        session_state=parent.state,
    )
    ctx.share_models(parent)
    ctx.limit = parent.limit
    ctx.state = parent.state
    result = await _run(plan, ctx)
    parent.metrics.add_tokens(result.metrics)
    if result.status == "failed":
        raise StepFailed(
            result.failed_step or plan.name, AgnoDslError(result.error or "nested workflow failed")
        )
    return result


async def _run(plan: WorkflowPlan, ctx: RunContext) -> WorkflowRunOutput:
    started = time.perf_counter()
    output = WorkflowRunOutput(
        run_id=ctx.run_id,
        workflow_name=plan.name,
        session_id=ctx.session_id,
        input=ctx.input,
        created_at=time.time(),
    )
    ctx.emit("WorkflowStarted", input=ctx.input)
    try:
        last = await Runner(ctx).run_plan(plan.body, Scope())
        if plan.output is not None:
            context = ctx.template_context(Scope(last, last.step_name if last else None))
            output.content = plan.output.evaluate(context)
        else:
            output.content = last.content if last is not None else None
        output.status = "completed"
    except StepFailed as failure:
        output.status = "failed"
        output.failed_step = failure.step_name
        output.error = f"{failure.where}: {failure}" if failure.where else str(failure)
    except (ExpressionError, AgnoDslError) as exc:
        output.status = "failed"
        output.error = describe(exc) if not isinstance(exc, ExpressionError) else str(exc)
    except asyncio.CancelledError:
        output.status = "cancelled"
        _finish(plan, ctx, output, started)
        ctx.emit("WorkflowCancelled", reason="cancelled")
        ctx.close()
        raise
    _finish(plan, ctx, output, started)
    if output.status == "completed":
        ctx.emit(
            "WorkflowCompleted",
            content=output.content,
            content_type=output.content_type,
            stopped_early=ctx.stopped or None,
            metrics=output.metrics.model_dump(),
        )
    else:
        ctx.emit("WorkflowError", error=output.error, step_name=output.failed_step)
    ctx.close()
    return output


def _finish(plan: WorkflowPlan, ctx: RunContext, output: WorkflowRunOutput, started: float) -> None:
    output.content_type = content_type_of(output.content)
    output.step_results = [
        ctx.step_outputs[node.name] for node in plan.body.nodes if node.name in ctx.step_outputs
    ]
    output.metrics = ctx.metrics.model_copy()
    output.metrics.duration = time.perf_counter() - started


async def execute_agent(
    agent: AgentPlan,
    input: Any,
    *,
    models: dict[str, Any],
    listeners: list[Listener],
    session_id: str | None = None,
    run_id: str | None = None,
) -> RunOutput:
    """Run one agent directly (`agno-dsl run --agent`); failures are reported, not raised."""
    check_input(agent.input_schema, input, agent.where, f"agent '{agent.name}'")
    ctx = RunContext(
        input=input,
        workflow_name=None,
        session_id=session_id,
        models=models,
        listeners=listeners,
        max_concurrency=None,
        run_id=run_id,
    )
    try:
        result = await run_agent(agent, input, ctx, Scope())
        result.run_id = ctx.run_id
        result.parent_run_id = None
        return result
    except (AgnoDslError, ExpressionError, TimeoutError) as exc:
        return RunOutput(
            run_id=ctx.run_id,
            agent_name=agent.name,
            session_id=session_id,
            status="failed",
            error=describe(exc),
        )
    finally:
        ctx.close()
