"""The outline of a workflow: every step with its final name, kind and YAML path.

Naming happens here and only here, so the checker, the compiler and the
graph renderer agree. A step without `name:` is named after what it runs
(the agent, team, workflow or function) or its block kind; a second unnamed
use of the same thing gets a suffix (`writer_2`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .schemas.steps import (
    BLOCK_KINDS,
    ConditionBlock,
    ForeachBlock,
    LoopBlock,
    ParallelBlock,
    RouterBlock,
    StepOptions,
    StepsBlock,
    block_of,
    options_of,
    step_kind,
)
from .schemas.workflows import Workflow
from .source import YamlPath


@dataclass
class Branch:
    """A list of steps inside a block: a parallel branch, then/else, a route, a loop body."""

    label: str
    steps: list[OutlineStep]
    path: YamlPath


@dataclass
class OutlineStep:
    """A step as the checker sees it: name, kind, position, references."""

    name: str
    kind: str
    path: YamlPath  # of the step mapping
    step: Any  # the schema object (AgentStep, ParallelStep, ...)
    explicit_name: bool
    branches: list[Branch] = field(default_factory=list)

    # Cached: the checker asks often, and pydantic attribute misses are slow.
    @functools.cached_property
    def options(self) -> StepOptions:
        return options_of(self.step)

    @functools.cached_property
    def block(self) -> Any:
        return block_of(self.step)

    @property
    def options_path(self) -> YamlPath:
        """Where the options live: the step mapping, or the block mapping inside it."""
        return (*self.path, self.kind) if self.kind in BLOCK_KINDS else self.path

    def walk(self) -> Iterator[OutlineStep]:
        """This step and every step inside it, in declaration order."""
        yield self
        for branch in self.branches:
            for step in branch.steps:
                yield from step.walk()


@dataclass
class Outline:
    """A workflow's steps as the checker sees them."""

    workflow_name: str
    path: YamlPath
    is_graph: bool
    steps: list[OutlineStep]
    # graph: only — node → the nodes it waits for (needs: plus template references),
    # filled in by the checker, which is where references are resolved.
    dependencies: dict[str, set[str]] = field(default_factory=dict)

    def walk(self) -> Iterator[OutlineStep]:
        for step in self.steps:
            yield from step.walk()


def outline(workflow_name: str, workflow: Workflow) -> Outline:
    namer = _Namer()
    path: YamlPath = ("workflows", workflow_name)
    if workflow.graph is not None:
        # Graph keys are the node names; explicit ones are taken first.
        for key in workflow.graph:
            namer.taken.add(key)
        steps = [
            _outline_step(step, (*path, "graph", key), namer, graph_key=key)
            for key, step in workflow.graph.items()
        ]
        return Outline(workflow_name, path, True, steps)
    assert workflow.steps is not None
    _reserve_explicit(workflow.steps, namer)
    steps = _outline_list(workflow.steps, (*path, "steps"), namer)
    return Outline(workflow_name, path, False, steps)


class _Namer:
    def __init__(self) -> None:
        self.taken: set[str] = set()

    def fresh(self, base: str) -> str:
        if base not in self.taken:
            self.taken.add(base)
            return base
        index = 2
        while f"{base}_{index}" in self.taken:
            index += 1
        name = f"{base}_{index}"
        self.taken.add(name)
        return name


def _reserve_explicit(steps: list[Any], namer: _Namer) -> None:
    for step in steps:
        options = options_of(step)
        if options.name:
            namer.taken.add(options.name)
        for child_list in _child_lists(step):
            _reserve_explicit(child_list, namer)


def _child_lists(step: Any) -> list[list[Any]]:
    block = block_of(step)
    if isinstance(block, ParallelBlock | LoopBlock | StepsBlock):
        return [block.steps]
    if isinstance(block, ConditionBlock):
        return [block.then, block.else_ or []]
    if isinstance(block, RouterBlock):
        return list(block.routes.values())
    if isinstance(block, ForeachBlock):
        return [[block.step]]
    return []


def _default_name(step: Any, kind: str) -> str:
    if kind == "function":
        return str(step.function).rsplit(":", 1)[1].rsplit(".", 1)[-1].lower()
    if kind in ("agent", "team", "workflow"):
        return str(getattr(step, kind))
    return kind


def _outline_list(steps: list[Any], path: YamlPath, namer: _Namer) -> list[OutlineStep]:
    return [_outline_step(step, (*path, index), namer) for index, step in enumerate(steps)]


def _outline_step(
    step: Any, path: YamlPath, namer: _Namer, graph_key: str | None = None
) -> OutlineStep:
    kind = step_kind(step)
    options = options_of(step)
    if graph_key is not None:
        name, explicit = graph_key, True
    elif options.name:
        name, explicit = options.name, True
    else:
        name, explicit = namer.fresh(_default_name(step, kind)), False
    node = OutlineStep(name, kind, path, step, explicit)
    block = block_of(step)
    block_path = (*path, kind)
    if isinstance(block, ParallelBlock):
        for index, child in enumerate(block.steps):
            child_path = (*block_path, "steps", index)
            node.branches.append(
                Branch(str(index), [_outline_step(child, child_path, namer)], child_path)
            )
    elif isinstance(block, LoopBlock | StepsBlock):
        body_path = (*block_path, "steps")
        node.branches.append(
            Branch("body", _outline_list(block.steps, body_path, namer), body_path)
        )
    elif isinstance(block, ConditionBlock):
        then_path = (*block_path, "then")
        node.branches.append(Branch("then", _outline_list(block.then, then_path, namer), then_path))
        if block.else_ is not None:
            else_path = (*block_path, "else")
            node.branches.append(
                Branch("else", _outline_list(block.else_, else_path, namer), else_path)
            )
    elif isinstance(block, RouterBlock):
        for route, route_steps in block.routes.items():
            route_path = (*block_path, "routes", route)
            node.branches.append(
                Branch(route, _outline_list(route_steps, route_path, namer), route_path)
            )
    elif isinstance(block, ForeachBlock):
        step_path = (*block_path, "step")
        node.branches.append(
            Branch("each", [_outline_step(block.step, step_path, namer)], step_path)
        )
    return node
