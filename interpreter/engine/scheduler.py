"""Running plans: a chain step by step, a graph as a ready set.

A graph node starts the moment the last of its dependencies finishes (each
finishing node starts its ready dependents itself, so there is no central
polling loop and the cost per node is constant). Every step goes through
`run_node`, which applies its policy: timeout, retries with exponential
backoff, `on_error`, `stop_if`, and the StepStarted/Completed/Error events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from ...schemas.outputs import StepOutput
from ..context import RunContext, Scope
from ..durability import Pending, RunPaused
from ..errors import StepFailed, describe
from ..expressions import deadline_after, step_deadline
from ..inputs import check_input
from ..plan import Node, Plan

# Node kinds whose start and end are reported as StepStarted/StepCompleted;
# blocks report their own agno events (ParallelExecutionStarted, …).
LEAF_KINDS = frozenset({"agent", "function", "workflow", "team"})


Executor = Callable[["Runner", Any, Scope], Awaitable[StepOutput]]


_SPLITS: dict[int, tuple[Mapping[str, Executor], dict[str, tuple[Any, Any]]]] = {}


def _split_executors(executors: Mapping[str, Executor]) -> dict[str, tuple[Any, Any]]:
    """Kind → (start, finish) of the executors that can be split; once per registry.

    The registry is kept alongside, so its id cannot be reused while cached.
    """
    cached = _SPLITS.get(id(executors))
    if cached is None:
        split = {
            kind: (execute.start, execute.finish)  # type: ignore[attr-defined]
            for kind, execute in executors.items()
            if hasattr(execute, "start")
        }
        cached = _SPLITS[id(executors)] = (executors, split)
    return cached[1]


class Runner:
    """Executes the nodes of one run.

    It receives the executors (node kind → what running such a node does)
    rather than importing them: the executors of blocks and nested workflows
    call back into the runner, so the registry is assembled above both
    (`workflow.EXECUTORS`).
    """

    def __init__(self, ctx: RunContext, executors: Mapping[str, Executor]) -> None:
        self.ctx = ctx
        self.executors = executors
        # Executors that can be split into "start" (returns an awaitable) and
        # "finish" (makes the StepOutput): run_node then awaits the step's own
        # awaitable, without a coroutine of the executor's around it.
        self.split = _split_executors(executors)

    # --- plans ---------------------------------------------------------------------

    def run_plan(self, plan: Plan, scope: Scope) -> Coroutine[Any, Any, StepOutput | None]:
        """Run every node of a plan; return the output of the last (or only sink).

        Hands back the chain's or graph's own coroutine rather than awaiting it,
        which saves a coroutine frame per branch of every parallel block.
        """
        if plan.is_chain:
            return self._run_chain(plan, scope)
        return self._run_graph(plan, scope)

    async def _run_chain(self, plan: Plan, scope: Scope) -> StepOutput | None:
        last: StepOutput | None = None
        ctx = self.ctx
        for node in plan.nodes:
            if ctx.stopped:
                break
            output = await self.run_node(node, scope)
            if output.success and not output.skipped:
                if node is not plan.nodes[-1]:
                    scope = scope.after(output, node.name)
                last = output
        return last

    async def _run_graph(self, plan: Plan, scope: Scope) -> StepOutput | None:
        outputs: list[StepOutput | None] = [None] * len(plan.nodes)
        waiting = [len(deps) for deps in plan.needs]
        remaining = len(plan.nodes)
        done = asyncio.get_running_loop().create_future()
        tasks: set[asyncio.Task[None]] = set()

        def node_scope(index: int) -> Scope:
            deps = plan.needs[index]
            if not deps:
                return scope
            if len(deps) == 1:
                return scope.after(outputs[deps[0]], plan.nodes[deps[0]].name)
            # Several dependencies: previous.output maps each to its output.
            merged = StepOutput.trusted(
                content={plan.nodes[d].name: getattr(outputs[d], "content", None) for d in deps}
            )
            return scope.after(merged, None)

        async def run(index: int) -> None:
            nonlocal remaining
            try:
                outputs[index] = await self.run_node(plan.nodes[index], node_scope(index))
            except BaseException as exc:
                if not done.done():
                    done.set_exception(exc)
                return
            remaining -= 1
            if remaining == 0 or self.ctx.stopped:
                if not done.done():
                    done.set_result(None)
                return
            for dependent in plan.dependents[index]:
                waiting[dependent] -= 1
                if waiting[dependent] == 0:
                    start(dependent)

        def start(index: int) -> None:
            task = asyncio.create_task(run(index))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        for index, count in enumerate(waiting):
            if count == 0:
                start(index)
        try:
            await done
            if self.ctx.stopped and tasks:
                # Early stop: what is running finishes, nothing new starts.
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for task in list(tasks):
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
        sinks = [outputs[i] for i in plan.sinks if outputs[i] is not None]
        if len(sinks) == 1:
            return sinks[0]
        if not sinks:
            return None
        return StepOutput.trusted(
            content={
                plan.nodes[i].name: outputs[i].content  # type: ignore[union-attr]
                for i in plan.sinks
                if outputs[i] is not None
            }
        )

    # --- one node ------------------------------------------------------------------

    async def run_node(self, node: Node, scope: Scope) -> StepOutput:
        ctx = self.ctx
        policy = node.policy
        key = scope.prefix + node.name
        if ctx.recorder is not None:
            restored = ctx.recorder.restored_output(key)
            if restored is not None:
                return self._restore(node, scope, restored)
        if policy.confirm is not None or policy.input_required is not None:
            decision = await self._human_decision(node, key)
            if decision == "reject":
                output = StepOutput.trusted(step_name=node.name, step_type=node.kind, skipped=True)
                return await self._commit(node, key, self._finish(node, scope, output, 0))
            if policy.input_required is not None:
                scope = scope.child(human_input=decision)
        is_leaf = node.kind in LEAF_KINDS
        if is_leaf and ctx.listeners:
            ctx.emit("StepStarted", step_name=node.name, step_type=node.kind)
        execute = self.executors[node.kind]
        # Without a concurrency limit or timeout a step runs in this frame: one
        # coroutine less per step is measurable in wide fan-outs.
        direct = policy.timeout is None and (ctx.limit is None or not is_leaf)
        split = self.split.get(node.kind) if direct else None
        attempt = 0
        while True:
            try:
                if split is not None:
                    output = split[1](self, node, await split[0](self, node, scope))
                elif direct:
                    output = await execute(self, node, scope)
                else:
                    output = await self._attempt(execute, node, scope, is_leaf)
                break
            except RunPaused:
                raise  # a step inside waits for a human: not a failure
            except StepFailed as failure:
                # An inner step failed: retry this block if it allows, else pass it on.
                if attempt < policy.retries:
                    await asyncio.sleep(policy.retry_delay * (2**attempt))
                    attempt += 1
                    continue
                if policy.on_error == "continue":
                    return await self._failed(node, key, failure)
                raise
            except Exception as exc:
                if attempt < policy.retries:
                    await asyncio.sleep(policy.retry_delay * (2**attempt))
                    attempt += 1
                    continue
                if isinstance(exc, TimeoutError):
                    exc = TimeoutError(f"timed out after {policy.timeout:g}s")
                if policy.on_error == "continue":
                    return await self._failed(node, key, exc)
                ctx.emit("StepError", step_name=node.name, step_type=node.kind, error=describe(exc))
                raise StepFailed(node.name, exc, node.where) from exc
        output = self._finish(node, scope, output, attempt + 1)
        if ctx.recorder is None:
            self._apply_stop(node, output)
            return output
        return await self._commit(node, key, output)

    async def _commit(self, node: Node, key: str, output: StepOutput) -> StepOutput:
        """Commit a finished step, then apply early stop."""
        if self.ctx.recorder is not None:
            # Committed before anything that depends on this step can start.
            await self.ctx.recorder.step_done(key, output)
        self._apply_stop(node, output)
        return output

    def _finish(self, node: Node, scope: Scope, output: StepOutput, attempts: int) -> StepOutput:
        """Record a step's output, report it and evaluate `stop_if`."""
        ctx = self.ctx
        ctx.record(output)
        if ctx.listeners and node.kind in LEAF_KINDS:
            ctx.emit(
                "StepCompleted",
                step_name=node.name,
                step_type=node.kind,
                content=output.content,
                attempts=attempts,
                skipped=output.skipped or None,
                metrics=output.metrics.model_dump() if output.metrics else None,
            )
        stop_if = node.policy.stop_if
        if stop_if is not None and not output.stop and not output.skipped:
            context = ctx.template_context(scope, output=output.content)
            output.stop = bool(stop_if.evaluate(context))
        return output

    def _apply_stop(self, node: Node, output: StepOutput) -> None:
        if output.stop and not self.ctx.stopped:
            self.ctx.stopped = True
            self.ctx.stop_step = node.name

    def _restore(self, node: Node, scope: Scope, output: StepOutput) -> StepOutput:
        """A step that completed before the run was interrupted: reuse its output."""
        self.ctx.record(output)
        replay = getattr(self.executors[node.kind], "replay", None)
        if replay is not None and not output.skipped:
            replay(self, node, scope)
        self._apply_stop(node, output)
        return output

    async def _human_decision(self, node: Node, key: str) -> Any:
        """The human's answer for this step: from resume, from a prompt, or pause."""
        ctx = self.ctx
        policy = node.policy
        if key not in ctx.decisions:
            pending = Pending(
                key=key,
                step_name=node.name,
                kind="confirm" if policy.confirm is not None else "input",
                question=policy.confirm,
                schema=dict(policy.input_required or {}) or None,
            )
            if ctx.ask is None:
                raise RunPaused(pending)
            # Saved as paused while the human thinks: a kill now loses nothing.
            if ctx.recorder is not None:
                await ctx.recorder.save(status="paused", pending=pending.to_json())
            ctx.decisions[key] = await ctx.ask(pending)
            if ctx.recorder is not None:
                await ctx.recorder.save(
                    status="running", pending=None, decisions=dict(ctx.decisions)
                )
        decision = ctx.decisions[key]
        if policy.input_required is not None and decision != "reject":
            check_input(policy.input_required, decision, node.where, f"step '{node.name}'")
        return decision

    async def _attempt(self, execute: Any, node: Node, scope: Scope, is_leaf: bool) -> StepOutput:
        limit = self.ctx.limit if is_leaf else None
        timeout = node.policy.timeout
        if limit is not None:
            await limit.acquire()
        try:
            if timeout is None:
                return await execute(self, node, scope)  # type: ignore[no-any-return]
            # The deadline also reaches what asyncio cannot interrupt (templates, patterns).
            token = step_deadline.set(deadline_after(timeout))
            try:
                async with asyncio.timeout(timeout):
                    return await execute(self, node, scope)  # type: ignore[no-any-return]
            finally:
                step_deadline.reset(token)
        finally:
            if limit is not None:
                limit.release()

    async def _failed(self, node: Node, key: str, error: BaseException) -> StepOutput:
        """`on_error: continue`: record the failure and let the run go on."""
        message = describe(error)
        self.ctx.emit("StepError", step_name=node.name, step_type=node.kind, error=message)
        output = StepOutput(step_name=node.name, step_type=node.kind, success=False, error=message)
        self.ctx.record(output)
        if self.ctx.recorder is not None:
            await self.ctx.recorder.step_done(key, output)
        return output
