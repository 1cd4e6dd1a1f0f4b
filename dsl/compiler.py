"""Compiling a checked spec into plans the interpreter runs.

All the expensive work happens here, once: templates compiled, functions
imported, references resolved to plan objects, dependencies turned into
index tuples. The interpreter only moves values.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from .compile_runners import RunnerCompiler, first
from .errors import Problem, SpecError
from .interpreter.errors import ConfigurationError
from .interpreter.expressions import Evaluable
from .interpreter.functions import call_style, resolve_callable, takes_run_context
from .interpreter.plan import (
    AgentNode,
    AgentPlan,
    ConditionNode,
    ForeachNode,
    FunctionNode,
    LoopNode,
    Node,
    ParallelNode,
    Plan,
    Policy,
    PythonCheck,
    RouterNode,
    StepsNode,
    TeamNode,
    TeamPlan,
    WorkflowNode,
    WorkflowPlan,
)
from .loader import Document
from .outline import OutlineStep
from .schemas.steps import (
    LEAF_KINDS,
    ConditionBlock,
    ForeachBlock,
    LoopBlock,
    PythonEvaluator,
    RouterBlock,
    StepsBlock,
)
from .source import YamlPath


class Compiler:
    """Builds (and caches) the plans of one document."""

    def __init__(self, document: Document, models: dict[str, Any] | None = None) -> None:
        self.document = document
        self.spec = document.spec
        self.models = models if models is not None else dict(self.spec.models)
        self._workflows: dict[str, WorkflowPlan] = {}
        self.runners = RunnerCompiler(document, self.models)
        self._settled: set[tuple[str, str]] = set()

    def where(self, path: YamlPath) -> str:
        return str(self.document.locate(path))

    def fail(self, message: str, path: YamlPath, hint: str | None = None) -> SpecError:
        return SpecError([Problem(message, self.document.locate(path), hint)])

    # --- agents and teams (compile_runners.py) --------------------------------------

    def agent(self, name: str) -> AgentPlan:
        plan = self.runners.agent(name)
        self._settle(("agent", name))
        return plan

    def team(self, name: str) -> TeamPlan:
        plan = self.runners.team(name)
        self._settle(("team", name))
        return plan

    def _settle(self, key: tuple[str, str]) -> None:
        if key not in self._settled:  # once per plan, not per run
            self._settled.add(key)
            settle_long_lived()

    # --- workflows -----------------------------------------------------------------

    def workflow(self, name: str) -> WorkflowPlan:
        if name not in self._workflows:
            self._workflows[name] = self._workflow(name)
            self._settle(("workflow", name))
        return self._workflows[name]

    def _workflow(self, name: str) -> WorkflowPlan:
        workflow = self.spec.workflows[name]
        outline = self.document.outlines[name]
        nodes = [self._node(step) for step in outline.steps]
        if outline.is_graph:
            index = {step.name: i for i, step in enumerate(outline.steps)}
            needs = [
                sorted(index[dep] for dep in outline.dependencies.get(step.name, ()))
                for step in outline.steps
            ]
            body = Plan.graph(nodes, needs)
        else:
            body = Plan.chain(nodes)
        path: YamlPath = ("workflows", name)
        output = None
        if workflow.output is not None:
            output = self.document.compiler.compile_value(
                workflow.output, self.where((*path, "output"))
            )
        return WorkflowPlan(
            name=name,
            body=body,
            output=output,
            input_schema=workflow.input_schema,
            input_schema_where=self.where((*path, "input_schema")),
            max_concurrency=workflow.max_concurrency or self.spec.defaults.max_concurrency,
            session_state=workflow.session_state,
        )

    def _policy(self, step: OutlineStep) -> Policy:
        options = step.options
        defaults = self.spec.defaults
        stop_if = None
        if options.stop_if is not None:
            stop_if = self._expression(options.stop_if, (*step.options_path, "stop_if"))
        on_error = first(options.on_error, defaults.on_error, "skip")
        return Policy(
            # agno's Step retries (max_retries=3); its blocks do not.
            retries=first(options.retries, defaults.retries, 3 if step.kind in LEAF_KINDS else 0),
            retry_delay=first(options.retry_delay, defaults.retry_delay, 0.0),
            timeout=first(options.timeout, defaults.timeout, None),
            on_error="skip" if on_error == "continue" else on_error,
            skip_on_failure=bool(options.skip_on_failure),
            stop_if=stop_if,
            confirm=options.confirm,
            input_required=options.input_required,
        )

    def _expression(self, source: str, path: YamlPath) -> Evaluable:
        return self.document.compiler.compile(source, self.where(path), expression=True)

    def _decision(self, source: str | PythonEvaluator, path: YamlPath) -> Evaluable | PythonCheck:
        """An expression, or a Python evaluator imported now."""
        if isinstance(source, str):
            return self._expression(source, path)
        function = self._import(source.function, (*path, "function"))
        is_async, _ = call_style(function)
        return PythonCheck(
            function=function,
            import_path=source.function,
            is_async=is_async,
            takes_run_context=takes_run_context(function),
        )

    def _import(self, import_path: str, path: YamlPath) -> Any:
        try:
            return resolve_callable(import_path, self.base_dir)
        except ConfigurationError as exc:
            raise self.fail(str(exc), path) from None

    def _input(self, step: OutlineStep) -> Evaluable | None:
        value = getattr(step.step, "input", None)
        if value is None:
            return None
        return self.document.compiler.compile_value(value, self.where((*step.path, "input")))

    def _chain(self, steps: list[OutlineStep]) -> Plan:
        return Plan.chain([self._node(step) for step in steps])

    def _node(self, step: OutlineStep) -> Node:
        common: dict[str, Any] = {
            "name": step.name,
            "where": self.where(step.path),
            "policy": self._policy(step),
        }
        kind = step.kind
        if kind == "agent":
            return AgentNode(agent=self.agent(step.step.agent), input=self._input(step), **common)
        if kind == "function":
            return self._function_node(step, common)
        if kind == "workflow":
            target = step.step.workflow
            return WorkflowNode(
                workflow=lambda: self.workflow(target), input=self._input(step), **common
            )
        if kind == "team":
            return TeamNode(team=self.team(step.step.team), input=self._input(step), **common)
        block = step.block
        opts_path = step.options_path
        if kind == "parallel":
            return ParallelNode(
                branches=tuple(self._chain(b.steps) for b in step.branches), **common
            )
        if isinstance(block, StepsBlock):
            return StepsNode(body=self._chain(step.branches[0].steps), **common)
        if isinstance(block, ConditionBlock):
            branches = {b.label: self._chain(b.steps) for b in step.branches}
            return ConditionNode(
                condition=self._decision(block.if_, (*opts_path, "if")),
                then=branches["then"],
                otherwise=branches.get("else"),
                **common,
            )
        if isinstance(block, LoopBlock):
            until = self._decision(block.until, (*opts_path, "until")) if block.until else None
            return LoopNode(
                body=self._chain(step.branches[0].steps),
                until=until,
                max_iterations=block.max_iterations,
                forward_iteration_output=block.forward_iteration_output,
                **common,
            )
        if isinstance(block, RouterBlock):
            return RouterNode(
                select=self._decision(block.select, (*opts_path, "select")),
                routes={b.label: self._chain(b.steps) for b in step.branches},
                **common,
            )
        if isinstance(block, ForeachBlock):
            return ForeachNode(
                items=self._expression(block.items, (*opts_path, "items")),
                as_name=block.as_,
                max_concurrency=block.max_concurrency,
                step=self._node(step.branches[0].steps[0]),
                **common,
            )
        raise AssertionError(f"unknown step kind {kind}")

    def _function_node(self, step: OutlineStep, common: dict[str, Any]) -> FunctionNode:
        import_path = step.step.function
        function = self._import(import_path, (*step.path, "function"))
        is_async, arity = call_style(function)
        return FunctionNode(
            function=function,
            import_path=import_path,
            input=self._input(step),
            is_async=is_async,
            takes_input=arity > 0,
            takes_run_context=takes_run_context(function),
            is_generator=inspect.isgeneratorfunction(function),
            is_async_generator=inspect.isasyncgenfunction(function),
            **common,
        )

    @property
    def base_dir(self) -> Path:
        return self.document.base_dir


def settle_long_lived() -> None:
    """Move what loading and compiling left alive out of the garbage collector's way.

    A spec's schemas, templates and plans live as long as the process. Left in
    the collector's generations, every full collection during a run scans them
    all; with many concurrent runs that stall showed up as tail latency
    (benchmarks/README.md, W5). Young garbage is collected first, so what is
    frozen is what is still in use; called once per compiled plan.
    """
    import gc

    gc.collect(1)
    gc.freeze()
