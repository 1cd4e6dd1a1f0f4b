"""The compiled form of a spec, as the scheduler runs it.

Every body of steps (a workflow, a parallel branch, a loop body, a route)
is a `Plan`: nodes plus, for each node, the indexes of the nodes it waits
for and of those waiting for it. Those index tuples are computed once at
compile time, so the run loop never touches a graph library; `to_networkx()`
gives the same plan as a networkx DiGraph for analysis and drawing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .expressions import Evaluable
from .tools.base import ToolPlan
from .tools.mcp import McpServerPlan


@dataclass(frozen=True, slots=True)
class Policy:
    """How a step is run: retries, timeout, what a failure does, when to stop."""

    retries: int = 3  # agno's Step.max_retries
    retry_delay: float = 0.0  # agno retries at once
    timeout: float | None = None
    on_error: str = "skip"  # agno's OnError default: a failed step is skipped
    skip_on_failure: bool = False  # agno: the step itself reports the failure and the run goes on
    stop_if: Evaluable | None = None
    confirm: str | None = None  # ask a human before running
    input_required: Mapping[str, Any] | None = None  # JSON Schema of what to ask


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """A step of a plan: its name, where the spec defines it, and its policy."""

    name: str
    where: str  # file:line:col of the step, for messages
    policy: Policy = field(default_factory=Policy)

    kind = "step"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelRef:
    """A model of the spec by name, with its configuration."""

    name: str
    config: Any  # a schemas.models config


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentPlan:
    """An agent, compiled: model, prompt parts, tools, hooks and options."""

    name: str
    model: ModelRef
    description: str | None
    instructions: tuple[Evaluable, ...]
    expected_output: str | None
    additional_context: str | None
    output_schema: Mapping[str, Any] | None
    input_schema: Mapping[str, Any] | None
    retries: int
    retry_delay: float
    timeout: float | None
    where: str
    add_history_to_context: bool = False
    num_history_runs: int = 3
    # In the spec's order; an MCP server stands for the tools it lists when the run opens it.
    tools: tuple[ToolPlan | McpServerPlan, ...] = ()
    tool_call_limit: int | None = None
    pre_hooks: tuple[Callable[..., Any], ...] = ()
    post_hooks: tuple[Callable[..., Any], ...] = ()
    guardrails: tuple[str, ...] = ()
    session_state: Mapping[str, Any] | None = None  # the state a run without a session starts from
    display_name: str | None = None  # agno's `name` when it is not the spec key
    role: str | None = None
    # user memory (interpreter/memory.py), agno's options
    update_memory_on_run: bool = False
    enable_agentic_memory: bool = False
    add_memories_to_context: bool = False
    memory_model: ModelRef | None = None  # None: the agent's own model, as in agno


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamPlan:
    """A team: a leader (configured like an agent) and its members; agno's options."""

    name: str
    mode: str
    leader: AgentPlan
    members: tuple[AgentPlan | TeamPlan, ...]
    max_iterations: int
    where: str
    respond_directly: bool = False  # route mode: the member's answer is the team's
    determine_input_for_members: bool = True
    share_member_interactions: bool = False
    add_team_history_to_members: bool = False
    num_team_history_runs: int = 3
    add_member_tools_to_context: bool = False
    stream_member_events: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentNode(Node):
    """A step that runs an agent."""

    agent: AgentPlan
    input: Evaluable | None
    kind = "agent"


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamNode(Node):
    """A step that runs a team."""

    team: TeamPlan
    input: Evaluable | None
    kind = "team"


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionNode(Node):
    """A step that calls a Python function."""

    function: Callable[..., Any]
    import_path: str
    input: Evaluable | None
    is_async: bool
    takes_input: bool
    takes_run_context: bool = False
    is_generator: bool = False  # a sync generator function: it streams
    is_async_generator: bool = False
    kind = "function"


@dataclass(frozen=True, slots=True, kw_only=True)
class PythonCheck:
    """A Python callable deciding a block (condition evaluator, router selector, loop
    end condition), where an expression would otherwise: called as agno calls it."""

    function: Callable[..., Any]
    import_path: str
    is_async: bool
    takes_run_context: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowNode(Node):
    """A step that runs a nested workflow."""

    workflow: Callable[[], WorkflowPlan]  # late-bound: workflows may be declared in any order
    input: Evaluable | None
    kind = "workflow"


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelNode(Node):
    """A parallel block: its branches run at the same time."""

    branches: tuple[Plan, ...]
    kind = "parallel"


@dataclass(frozen=True, slots=True, kw_only=True)
class StepsNode(Node):
    """agno's `Steps`: a named sequence run as one step."""

    body: Plan
    kind = "steps"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionNode(Node):
    """A condition block: then or else, by an expression or a function."""

    condition: Evaluable | PythonCheck
    then: Plan
    otherwise: Plan | None
    kind = "condition"


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopNode(Node):
    """A loop block: its body again until the end condition or max_iterations."""

    body: Plan
    until: Evaluable | PythonCheck | None
    max_iterations: int
    forward_iteration_output: bool = False
    kind = "loop"


@dataclass(frozen=True, slots=True, kw_only=True)
class RouterNode(Node):
    """A router block: the routes a selector picks."""

    select: Evaluable | PythonCheck
    routes: Mapping[str, Plan]
    kind = "router"


@dataclass(frozen=True, slots=True, kw_only=True)
class ForeachNode(Node):
    """A foreach block: one step per item of a list."""

    items: Evaluable
    as_name: str
    max_concurrency: int | None
    step: Node
    kind = "foreach"


@dataclass(frozen=True, slots=True)
class Plan:
    """Nodes and their dependencies, by index. A chain runs without a scheduler."""

    nodes: tuple[Node, ...]
    needs: tuple[tuple[int, ...], ...]
    dependents: tuple[tuple[int, ...], ...]
    is_chain: bool

    @classmethod
    def chain(cls, nodes: list[Node]) -> Plan:
        count = len(nodes)
        needs = tuple((i - 1,) if i else () for i in range(count))
        dependents = tuple((i + 1,) if i + 1 < count else () for i in range(count))
        return cls(tuple(nodes), needs, dependents, True)

    @classmethod
    def graph(cls, nodes: list[Node], needs: list[list[int]]) -> Plan:
        dependents: list[list[int]] = [[] for _ in nodes]
        for index, deps in enumerate(needs):
            for dep in deps:
                dependents[dep].append(index)
        return cls(
            tuple(nodes), tuple(tuple(d) for d in needs), tuple(tuple(d) for d in dependents), False
        )

    @property
    def sinks(self) -> tuple[int, ...]:
        return tuple(i for i, deps in enumerate(self.dependents) if not deps)

    def to_networkx(self) -> Any:
        import networkx as nx

        graph = nx.DiGraph()
        for node in self.nodes:
            graph.add_node(node.name, node=node)
        for index, deps in enumerate(self.needs):
            for dep in deps:
                graph.add_edge(self.nodes[dep].name, self.nodes[index].name)
        return graph


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowPlan:
    """A workflow, compiled: its body plan, input schema and output template."""

    name: str
    body: Plan
    output: Evaluable | None
    input_schema: Mapping[str, Any] | None
    input_schema_where: str
    max_concurrency: int | None
    session_state: Mapping[str, Any] | None
