"""What a leaf step (agent, team, function) does when it runs; the scheduler applies
the policy around it. Blocks are in `blocks.py`, nested workflows in `workflow.py`."""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any

from ...schemas.outputs import StepOutput
from ..agents.agent import run_agent
from ..context import Scope
from ..errors import StepOutputError
from ..functions import StepInput
from ..plan import AgentNode, FunctionNode, TeamNode
from ..providers.base import message_text

if TYPE_CHECKING:
    from .scheduler import Runner


def step_input_value(runner: Runner, node: Any, scope: Scope) -> Any:
    """A leaf step's input: its template, else the previous output, else the run input."""
    if node.input is not None:
        return node.input.evaluate(runner.ctx.template_context(scope))
    if node.policy.input_required is not None and "human_input" in scope.locals:
        return scope.locals["human_input"]  # what the human gave is the step's input
    if scope.previous is not None:
        return scope.previous.content
    return runner.ctx.input


async def run_agent_step(runner: Runner, node: AgentNode, scope: Scope) -> StepOutput:
    message = step_input_value(runner, node, scope)
    result = await run_agent(
        node.agent, message, runner.ctx, scope, step_name=node.name, key=scope.prefix + node.name
    )
    return StepOutput.trusted(
        step_name=node.name,
        step_type="agent",
        executor_name=node.agent.name,
        content=result.content,
        metrics=result.metrics,
        executor_run=result,
    )


async def run_team_step(runner: Runner, node: TeamNode, scope: Scope) -> StepOutput:
    from ..agents.team import run_team

    message = step_input_value(runner, node, scope)
    result = await run_team(node.team, message, runner.ctx, scope, step_name=node.name)
    return StepOutput.trusted(
        step_name=node.name,
        step_type="team",
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


async def run_function_step(runner: Runner, node: FunctionNode, scope: Scope) -> StepOutput:
    ctx = runner.ctx
    given = node.input.evaluate(ctx.template_context(scope)) if node.input is not None else None
    step_input = StepInput(
        input=given if node.input is not None else ctx.input,
        previous_step_content=scope.previous.content if scope.previous is not None else None,
        # A read-only view, not a copy: copying made every step O(steps so far).
        previous_step_outputs=ctx.step_outputs_view,
        session_state=ctx.state,
        additional_data={"user_input": scope.locals["human_input"]}
        if "human_input" in scope.locals
        else {},
    )
    args = (step_input,) if node.takes_input else ()
    if node.is_async:
        result = await node.function(*args)
    else:
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(ctx.executor(), functools.partial(node.function, *args))
    if isinstance(result, StepOutput):
        # The step's name is the spec's, whatever the function put there.
        output = result.model_copy(
            update={"step_name": node.name, "step_type": result.step_type or "function"}
        )
    else:
        output = StepOutput.trusted(
            step_name=node.name,
            step_type="function",
            executor_name=node.import_path,
            content=result,
        )
    if ctx.recorder is not None and type(result) not in _PLAIN:
        _check_recordable(output, node)
    return output


# Results that are JSON as they are: no need to try serializing them first.
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
