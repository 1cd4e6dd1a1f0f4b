"""The control-flow blocks: parallel, condition, loop, router, steps, foreach (agno semantics).

A block's output is what agno's is: a summary text as content ("Loop review
completed 2 iterations with 4 total steps", a parallel block's "## Parallel
Execution Results" sections), every inner step's output in `steps`, `stop`
when an inner step stopped the run, and (parallel only) the branches'
tokens added up. Templates read blocks through `context.template_value`: a
parallel block's mapping branch → output, otherwise the last inner output.

The inner steps of a block count their agno `step_index` from the block's:
`(block, i)` under a top-level block, and deeper as agno does per kind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...schemas.outputs import Metrics, StepOutput
from ..context import STEP_INDEX, Scope
from ..errors import StepFailed, error_text
from ..expressions import Evaluable, ExpressionError
from ..plan import (
    ConditionNode,
    ForeachNode,
    LoopNode,
    ParallelNode,
    Plan,
    PythonCheck,
    RouterNode,
    StepsNode,
)
from .steps import function_run_context, step_input_for

if TYPE_CHECKING:
    from .scheduler import Runner


def _block_output(name: str, step_type: str, content: Any, steps: list[StepOutput]) -> StepOutput:
    return StepOutput.trusted(
        step_name=name,
        step_type=step_type,
        content=content,
        steps=steps,
        success=all(step.success for step in steps),
        stop=any(step.stop for step in steps),
    )


def _failed_inner(name: str, error: BaseException) -> StepOutput:
    """agno's record of an inner step that failed in a condition, router or parallel block."""
    inner = error.error if isinstance(error, StepFailed) else error
    message = error_text(inner)
    return StepOutput(
        step_name=name, content=f"Step {name} failed: {message}", success=False, error=message
    )


# --- how inner steps count their step_index (agno, per kind) -------------------------------


def _pair_or_same(index: Any) -> Callable[[int], Any]:
    """Parallel and condition: (block, i) under an int index, else the block's own."""
    if isinstance(index, tuple):
        return lambda _: index
    base = 0 if index is None else index
    return lambda i: (base, i)


def _pair_or_extend(index: Any) -> Callable[[int], Any]:
    """Loop and Steps: (block, i) under an int index, else the tuple extended by i."""
    if isinstance(index, tuple):
        return lambda i: (*index, i)
    base = 0 if index is None else index
    return lambda i: (base, i)


def _inner_scope(scope: Scope, index_of: Callable[[int], Any], runner: Runner) -> Scope:
    """A block's own chain: agno hands it the outputs so far, and adds the inner ones."""
    outputs = runner.ctx.top_outputs if scope.outputs is None else scope.outputs
    return scope.child(index_of=index_of, outputs=dict(outputs))


async def _collect(
    runner: Runner, plan: Plan, scope: Scope, on_error_skip: bool
) -> list[StepOutput]:
    """Run a block's chain and return every inner output, in order (agno's `steps`).

    With `on_error_skip` (condition, router) a failing inner step is recorded as
    agno records it and ends the chain; otherwise the failure goes up.
    """
    ctx = runner.ctx
    results: list[StepOutput] = []
    outputs = scope.outputs if scope.outputs is not None else {}
    index_of = scope.index_of
    for position, node in enumerate(plan.nodes):
        if ctx.stopped:
            break
        index = index_of(position) if index_of is not None else position
        try:
            output = await runner.run_node(node, scope, index)
        except StepFailed as failure:
            if not on_error_skip:
                raise
            results.append(_failed_inner(node.name, failure))
            break
        if output.skipped:
            continue
        results.append(output)
        outputs[node.name] = output
        if output.stop:
            break
        scope = scope.after(output, node.name)
    return results


async def _check(runner: Runner, check: Evaluable | PythonCheck, scope: Scope, arg: Any) -> Any:
    """Evaluate an expression, or call a Python evaluator with `arg` (as agno does)."""
    if not isinstance(check, PythonCheck):
        return check.evaluate(runner.ctx.template_context(scope))
    options = {"run_context": function_run_context(runner.ctx)} if check.takes_run_context else {}
    if check.is_async:
        return await check.function(arg, **options)
    return check.function(arg, **options)


def _evaluator_input(runner: Runner, scope: Scope) -> Any:
    """The StepInput agno evaluates a condition or selector with: raw previous content."""
    step_input = step_input_for(runner, None, scope)
    step_input.previous_step_content = scope.previous.content if scope.previous else None
    return step_input


# --- blocks ----------------------------------------------------------------------------------


async def _gather_all(coroutines: list[Any]) -> list[Any]:
    """Run coroutines together; the first failure cancels the rest and is raised."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except BaseExceptionGroup as group_error:
        leaves = list(_leaves(group_error))
        raise next((e for e in leaves if isinstance(e, StepFailed)), leaves[0]) from None
    return [task.result() for task in tasks]


def _leaves(error: BaseException) -> Any:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error


def parallel_content(outputs: list[StepOutput]) -> str:
    """agno's text of a parallel block: one section per branch, with its status."""
    if not outputs:
        return "No parallel steps executed"
    text = "## Parallel Execution Results\n\n"
    for i, output in enumerate(outputs):
        icon = "❌ FAILURE:" if output.success is False else "✅ SUCCESS:"
        text += f"### {icon} {output.step_name or f'Step {i + 1}'}\n"
        content = output.content
        text += (
            f"{content}\n\n"
            if content is not None and str(content).strip()
            else "*(No content)*\n\n"
        )
    return text.strip()


def _summed(outputs: list[StepOutput]) -> Metrics | None:
    total = Metrics()
    for output in outputs:
        total.add_tokens(output.metrics)
    return total if total.total_tokens or total.input_tokens or total.output_tokens else None


async def run_parallel(runner: Runner, node: ParallelNode, scope: Scope) -> StepOutput:
    index = STEP_INDEX.get()
    ctx = runner.ctx
    ctx.emit(
        "ParallelExecutionStarted",
        step_name=node.name,
        step_index=index,
        parallel_step_count=len(node.branches),
    )
    inner = _inner_scope(scope, _pair_or_same(index), runner)
    index_of = inner.index_of
    assert index_of is not None

    # Each branch is one step (several: a `steps:` block), run as that step: no
    # coroutine around it, which is measurable in wide fan-outs.
    steps = [plan.nodes[0] for plan in node.branches]
    runs: list[Any] = [runner.run_node(step, inner, index_of(i)) for i, step in enumerate(steps)]
    finished: list[int] = []  # agno's streaming path lists branches as they finished
    if ctx.streaming:
        runs = [asyncio.ensure_future(run) for run in runs]
        for position, task in enumerate(runs):
            task.add_done_callback(lambda _, position=position: finished.append(position))
    results: list[StepOutput] = []
    gathered = await asyncio.gather(*runs, return_exceptions=True)
    for step, result in zip(steps, gathered, strict=True):
        if isinstance(result, StepFailed):  # agno: the branch records it, the others go on
            result = _failed_inner(step.name, result)
        elif isinstance(result, BaseException):
            raise result
        results.append(result)
    order = finished if ctx.streaming else range(len(results))
    outputs = [r for r in (results[i] for i in order) if not r.skipped]
    output = StepOutput.trusted(
        step_name=node.name,
        step_type="Parallel",
        executor_type="parallel",
        executor_name=node.name,
        content=parallel_content(outputs),
        steps=outputs,
        success=all(r.success for r in outputs),
        stop=any(r.stop for r in outputs),
        metrics=_summed(outputs),
    )
    if not (output.stop and not scope.nested):
        # agno's workflow stops reading at an early stop, before this event.
        ctx.emit(
            "ParallelExecutionCompleted",
            step_name=node.name,
            step_index=index,
            parallel_step_count=len(node.branches),
        )
    return output


async def run_condition(runner: Runner, node: ConditionNode, scope: Scope) -> StepOutput:
    index = STEP_INDEX.get()
    ctx = runner.ctx
    result = bool(await _check(runner, node.condition, scope, _evaluator_input(runner, scope)))
    ctx.emit(
        "ConditionExecutionStarted", step_name=node.name, step_index=index, condition_result=result
    )
    branch = node.then if result else node.otherwise
    label = None if branch is None else ("if" if result else "else")
    results: list[StepOutput] = []
    if branch is not None:
        inner = _inner_scope(scope, _pair_or_same(index), runner)
        results = await _collect(runner, branch, inner, on_error_skip=True)
    ctx.emit(
        "ConditionExecutionCompleted",
        step_name=node.name,
        step_index=index,
        condition_result=result,
        branch=label,
    )
    if branch is None:
        # agno: no result on its streaming path; a "not met" result otherwise.
        return StepOutput.trusted(
            step_name=node.name,
            step_type="Condition",
            content=f"Condition {node.name} not met - skipped {len(node.then.nodes)} steps",
            steps=[],
            skipped=ctx.streaming,
        )
    return _block_output(
        node.name,
        "Condition",
        f"Condition {node.name} completed with {len(results)} results ({label} branch)",
        results,
    )


async def run_loop(runner: Runner, node: LoopNode, scope: Scope) -> StepOutput:
    index = STEP_INDEX.get()
    ctx = runner.ctx
    limit = node.max_iterations
    ctx.emit("LoopExecutionStarted", step_name=node.name, step_index=index, max_iterations=limit)
    index_of = _pair_or_extend(index)
    results: list[StepOutput] = []
    start = _inner_scope(scope, index_of, runner)
    iteration = 0
    while iteration < limit:
        iteration += 1
        ctx.emit(
            "LoopIterationStarted",
            step_name=node.name,
            step_index=index,
            iteration=iteration,
            max_iterations=limit,
        )
        loop_info = {"iteration": iteration, "max_iterations": limit}
        # agno: every iteration starts from the loop's own input, unless
        # forward_iteration_output hands it the previous iteration's.
        iteration_scope = start.child(
            prefix=f"{scope.prefix}{node.name}[{iteration}].",
            outputs=dict(start.outputs or {}),
            loop=loop_info,
        )
        iteration_results = await _collect(runner, node.body, iteration_scope, on_error_skip=False)
        results.extend(iteration_results)
        done = False
        if node.until is not None:
            last = iteration_results[-1] if iteration_results else None
            after = iteration_scope.after(last, last.step_name if last else None)
            done = bool(await _check(runner, node.until, after, iteration_results))
        stopped = any(r.stop for r in iteration_results)
        ctx.emit(
            "LoopIterationCompleted",
            step_name=node.name,
            step_index=index,
            iteration=iteration,
            max_iterations=limit,
            should_continue=not (done or stopped),
        )
        if done or stopped:
            break
        if node.forward_iteration_output and iteration_results:
            last = iteration_results[-1]
            start = iteration_scope.after(last, last.step_name)
            start.prefix = scope.prefix
    ctx.emit(
        "LoopExecutionCompleted",
        step_name=node.name,
        step_index=index,
        total_iterations=iteration,
        max_iterations=limit,
    )
    return _block_output(
        node.name,
        "Loop",
        f"Loop {node.name} completed {iteration} iterations with {len(results)} total steps",
        results,
    )


async def run_router(runner: Runner, node: RouterNode, scope: Scope) -> StepOutput:
    index = STEP_INDEX.get()
    ctx = runner.ctx
    selected = await _check(runner, node.select, scope, _evaluator_input(runner, scope))
    names = [selected] if isinstance(selected, str) else selected
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
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
    # A route of one step is that step (agno's choice); several run as a sequence.
    shown = [_route_label(name, node.routes[name]) for name in names]
    ctx.emit("RouterExecutionStarted", step_name=node.name, step_index=index, selected_steps=shown)
    inner = _inner_scope(scope, lambda _: index, runner)
    results: list[StepOutput] = []
    for name in names:
        if ctx.stopped:
            break
        route = node.routes[name]
        if len(route.nodes) == 1:
            route_results = await _collect(runner, route, inner, on_error_skip=True)
        else:
            route_results = [await _sequence(runner, name, route, inner, index)]
        results.extend(route_results)
        if route_results:
            last = route_results[-1]
            if not last.success or last.stop:
                break
            inner = inner.after(last, last.step_name)
    ctx.emit(
        "RouterExecutionCompleted", step_name=node.name, step_index=index, selected_steps=shown
    )
    return _block_output(
        node.name, "Router", f"Router {node.name} completed with {len(results)} results", results
    )


def _route_label(name: str, route: Plan) -> str:
    return route.nodes[0].name if len(route.nodes) == 1 else name


async def _sequence(runner: Runner, name: str, plan: Plan, scope: Scope, index: Any) -> StepOutput:
    """A named sequence of steps run as one (agno's Steps)."""
    ctx = runner.ctx
    count = len(plan.nodes)
    ctx.emit("StepsExecutionStarted", step_name=name, step_index=index, steps_count=count)
    inner = _inner_scope(scope, _pair_or_extend(index), runner)
    try:
        results = await _collect(runner, plan, inner, on_error_skip=False)
    except StepFailed as failure:
        message = error_text(failure.error)
        return StepOutput(
            step_name=name,
            content=f"Steps execution failed: {message}",
            success=False,
            error=message,
        )
    ctx.emit(
        "StepsExecutionCompleted",
        step_name=name,
        step_index=index,
        steps_count=count,
        executed_steps=len(results),
    )
    return _block_output(
        name, "Steps", f"Steps {name} completed with {len(results)} results", results
    )


async def run_steps(runner: Runner, node: StepsNode, scope: Scope) -> StepOutput:
    index = STEP_INDEX.get()
    return await _sequence(runner, node.name, node.body, scope, index)


async def run_foreach(runner: Runner, node: ForeachNode, scope: Scope) -> StepOutput:
    index = STEP_INDEX.get()
    ctx = runner.ctx
    items = node.items.evaluate(ctx.template_context(scope))
    if isinstance(items, tuple):
        items = list(items)
    if not isinstance(items, list):
        raise ExpressionError(
            f"{node.where}: foreach '{node.name}': items must be a list, got {type(items).__name__}"
        )
    ctx.emit(
        "ForeachExecutionStarted", step_name=node.name, step_index=index, item_count=len(items)
    )
    limit = asyncio.Semaphore(node.max_concurrency) if node.max_concurrency else None
    inner = Plan.chain([node.step])
    base = _inner_scope(scope, _pair_or_same(index), runner)

    async def one(position: int, item: Any) -> StepOutput | None:
        item_scope = base.child(
            prefix=f"{scope.prefix}{node.name}[{position}].", **{node.as_name: item}
        )
        if limit is None:
            return await runner.run_plan(inner, item_scope)
        async with limit:
            return await runner.run_plan(inner, item_scope)

    results = await _gather_all([one(position, item) for position, item in enumerate(items)])
    content = [r.content if r is not None else None for r in results]
    ctx.emit(
        "ForeachExecutionCompleted", step_name=node.name, step_index=index, item_count=len(items)
    )
    done = [r for r in results if r is not None]
    return StepOutput.trusted(
        step_name=node.name,
        step_type="Foreach",
        content=content,
        steps=done,
        success=all(r.success for r in done),
        stop=any(r.stop for r in done),
    )
