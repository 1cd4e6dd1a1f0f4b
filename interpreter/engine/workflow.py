"""Running a whole workflow or a single agent: input checks, events, final output.

Failures, cancellation and pauses all end in a WorkflowRunOutput whose
status says what happened; with a Recorder, that status (and every step's
output on the way) is committed to storage.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

from ...schemas.outputs import (
    Metrics,
    RunOutput,
    StepOutput,
    TeamRunOutput,
    WorkflowMetrics,
    WorkflowRunOutput,
)
from ..agents.agent import run_agent
from ..context import Listener, RunContext, Scope, new_id
from ..durability import Pending, Recorder, RunPaused
from ..errors import AgnoDslError, StepFailed, describe, error_text
from ..expressions import ExpressionError
from ..functions import deepest_content
from ..inputs import check_input
from ..plan import AgentPlan, TeamPlan, WorkflowNode, WorkflowPlan
from . import blocks
from .scheduler import Executor, Runner
from .steps import run_agent_step, run_function_step, run_team_step, step_input_value

# How a run starts: afresh (None), continued after a pause, or restarted after an interruption.
Resumed = Literal["continued", "restarted"] | None


async def execute_workflow(
    plan: WorkflowPlan,
    input: Any,
    *,
    models: dict[str, Any],
    listeners: list[Listener],
    session_id: str | None = None,
    max_concurrency: int | None = None,
    run_id: str | None = None,
    recorder: Recorder | None = None,
    decisions: dict[str, Any] | None = None,
    ask: Callable[[Pending], Awaitable[Any]] | None = None,
    resumed: Resumed = None,
    streaming: bool | None = None,
    user_id: str | None = None,
) -> WorkflowRunOutput:
    """Run a workflow to the end (or to a pause); failures are reported, not raised.

    Raises InputCheckError (nothing ran) and re-raises cancellation after
    reporting it, as asyncio code expects.
    """
    check_input(plan.input_schema, input, plan.input_schema_where, f"workflow '{plan.name}'")
    ctx = RunContext(
        input=input,
        workflow_name=plan.name,
        # agno gives every run a session; without --session it is the run's own.
        session_id=session_id or new_id(),
        models=models,
        listeners=listeners,
        max_concurrency=max_concurrency or plan.max_concurrency,
        session_state=dict(plan.session_state or {}),
        run_id=run_id,
        user_id=user_id,
    )
    # Events asked for: agno's streaming path, where agno's two paths differ. The
    # recorder only observes; callers that add other observers say so.
    if streaming is None:
        streaming = any(listener is not recorder for listener in listeners)
    ctx.streaming = streaming
    ctx.recorder = recorder
    ctx.decisions = dict(decisions or {})
    ctx.ask = ask
    _join_session(ctx, recorder)
    try:
        return await _run(plan, ctx, resumed=resumed)
    finally:
        await ctx.close_servers()  # success, failure, pause or cancel: no server outlives its run


def _join_session(ctx: RunContext, recorder: Recorder | None) -> None:
    """With a stored session, `state` is the session's state (shared, persisted).
    A recorded run keeps user memories in its storage."""
    if recorder is not None:
        ctx.memories = recorder.storage
    if recorder is not None and recorder.session is not None:
        ctx.session = recorder.session
        ctx.state = recorder.session.state


async def run_nested_workflow(
    plan: WorkflowPlan, input: Any, parent: RunContext, prefix: str
) -> WorkflowRunOutput:
    check_input(plan.input_schema, input, plan.input_schema_where, f"workflow '{plan.name}'")
    ctx = RunContext(
        input=input,
        workflow_name=plan.name,
        session_id=parent.session_id,
        models=parent.model_configs,
        listeners=parent.listeners,
        max_concurrency=None,
        run_id=parent.run_id,
        user_id=parent.user_id,
    )
    ctx.share_models(parent)
    ctx.mcp = parent.mcp  # one session per server per run, nested workflows included
    ctx.streaming = parent.streaming
    ctx.memories = parent.memories
    ctx.limit = parent.limit
    ctx.state = parent.state
    ctx.recorder, ctx.decisions, ctx.ask = parent.recorder, parent.decisions, parent.ask
    ctx.session = parent.session
    result = await _run(plan, ctx, prefix=prefix, nested=True)
    parent.metrics.add_tokens(ctx.metrics)
    if result.status == "failed":
        raise StepFailed(
            result.failed_step or plan.name, AgnoDslError(result.error or "nested workflow failed")
        )
    return result


async def run_workflow_step(runner: Runner, node: WorkflowNode, scope: Scope) -> StepOutput:
    message = step_input_value(runner, node, scope)
    result = await run_nested_workflow(
        node.workflow(), message, runner.ctx, prefix=f"{scope.prefix}{node.name}/"
    )
    return StepOutput(
        step_name=node.name,
        step_type="Workflow",
        executor_type="workflow",
        executor_name=result.workflow_name,
        content=result.content,
        metrics=_tokens_of(result.step_results),
        steps=result.step_results,
    )


def _tokens_of(results: list[StepOutput]) -> Metrics | None:
    """A nested workflow's tokens: its agent and team steps' at any depth (agno)."""
    total = Metrics()
    for step in WorkflowMetrics.of(results, None).steps.values():
        total.add_tokens(step.metrics)
    return total if total.total_tokens or total.input_tokens or total.output_tokens else None


# What running each kind of node does; the runner receives this registry.
EXECUTORS: dict[str, Executor] = {
    "agent": run_agent_step,
    "function": run_function_step,
    "team": run_team_step,
    "workflow": run_workflow_step,
    "parallel": blocks.run_parallel,
    "condition": blocks.run_condition,
    "loop": blocks.run_loop,
    "router": blocks.run_router,
    "foreach": blocks.run_foreach,
    "steps": blocks.run_steps,
}


def _restore_step_values(ctx: RunContext, prefix: str) -> None:
    """On resume, make every completed step of this workflow readable as steps.NAME."""
    recorder = ctx.recorder
    if recorder is None:
        return
    for key in recorder.restored_order:
        if key.startswith(prefix) and "/" not in key[len(prefix) :]:
            ctx.record(recorder.restored[key])


async def _run(
    plan: WorkflowPlan,
    ctx: RunContext,
    *,
    prefix: str = "",
    nested: bool = False,
    resumed: Resumed = None,
) -> WorkflowRunOutput:
    started = time.perf_counter()
    output = WorkflowRunOutput(
        run_id=ctx.run_id,
        workflow_name=plan.name,
        session_id=ctx.session_id,
        input=ctx.input,
        created_at=time.time(),
    )
    _restore_step_values(ctx, prefix)
    failed_message: str | None = None  # agno's text of a failing step, for WorkflowError
    if resumed != "continued":  # agno continues a paused run without starting it again
        ctx.emit("WorkflowStarted", input=ctx.input, resumed=resumed is not None or None)
    try:
        last = await Runner(ctx, EXECUTORS).run_plan(plan.body, Scope(prefix=prefix))
        if plan.output is not None:
            context = ctx.template_context(Scope(last, last.step_name if last else None))
            output.content = plan.output.evaluate(context)
        elif plan.body.is_chain:
            output.content = _final_content(ctx)
        else:
            output.content = last.content if last is not None else None
        output.status = "completed"
    except RunPaused as pause:
        if nested:
            raise  # the outermost workflow pauses, with every level's progress saved
        output.status = "paused"
        output.pending = pause.pending.to_json()
    except StepFailed as failure:
        output.status = "failed"
        output.failed_step = failure.step_name
        message = failed_message = error_text(failure.error)
        # agno's content of a failed run: the message (its streaming path), or
        # "Workflow execution failed: …" (its other path); `error` is our located line.
        output.content = message if ctx.streaming else f"Workflow execution failed: {message}"
        if isinstance(failure.error, ExpressionError):
            # The expression's own file:line:col is the precise place to look.
            named = f"'{failure.step_name}'" in str(failure.error)
            output.error = str(failure.error) + ("" if named else f" (step '{failure.step_name}')")
        else:
            output.error = f"{failure.where}: {failure}" if failure.where else str(failure)
    except (ExpressionError, AgnoDslError) as exc:
        output.status = "failed"
        output.error = describe(exc) if not isinstance(exc, ExpressionError) else str(exc)
    except asyncio.CancelledError:
        output.status = "cancelled"
        _finish(plan, ctx, output, started)
        ctx.emit("WorkflowCancelled", reason="cancelled")
        ctx.close()
        if ctx.recorder is not None and not nested:
            await asyncio.shield(ctx.recorder.save(status="cancelled"))
        raise
    _finish(plan, ctx, output, started)
    if output.status == "completed":
        # The event's metrics are the run's token totals (what telemetry reports);
        # the output's are agno's WorkflowMetrics, per step.
        totals = ctx.metrics.model_copy(update={"duration": output.metrics.duration})
        ctx.emit(
            "WorkflowCompleted",
            content=output.content,
            content_type=output.content_type,
            metrics=totals.model_dump(),
        )
    elif output.status == "paused":
        pass  # the step reported StepPaused; agno has no event for the workflow
    else:
        ctx.emit("WorkflowError", error=failed_message or output.error)
    ctx.close()
    if ctx.recorder is not None and not nested:
        await ctx.recorder.save(
            status=output.status,
            output=output.model_dump(mode="json"),
            error=output.error,
            pending=output.pending,
            decisions=ctx.decisions,
        )
    return output


def _final_content(ctx: RunContext) -> Any:
    """agno's workflow content: the deepest content of the last step's output."""
    if not ctx.top_outputs:
        return "No steps executed"
    last = list(ctx.top_outputs.values())[-1]
    return last.content if last.step_type == "Foreach" else deepest_content(last)


def _finish(plan: WorkflowPlan, ctx: RunContext, output: WorkflowRunOutput, started: float) -> None:
    # agno never sets a workflow's content_type: it stays "str" whatever the content.
    output.content_type = "str"
    output.step_results = list(ctx.top_outputs.values())
    duration = time.perf_counter() - started
    # agno adds the steps' metrics up when the run completes, not when it pauses or fails.
    counted = output.step_results if output.status == "completed" else []
    output.metrics = WorkflowMetrics.of(counted, duration)


async def _run_directly(
    run: Callable[[RunContext], Awaitable[RunOutput | TeamRunOutput]],
    failed: Callable[[str, str], RunOutput | TeamRunOutput],
    input: Any,
    *,
    models: dict[str, Any],
    listeners: list[Listener],
    session_id: str | None,
    run_id: str | None,
    recorder: Recorder | None,
    decisions: dict[str, Any] | None = None,
    session_state: Mapping[str, Any] | None = None,
    user_id: str | None = None,
) -> Any:
    """Run an agent or team on its own: its run id is the run's; failures are reported.

    Without a stored session the run starts from the spec's `session_state` (agno)."""
    ctx = RunContext(
        input=input,
        workflow_name=None,
        session_id=session_id,
        models=models,
        listeners=listeners,
        max_concurrency=None,
        session_state=dict(session_state or {}),
        run_id=run_id,
        user_id=user_id,
    )
    ctx.decisions = dict(decisions or {})
    _join_session(ctx, recorder)
    try:
        result = await run(ctx)
        result.run_id = ctx.run_id
        result.parent_run_id = None
        return result
    except (AgnoDslError, ExpressionError, TimeoutError) as exc:
        partial = getattr(exc, "run_output", None)  # what the run had when it failed (agno)
        if partial is None:
            return failed(ctx.run_id, describe(exc))
        partial.run_id = ctx.run_id
        partial.parent_run_id = None
        return partial
    finally:
        ctx.close()
        await ctx.close_servers()


async def execute_agent(
    agent: AgentPlan,
    input: Any,
    *,
    models: dict[str, Any],
    listeners: list[Listener],
    session_id: str | None = None,
    run_id: str | None = None,
    recorder: Recorder | None = None,
    decisions: dict[str, Any] | None = None,
    resume: dict[str, Any] | None = None,
    user_id: str | None = None,
) -> RunOutput:
    """Run one agent directly (`agno-dsl run --agent`); failures are reported, not raised.

    A tool call waiting for a human pauses the run (status paused, `pending` says what it
    waits for); `decisions` and `resume` (the pending's state) continue it.
    """
    if resume is None:
        check_input(agent.input_schema, input, agent.where, f"agent '{agent.name}'")
    return await _run_directly(  # type: ignore[no-any-return]
        lambda ctx: run_agent(agent, input, ctx, Scope(), resume=resume),
        lambda failed_id, error: RunOutput(
            run_id=failed_id,
            agent_name=agent.name,
            session_id=session_id,
            status="failed",
            error=error,
        ),
        input,
        models=models,
        listeners=listeners,
        session_id=session_id,
        run_id=run_id,
        recorder=recorder,
        decisions=decisions,
        session_state=agent.session_state,
        user_id=user_id,
    )


async def execute_team(
    team: TeamPlan,
    input: Any,
    *,
    models: dict[str, Any],
    listeners: list[Listener],
    session_id: str | None = None,
    run_id: str | None = None,
    recorder: Recorder | None = None,
    user_id: str | None = None,
) -> TeamRunOutput:
    """Run one team directly (`agno-dsl run --team`); failures are reported, not raised."""
    from ..agents.team import run_team

    check_input(team.leader.input_schema, input, team.where, f"team '{team.name}'")
    return await _run_directly(  # type: ignore[no-any-return]
        lambda ctx: run_team(team, input, ctx, Scope()),
        lambda failed_id, error: TeamRunOutput(
            run_id=failed_id,
            team_name=team.name,
            mode=team.mode,
            session_id=session_id,
            status="failed",
            error=error,
        ),
        input,
        models=models,
        listeners=listeners,
        session_id=session_id,
        run_id=run_id,
        recorder=recorder,
        session_state=team.leader.session_state,
        user_id=user_id,
    )
