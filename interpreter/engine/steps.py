"""What a leaf step (agent, team, function) does when it runs; the scheduler applies
the policy around it. Blocks are in `blocks.py`, nested workflows in `workflow.py`."""

from __future__ import annotations

import asyncio
import functools
import inspect
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ...schemas.outputs import Metrics, StepOutput
from ..agents.agent import run_agent
from ..context import RunContext, Scope
from ..durability import RunPaused
from ..errors import AgnoDslError, StepExecutorError, StepOutputError
from ..functions import (
    CustomEvent,
    StepInput,
    deepest_content,
    message_content,
)
from ..plan import AgentNode, FunctionNode, TeamNode
from ..providers.base import message_text
from ..tools.base import RunContext as ToolRunContext

if TYPE_CHECKING:
    from .scheduler import Runner


def step_input_value(runner: Runner, node: Any, scope: Scope) -> Any:
    """A leaf step's input: its template, else what agno gives it after the previous
    step (the deepest content; a parallel block's branches as sections), else the run
    input. What a human typed in for the step follows as agno's "User preferences"."""
    if node.input is not None:
        value = node.input.evaluate(runner.ctx.template_context(scope))
    elif scope.previous is not None and _has_text(message_content(scope.previous)):
        value = message_content(scope.previous)
    else:
        value = runner.ctx.input
    human = scope.locals.get("human_input") if node.policy.input_required is not None else None
    if isinstance(human, dict) and human:
        preferences = "\n".join(f"- {key}: {item}" for key, item in human.items())
        text = message_text(value) if value is not None else ""
        value = (
            f"{text}\n\nUser preferences:\n{preferences}"
            if text
            else (f"User preferences:\n{preferences}")
        )
    return value


def _has_text(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _executor_failed(
    runner: Runner, node: Any, kind: str, name: str, error: Exception
) -> StepOutput:
    """An agent or team that failed. agno's streaming path retries the step and
    reports "Step 'NAME' executor (agent) failed: …"; its other path records the
    run's error as the step's output, without retrying (docs/decisions.md)."""
    if runner.ctx.streaming:
        raise StepExecutorError(f"Step '{node.name}' executor ({kind}) failed: {error}") from error
    message = str(error)
    return StepOutput.trusted(
        step_name=node.name,
        step_type="Step",
        executor_type=kind,
        executor_name=name,
        content=message,
        success=False,
        error=message,
        metrics=Metrics(),  # agno: the failed run's (empty) metrics
    )


async def run_agent_step(runner: Runner, node: AgentNode, scope: Scope) -> StepOutput:
    message = step_input_value(runner, node, scope)
    try:
        result = await run_agent(
            node.agent,
            message,
            runner.ctx,
            scope,
            step_name=node.name,
            key=scope.prefix + node.name,
        )
    except RunPaused:
        raise
    except AgnoDslError as exc:
        return _executor_failed(runner, node, "agent", node.agent.name, exc)
    return StepOutput.trusted(
        step_name=node.name,
        step_type="Step",
        executor_type="agent",
        executor_name=node.agent.name,
        content=result.content,
        metrics=result.metrics,
        executor_run=result,
    )


async def run_team_step(runner: Runner, node: TeamNode, scope: Scope) -> StepOutput:
    from ..agents.team import run_team

    message = step_input_value(runner, node, scope)
    try:
        result = await run_team(node.team, message, runner.ctx, scope, step_name=node.name)
    except RunPaused:
        raise
    except AgnoDslError as exc:
        return _executor_failed(runner, node, "team", node.team.name, exc)
    return StepOutput.trusted(
        step_name=node.name,
        step_type="Step",
        executor_type="team",
        executor_name=node.team.name,
        content=result.content,
        metrics=result.metrics,
        executor_run=result,
    )


def replay_agent_step(runner: Runner, node: AgentNode, scope: Scope) -> None:
    """A restored agent step: move scripted cursors as if the model had answered again,
    so the steps after it get the answers an uninterrupted run would have given."""
    model = runner.ctx.model(node.agent.model.name)
    replay = getattr(model, "replay", None)
    if replay is not None:
        replay(message_text(step_input_value(runner, node, scope)), agent=node.agent.name)


run_agent_step.replay = replay_agent_step  # type: ignore[attr-defined]


def function_run_context(ctx: RunContext) -> ToolRunContext:
    """agno's run_context for a function, evaluator or selector that asks for it."""
    return ToolRunContext(
        run_id=ctx.run_id,
        session_id=ctx.session_id,
        workflow_name=ctx.workflow_name,
        session_state=ctx.state,
    )


def step_input_for(runner: Runner, given: Any, scope: Scope, **extra: Any) -> StepInput:
    """The StepInput agno builds for a step here: the run input (or the step's own
    `input:`), the previous steps' outputs at this level and around it."""
    ctx = runner.ctx
    # A read-only view, not a copy: copying made every step O(steps so far).
    outputs = ctx.top_outputs_view if scope.outputs is None else MappingProxyType(scope.outputs)
    return StepInput(
        input=ctx.input if given is None else given,
        previous_step_content=deepest_content(scope.previous) if scope.previous else None,
        previous_step_outputs=outputs,
        session_state=ctx.state,
        **extra,
    )


_NONE: dict[str, Any] = {}


def _function_input(runner: Runner, node: FunctionNode, scope: Scope) -> StepInput:
    given = None
    if node.input is not None:
        given = node.input.evaluate(runner.ctx.template_context(scope))
    human = None
    if node.policy.input_required is not None:
        human = scope.locals.get("human_input")
    return step_input_for(
        runner,
        given,
        scope,
        additional_data={"user_input": human} if human is not None else None,
    )


async def run_function_step(runner: Runner, node: FunctionNode, scope: Scope) -> StepOutput:
    ctx = runner.ctx
    args = (_function_input(runner, node, scope),) if node.takes_input else ()
    options = {"run_context": function_run_context(ctx)} if node.takes_run_context else _NONE
    function = node.function
    if node.is_async:
        result = await function(*args, **options)
    elif node.is_async_generator or node.is_generator:
        result = await _drain(runner, function(*args, **options))  # agno: it streams
    else:
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(
            ctx.executor(), functools.partial(function, *args, **options)
        )
    if isinstance(result, StepOutput):
        # The step's name is the spec's, whatever the function put there.
        output = result.model_copy(
            update={"step_name": node.name, "step_type": "Step", "executor_type": "function"}
        )
        if ctx.recorder is not None and type(result.content) not in _PLAIN:
            _check_recordable(output, node)
        return output
    # agno makes any other value the step's content as text.
    return StepOutput.trusted(
        step_name=node.name,
        step_type="Step",
        executor_type="function",
        executor_name=node.import_path,
        content=str(result),
    )


def _emit_custom(runner: Runner, event: CustomEvent) -> None:
    """A function's own event, shaped as agno's: no step fields, and the run's id as
    `workflow_run_id` (agno's CustomEvent has an empty `run_id`)."""
    ctx = runner.ctx
    ctx.emit(
        "CustomEvent",
        **{"step_index": None, **event.fields(), "run_id": "", "workflow_run_id": ctx.run_id},
    )


async def _drain(runner: Runner, items: Any) -> Any:
    """A streaming function step (a generator): its text pieces joined, unless it
    yields a StepOutput, which ends it; events it yields are passed on."""
    content = ""
    is_async = inspect.isasyncgen(items)
    loop = asyncio.get_running_loop()
    sentinel = object()
    try:
        while True:
            if is_async:
                item = await anext(items, sentinel)
            else:
                item = await loop.run_in_executor(runner.ctx.executor(), next, items, sentinel)
            if item is sentinel:
                break
            if isinstance(item, StepOutput):
                return item
            if isinstance(item, CustomEvent):
                _emit_custom(runner, item)
                continue
            content += str(item)
    finally:
        if is_async:
            await items.aclose()
        else:
            items.close()
    return content


# Contents that are JSON as they are: no need to try serializing them first.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _check_recordable(output: StepOutput, node: FunctionNode) -> None:
    """A recorded step's output must be JSON: fail this step, located, not the commit."""
    try:
        output.model_dump(mode="json")
    except (ValueError, TypeError) as exc:  # PydanticSerializationError is a ValueError
        kind = type(output.content).__name__
        raise StepOutputError(
            f"function {node.import_path} returned a {kind}, which cannot be recorded "
            f"({str(exc).splitlines()[0]}); return text, numbers, lists, dicts "
            "or a pydantic model"
        ) from None
