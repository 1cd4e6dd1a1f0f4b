"""The control-flow blocks: parallel, condition, loop, router, foreach (agno semantics).

A block's output is the output of the last step that ran inside it, except
parallel (a mapping branch → output, in declaration order) and foreach (a
list, in item order), whatever order things finish in.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ...schemas.outputs import StepOutput
from ..context import Scope
from ..errors import StepFailed
from ..expressions import ExpressionError
from ..plan import ConditionNode, ForeachNode, LoopNode, ParallelNode, Plan, RouterNode

if TYPE_CHECKING:
    from .scheduler import Runner


def _block_output(node: Any, content: Any, steps: list[StepOutput]) -> StepOutput:
    return StepOutput.trusted(
        step_name=node.name, step_type=node.kind, content=content, steps=steps
    )


def _first_failure(group: BaseExceptionGroup[Any]) -> BaseException:
    """The failure to report from a group: a step failure if there is one."""
    leaves: list[BaseException] = []

    def collect(error: BaseException) -> None:
        if isinstance(error, BaseExceptionGroup):
            for inner in error.exceptions:
                collect(inner)
        else:
            leaves.append(error)

    collect(group)
    for leaf in leaves:
        if isinstance(leaf, StepFailed):
            return leaf
    return leaves[0]


async def _gather_all(coroutines: list[Any]) -> list[Any]:
    """Run coroutines together; the first failure cancels the rest and is raised."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except BaseExceptionGroup as group_error:
        raise _first_failure(group_error) from None
    return [task.result() for task in tasks]


async def run_parallel(runner: Runner, node: ParallelNode, scope: Scope) -> StepOutput:
    ctx = runner.ctx
    ctx.emit(
        "ParallelExecutionStarted", step_name=node.name, parallel_step_count=len(node.branches)
    )
    # A branch of one step runs as that step, without a chain around it (a
    # coroutine less per branch, measurable in wide fan-outs); its result is
    # then what the chain would have returned: nothing if it failed or was skipped.
    results = await _gather_all(
        [
            runner.run_node(branch.nodes[0], scope)
            if branch.is_chain and len(branch.nodes) == 1
            else runner.run_plan(branch, scope)
            for branch in node.branches
        ]
    )
    results = [None if r is not None and (not r.success or r.skipped) else r for r in results]
    outputs = [r for r in results if r is not None]
    content = {
        branch.nodes[-1].name: (result.content if result is not None else None)
        for branch, result in zip(node.branches, results, strict=True)
    }
    ctx.emit(
        "ParallelExecutionCompleted", step_name=node.name, parallel_step_count=len(node.branches)
    )
    return _block_output(node, content, outputs)


async def run_condition(runner: Runner, node: ConditionNode, scope: Scope) -> StepOutput:
    ctx = runner.ctx
    result = bool(node.condition.evaluate(ctx.template_context(scope)))
    ctx.emit("ConditionExecutionStarted", step_name=node.name, condition_result=result)
    branch = node.then if result else node.otherwise
    if branch is None:
        skipped = len(node.then.nodes)
        output = _block_output(node, f"Condition {node.name} not met - skipped {skipped} steps", [])
    else:
        last = await runner.run_plan(branch, scope)
        output = _block_output(node, last.content if last else None, [last] if last else [])
    ctx.emit(
        "ConditionExecutionCompleted",
        step_name=node.name,
        condition_result=result,
        branch="then" if result else ("else" if branch is not None else None),
    )
    return output


async def run_loop(runner: Runner, node: LoopNode, scope: Scope) -> StepOutput:
    ctx = runner.ctx
    ctx.emit("LoopExecutionStarted", step_name=node.name, max_iterations=node.max_iterations)
    last: StepOutput | None = None
    results: list[StepOutput] = []
    iteration = 0
    while iteration < node.max_iterations and not ctx.stopped:
        iteration += 1
        loop_info = {"iteration": iteration, "max_iterations": node.max_iterations}
        ctx.emit(
            "LoopIterationStarted",
            step_name=node.name,
            iteration=iteration,
            max_iterations=node.max_iterations,
        )
        # agno: every iteration starts from the loop's own input.
        iteration_scope = scope.child(
            prefix=f"{scope.prefix}{node.name}[{iteration}].", loop=loop_info
        )
        last = await runner.run_plan(node.body, iteration_scope)
        if last is not None:
            results.append(last)
        done = False
        if node.until is not None:
            after = iteration_scope.after(last, last.step_name if last else None)
            done = bool(node.until.evaluate(ctx.template_context(after)))
        ctx.emit(
            "LoopIterationCompleted",
            step_name=node.name,
            iteration=iteration,
            max_iterations=node.max_iterations,
            should_continue=not done,
        )
        if done:
            break
    ctx.emit(
        "LoopExecutionCompleted",
        step_name=node.name,
        total_iterations=iteration,
        max_iterations=node.max_iterations,
    )
    return _block_output(node, last.content if last else None, results)


async def run_router(runner: Runner, node: RouterNode, scope: Scope) -> StepOutput:
    ctx = runner.ctx
    selected = node.select.evaluate(ctx.template_context(scope))
    names = [selected] if isinstance(selected, str) else selected
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ExpressionError(
            f"{node.where}: router '{node.name}': select must give a route "
            f"name or a list of names, got {type(selected).__name__}"
        )
    for name in names:
        if name not in node.routes:
            raise ExpressionError(
                f"{node.where}: router '{node.name}' selected unknown route "
                f"'{name}'; routes: {', '.join(node.routes)}"
            )
    ctx.emit("RouterExecutionStarted", step_name=node.name, selected_steps=names)
    last: StepOutput | None = None
    results: list[StepOutput] = []
    current = scope
    for name in names:
        if ctx.stopped:
            break
        last = await runner.run_plan(node.routes[name], current)
        if last is not None:
            results.append(last)
            current = scope.after(last, last.step_name)
    ctx.emit("RouterExecutionCompleted", step_name=node.name, selected_steps=names)
    return _block_output(node, last.content if last else None, results)


async def run_foreach(runner: Runner, node: ForeachNode, scope: Scope) -> StepOutput:
    ctx = runner.ctx
    items = node.items.evaluate(ctx.template_context(scope))
    if isinstance(items, tuple):
        items = list(items)
    if not isinstance(items, list):
        raise ExpressionError(
            f"{node.where}: foreach '{node.name}': items must be a list, got {type(items).__name__}"
        )
    ctx.emit("ForeachExecutionStarted", step_name=node.name, item_count=len(items))
    limit = asyncio.Semaphore(node.max_concurrency) if node.max_concurrency else None
    inner = Plan.chain([node.step])

    async def one(index: int, item: Any) -> StepOutput | None:
        item_scope = scope.child(
            prefix=f"{scope.prefix}{node.name}[{index}].", **{node.as_name: item}
        )
        if limit is None:
            return await runner.run_plan(inner, item_scope)
        async with limit:
            return await runner.run_plan(inner, item_scope)

    results = await _gather_all([one(index, item) for index, item in enumerate(items)])
    content = [r.content if r is not None else None for r in results]
    ctx.emit("ForeachExecutionCompleted", step_name=node.name, item_count=len(items))
    return _block_output(node, content, [r for r in results if r is not None])
