"""The checks of one workflow: step names, references, and the order steps read each other.

Every step name is unique, `needs:` only appears in `graph:` nodes, and every
template or expression reads only steps that have finished before it is
evaluated (in `graph:`, such reads also become dependencies). Part of the
checker (checker.py), split out for size.
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING, Any

from .outline import Outline, OutlineStep
from .schemas.base import unknown_name_message
from .schemas.steps import ConditionBlock, ForeachBlock, LoopBlock, RouterBlock
from .source import YamlPath
from .templates import template_strings

if TYPE_CHECKING:
    from .checker import Checker

WORKFLOW_NAMES = frozenset({"input", "steps", "previous", "state", "run"})


class WorkflowChecker:
    """The checks of one workflow: names, references, step order."""

    def __init__(self, parent: Checker, plan_outline: Outline) -> None:
        self.parent = parent
        self.outline = plan_outline
        self.spec = parent.spec
        self.all_names: set[str] = set()
        self.foreach_owner: dict[str, str] = {}  # inner step → its foreach
        self.top_of: dict[str, str] = {}  # graph: any step → its top-level node
        self.graph_edges: dict[str, set[str]] = {}

    def check(self) -> None:
        self._check_names()
        if self.outline.is_graph:
            self._check_graph()
        else:
            self._check_list(self.outline.steps, set(), WORKFLOW_NAMES)
        workflow = self.spec.workflows[self.outline.workflow_name]
        output_path = (*self.outline.path, "output")
        available = self.all_names - set(self.foreach_owner)
        for sub_path, text in template_strings(workflow.output):
            self._check_refs(
                text,
                (*output_path, *sub_path),
                available,
                WORKFLOW_NAMES,
                owner=None,
                expression=False,
            )
        self.parent.check_schema(workflow.input_schema, (*self.outline.path, "input_schema"))

    def _check_names(self) -> None:
        first_seen: dict[str, OutlineStep] = {}
        for top in self.outline.steps:
            for step in top.walk():
                self.top_of[step.name] = top.name
                if step.kind == "foreach":
                    for inner in step.branches[0].steps[0].walk():
                        self.foreach_owner.setdefault(inner.name, step.name)
                options = step.options
                if step.name in first_seen and step.explicit_name:
                    earlier = self.parent.locate(first_seen[step.name].path)
                    self.parent.problem(
                        f"duplicate step name '{step.name}' (also at line {earlier.line})",
                        (*step.options_path, "name"),
                        hint="step names are unique within a workflow",
                    )
                first_seen.setdefault(step.name, step)
                self.all_names.add(step.name)
                self._check_leaf(step)
                if options.needs is not None and not (self.outline.is_graph and step is top):
                    self.parent.problem(
                        "needs: only applies to the nodes of a graph: workflow",
                        (*step.options_path, "needs"),
                        key=True,
                        hint="steps: run in order already",
                    )
                if (
                    self.outline.is_graph
                    and step is top
                    and options.name is not None
                    and options.name != step.name
                ):
                    self.parent.problem(
                        f"graph node '{step.name}' has name '{options.name}'; "
                        "the key is the node's name",
                        (*step.options_path, "name"),
                        key=True,
                        hint="remove name:",
                    )

    def _check_leaf(self, step: OutlineStep) -> None:
        sections = {
            "agent": self.spec.agents,
            "team": self.spec.teams,
            "workflow": self.spec.workflows,
        }
        if step.kind in sections:
            target = getattr(step.step, step.kind)
            self.parent.check_reference(
                step.kind, target, sections[step.kind], (*step.path, step.kind)
            )

    def _check_graph(self) -> None:
        import networkx as nx

        nodes = {step.name for step in self.outline.steps}
        for top in self.outline.steps:
            self.graph_edges.setdefault(top.name, set())
            for index, need in enumerate(top.options.needs or []):
                path = (*top.options_path, "needs", index)
                if need == top.name:
                    self.parent.problem(f"node '{need}' needs itself", path)
                elif self.parent.check_reference("graph node", need, nodes - {top.name}, path):
                    self.graph_edges[top.name].add(need)
            inside = {step.name for step in top.walk()}
            self._check_step(top, _Excluding(self.all_names, inside), WORKFLOW_NAMES)
        self.outline.dependencies = self.graph_edges
        graph = nx.DiGraph()
        graph.add_nodes_from(nodes)
        graph.add_edges_from(
            (need, node) for node, needs in self.graph_edges.items() for need in needs
        )
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            return
        names = [edge[0] for edge in cycle]
        start = names.index(min(names))
        names = names[start:] + names[:start]
        self.parent.problem(
            "dependency cycle: " + " → ".join([*names, names[0]]),
            (*self.outline.path, "graph", names[0]),
            key=True,
            hint="needs: and the steps a template reads must not form a loop",
        )

    def _names_inside(self, step: OutlineStep) -> set[str]:
        if step.kind == "foreach":
            return set()
        return {
            inner.name
            for branch in step.branches
            for s in branch.steps
            for inner in [s, *s.walk()]
            if inner.name not in self.foreach_owner
        }

    def _check_list(
        self, steps: list[OutlineStep], available: Container[str], allowed: frozenset[str]
    ) -> None:
        done = _Scope(available)
        for step in steps:
            self._check_step(step, done, allowed)
            done.own.add(step.name)
            done.own.update(self._names_inside(step))

    def _check_step(
        self, step: OutlineStep, available: Container[str], allowed: frozenset[str]
    ) -> None:
        block = step.block
        opts_path = step.options_path
        if step.options.input_required is not None:
            allowed = allowed | {"human_input"}  # what the human gave, for this step only
            self.parent.check_schema(step.options.input_required, (*opts_path, "input_required"))
        if block is None:
            for sub_path, text in template_strings(getattr(step.step, "input", None)):
                self._check_refs(
                    text,
                    (*step.path, "input", *sub_path),
                    available,
                    allowed,
                    owner=step,
                    expression=False,
                )
        elif isinstance(block, ConditionBlock):
            self._check_refs(block.if_, (*opts_path, "if"), available, allowed, owner=step)
        elif isinstance(block, RouterBlock):
            self._check_refs(block.select, (*opts_path, "select"), available, allowed, owner=step)
        elif isinstance(block, ForeachBlock):
            self._check_refs(block.items, (*opts_path, "items"), available, allowed, owner=step)
        inner_allowed = allowed
        if isinstance(block, LoopBlock):
            inner_allowed = allowed | {"loop"}
        elif isinstance(block, ForeachBlock):
            inner_allowed = allowed | {block.as_}
        for branch in step.branches:
            self._check_list(branch.steps, available, inner_allowed)
        after = _Scope(available, {step.name, *self._names_inside(step)})
        if isinstance(block, LoopBlock) and block.until is not None:
            self._check_refs(block.until, (*opts_path, "until"), after, inner_allowed, owner=step)
        if step.options.stop_if is not None:
            self._check_refs(
                step.options.stop_if,
                (*opts_path, "stop_if"),
                after,
                allowed | {"output"},
                owner=step,
            )

    def _check_refs(
        self,
        source: Any,
        path: YamlPath,
        available: Container[str],
        allowed: frozenset[str],
        *,
        owner: OutlineStep | None,
        expression: bool = True,
    ) -> None:
        if not isinstance(source, str):
            return  # a Python evaluator ({function: ...}): imported by the compiler
        refs = self.parent.check_template(source, path, allowed, expression=expression)
        for ref in refs or ():
            if ref in available:
                if self.outline.is_graph and owner is not None:
                    self._add_inferred_edge(owner.name, ref)
                continue
            if ref not in self.all_names:
                self.parent.problem(unknown_name_message("step", ref, self.all_names), path)
            elif ref in self.foreach_owner and (
                owner is None or owner.name not in self._foreach_scope(ref)
            ):
                loop = self.foreach_owner[ref]
                self.parent.problem(
                    f"step '{ref}' runs once per item inside foreach '{loop}'",
                    path,
                    hint=f"read steps.{loop}.output",
                )
            else:
                who = f"step '{owner.name}'" if owner else "this"
                self.parent.problem(
                    f"steps.{ref} has not run yet when {who} is evaluated",
                    path,
                    hint="a step can only read steps that finish before it",
                )

    def _foreach_scope(self, ref: str) -> set[str]:
        loop = self.foreach_owner[ref]
        for step in self.outline.walk():
            if step.name == loop:
                return {s.name for s in step.walk()}
        return set()

    def _add_inferred_edge(self, owner: str, ref: str) -> None:
        owner_top, ref_top = self.top_of[owner], self.top_of[ref]
        if owner_top != ref_top:
            self.graph_edges.setdefault(owner_top, set()).add(ref_top)


class _Scope:
    """The step names finished at a point: its own plus its parent scope's.

    Chained rather than copied, so checking n steps in order costs O(n), not O(n²).
    """

    __slots__ = ("own", "parent")

    def __init__(self, parent: Container[str], own: set[str] | None = None) -> None:
        self.parent = parent
        self.own: set[str] = own if own is not None else set()

    def __contains__(self, name: object) -> bool:
        return name in self.own or name in self.parent


class _Excluding:
    """`names` without `removed`, without building the difference."""

    __slots__ = ("names", "removed")

    def __init__(self, names: Container[str], removed: Container[str]) -> None:
        self.names = names
        self.removed = removed

    def __contains__(self, name: object) -> bool:
        return name in self.names and name not in self.removed
