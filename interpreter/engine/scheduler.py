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
from ..context import STEP_INDEX, RunContext, Scope
from ..durability import Pending, RunPaused
from ..errors import StepFailed, error_text
from ..expressions import deadline_after, step_deadline
from ..inputs import check_input
from ..plan import Node, Plan

# Node kinds whose start and end are reported as StepStarted/StepCompleted;
# blocks report their own agno events (ParallelExecutionStarted, …).
LEAF_KINDS = frozenset({"agent", "function", "workflow", "team"})

# agno's StepType of each kind of node, as step results show it.
STEP_TYPES = {
    "agent": "Step",
    "team": "Step",
    "function": "Step",
    "workflow": "Workflow",
    "parallel": "Parallel",
    "condition": "Condition",
    "loop": "Loop",
    "router": "Router",
    "steps": "Steps",
    "foreach": "Foreach",
}

# At the top of a workflow, agno skips these kinds of steps when they fail
# (its default on_error); a failing block of another kind fails the run.
_SKIPPABLE = frozenset({*LEAF_KINDS, "condition"})


def _fails_the_run(node: Node) -> bool:
    policy = node.policy
    return node.kind in LEAF_KINDS and policy.on_error == "fail" and not policy.skip_on_failure


class StepReportedFailure(Exception):  # noqa: N818 - agno's wording: a reported failure
    """A step whose own output says it failed (success: false)."""

    def __init__(self, output: StepOutput) -> None:
        super().__init__(output.error or f"Step {output.step_name} reported failure")


Executor = Callable[["Runner", Any, Scope], Awaitable[StepOutput]]


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
        nodes = plan.nodes
        index_of = scope.index_of
        outputs = ctx.top_outputs if scope.outputs is None else scope.outputs
        for position, node in enumerate(nodes):
            if ctx.stopped:
                break
            index = position if index_of is None else index_of(position)
            try:
                output = await self.run_node(node, scope, index)
                if not output.success and not scope.nested and _fails_the_run(node):
                    # agno: a step reporting a failure under on_error: fail ends the run
                    raise StepFailed(node.name, StepReportedFailure(output), node.where)
            except StepFailed as failure:
                if scope.nested:
                    raise
                if node.policy.on_error != "skip" or node.kind not in _SKIPPABLE:
                    self._fail_run(node, index, failure)
                    raise
                output = await self._skip_failed(node, scope, failure)
            if output.skipped:
                continue  # rejected by a human, or a condition without a branch: no result (agno)
            outputs[node.name] = output
            last = output
            if position < len(nodes) - 1:
                scope = scope.after(output, node.name)
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
            node = plan.nodes[index]
            try:
                try:
                    outputs[index] = await self.run_node(node, node_scope(index), index)
                except StepFailed as failure:
                    if node.policy.on_error != "skip" or node.kind not in _SKIPPABLE:
                        self._fail_run(node, index, failure)
                        raise
                    outputs[index] = await self._skip_failed(node, scope, failure)
                self.ctx.top_outputs[node.name] = outputs[index]  # type: ignore[assignment]
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

    async def run_node(self, node: Node, scope: Scope, index: Any = None) -> StepOutput:
        """Run one node under its policy; `index` is agno's step_index of it."""
        ctx = self.ctx
        policy = node.policy
        key = scope.prefix + node.name
        if ctx.recorder is not None:
            restored = ctx.recorder.restored_output(key)
            if restored is not None:
                return self._restore(node, scope, restored)
        if policy.confirm is not None or policy.input_required is not None:
            decision = await self._human_decision(node, key, index)
            if decision == "reject":
                # agno's default on_reject: skip, without a result or an event.
                output = StepOutput.trusted(step_name=node.name, skipped=True)
                ctx.record(output)
                return await self._commit(node, key, output)
            if policy.input_required is not None:
                scope = scope.child(human_input=decision)
        is_leaf = node.kind in LEAF_KINDS
        token = STEP_INDEX.set(index)
        try:
            if is_leaf and ctx.listeners:
                ctx.emit("StepStarted", step_name=node.name, step_type=node.kind, step_index=index)
            # Without a concurrency limit or timeout a step runs in this frame: one
            # coroutine less per step is measurable in wide fan-outs and long chains.
            if policy.timeout is None and (ctx.limit is None or not is_leaf):
                try:
                    output, attempts = await self.executors[node.kind](self, node, scope), 1
                except RunPaused:
                    raise
                except Exception as exc:
                    output, attempts = await self._attempts(node, scope, is_leaf, exc)
            else:
                output, attempts = await self._attempts(node, scope, is_leaf, None)
            output = self._finish(node, scope, output, attempts, index)
        finally:
            STEP_INDEX.reset(token)
        if ctx.recorder is None:
            self._apply_stop(node, output)
            return output
        return await self._commit(node, key, output)

    async def _attempts(
        self, node: Node, scope: Scope, is_leaf: bool, failed: Exception | None
    ) -> tuple[StepOutput, int]:
        """Execute with retries (agno: at once, max_retries more times), `failed` being the
        first attempt's error when it already ran; after the last failure the step reports
        it itself (skip_on_failure) or StepFailed is raised."""
        policy = node.policy
        execute = self.executors[node.kind]
        attempt = 0
        while True:
            if failed is None:
                try:
                    return await self._attempt(execute, node, scope, is_leaf), attempt + 1
                except RunPaused:
                    raise  # a step inside waits for a human: not a failure
                except Exception as exc:
                    failed = exc
            if attempt < policy.retries:
                if policy.retry_delay:
                    await asyncio.sleep(policy.retry_delay * (2**attempt))
                attempt += 1
                failed = None
                continue
            error: BaseException = failed
            if isinstance(failed, StepFailed):
                error = failed.error
            elif isinstance(failed, TimeoutError):
                error = TimeoutError(f"timed out after {policy.timeout:g}s")
            if policy.skip_on_failure:
                # agno's record of it has no name or type: it is built apart
                # from the step's own output (the harness compares that too).
                skipped = StepOutput.trusted(
                    content=f"Step {node.name} failed but skipped",
                    success=False,
                    error=error_text(error),
                )
                return skipped, -(attempt + 1)  # negative: no StepCompleted (agno)
            if isinstance(failed, StepFailed):
                raise failed
            raise StepFailed(node.name, error, node.where) from failed

    def _fail_run(self, node: Node, index: Any, failure: StepFailed) -> None:
        """A top-level step fails the run: agno keeps its error among the step results
        and reports StepError before WorkflowError."""
        message = error_text(failure.error)
        self.ctx.top_outputs[node.name] = StepOutput(
            step_name=node.name, content=message, success=False, error=message
        )
        self.ctx.emit("StepError", step_name=node.name, step_index=index, error=message)

    async def _skip_failed(self, node: Node, scope: Scope, failure: StepFailed) -> StepOutput:
        """agno's default on_error at the top of a workflow: the run goes on."""
        message = error_text(failure.error)
        output = StepOutput(
            step_name=node.name,
            step_type="Step",
            content=f"Step skipped due to error: {message}",
            success=False,
            error=message,
        )
        self.ctx.record(output)
        if self.ctx.recorder is not None:
            await self.ctx.recorder.step_done(scope.prefix + node.name, output)
        return output

    async def _commit(self, node: Node, key: str, output: StepOutput) -> StepOutput:
        """Commit a finished step, then apply early stop."""
        if self.ctx.recorder is not None:
            # Committed before anything that depends on this step can start.
            await self.ctx.recorder.step_done(key, output)
        self._apply_stop(node, output)
        return output

    def _finish(
        self, node: Node, scope: Scope, output: StepOutput, attempts: int, index: Any = None
    ) -> StepOutput:
        """Record a step's output, evaluate `stop_if` and report it as agno does."""
        ctx = self.ctx
        ctx.record(output, node.name)
        stop_if = node.policy.stop_if
        if stop_if is not None and not output.stop and not output.skipped:
            context = ctx.template_context(scope, output=output.content)
            output.stop = bool(stop_if.evaluate(context))
        if ctx.listeners and node.kind in LEAF_KINDS:
            top = not scope.nested
            if top and node.kind == "function":
                ctx.emit(
                    "StepOutput",
                    step_name=output.step_name,  # agno: the output's own (none when skipped)
                    step_index=index,
                    step_output=output.model_dump(mode="json", exclude={"executor_run"}),
                )
            # agno's workflow stops reading a step at an early stop, so a stopping
            # top-level step reports no completion; nor does a skip_on_failure one.
            if attempts > 0 and not (top and output.stop):
                ctx.emit(
                    "StepCompleted",
                    step_name=node.name,
                    step_type=node.kind,
                    step_index=index,
                    content=output.content,
                    content_type="str",  # agno's StepCompleted never says otherwise
                    attempts=attempts,
                    metrics=output.metrics.model_dump() if output.metrics else None,
                )
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

    async def _human_decision(self, node: Node, key: str, index: Any) -> Any:
        """The human's answer for this step: from resume, from a prompt, or pause."""
        ctx = self.ctx
        policy = node.policy
        if key in ctx.decisions and ctx.ask is None and ctx.decisions[key] != "reject":
            # Continued from a pause with the human's answer (agno's StepContinued).
            ctx.emit("StepContinued", step_name=node.name, step_index=index)
        if key not in ctx.decisions:
            pending = Pending(
                key=key,
                step_name=node.name,
                kind="confirm" if policy.confirm is not None else "input",
                question=policy.confirm,
                schema=dict(policy.input_required or {}) or None,
            )
            if ctx.ask is None:
                ctx.emit("StepPaused", step_name=node.name, step_index=index)
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
