"""Cross-reference checks on a spec whose shape is already valid.

Every name must point at something that exists (with a did-you-mean when it
does not), step names are unique within a workflow, `needs:` and nested
workflows and team memberships have no cycles, and every template compiles
and only reads steps that have finished before it is evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from .errors import Location, Problem
from .outline import Outline, OutlineStep, outline
from .schemas.base import suggest, unknown_name_message
from .schemas.models import ScriptedModel
from .schemas.spec import Spec
from .schemas.steps import ConditionBlock, ForeachBlock, LoopBlock, RouterBlock
from .schemas.tools import HttpTool
from .source import YamlPath
from .templates import TemplateCompiler, template_strings

# What an HTTP tool's templates may read: the model's arguments.
TOOL_NAMES = frozenset({"args"})

Locate = Callable[..., Location]

WORKFLOW_NAMES = frozenset({"input", "steps", "previous", "state", "run"})
AGENT_NAMES = frozenset({"input", "state", "run"})


class Checker:
    def __init__(self, spec: Spec, locate: Locate, compiler: TemplateCompiler) -> None:
        self.spec = spec
        self.locate = locate
        self.compiler = compiler
        self.problems: list[Problem] = []
        self.outlines: dict[str, Outline] = {}

    def check(self) -> list[Problem]:
        self._check_defaults()
        self._check_models()
        self._check_http_tools()
        for name in self.spec.agents:
            self._check_runner("agents", name)
        for name in self.spec.teams:
            self._check_runner("teams", name)
        self._check_team_cycles()
        for name, workflow in self.spec.workflows.items():
            self.outlines[name] = outline(name, workflow)
            _WorkflowChecker(self, self.outlines[name]).check()
        self._check_workflow_cycles()
        return self.problems

    # --- helpers -----------------------------------------------------------------

    def problem(
        self, message: str, path: YamlPath, *, key: bool = False, hint: str | None = None
    ) -> None:
        self.problems.append(Problem(message, self.locate(path, key=key), hint))

    def check_reference(self, what: str, name: str, known: Iterable[str], path: YamlPath) -> bool:
        choices = set(known)
        if name in choices:
            return True
        self.problem(unknown_name_message(what, name, choices), path)
        return False

    def check_schema(self, schema: dict[str, Any] | None, path: YamlPath) -> None:
        if schema is None:
            return
        from jsonschema.exceptions import SchemaError
        from jsonschema.validators import validator_for

        try:
            validator_for(schema).check_schema(schema)
        except SchemaError as exc:
            self.problem(f"not a valid JSON Schema: {exc.message}", (*path, *exc.path))

    def check_template(
        self, source: str, path: YamlPath, allowed: frozenset[str], *, expression: bool
    ) -> tuple[str, ...] | None:
        """Check one template; return the step names it reads, or None when broken."""
        analysis = self.compiler.analyze(source, expression=expression)
        kind = "expression" if expression else "template"
        if analysis.error:
            where = (
                f" (line {analysis.error_line} of the template)" if analysis.error_line > 1 else ""
            )
            self.problem(f"invalid {kind}: {analysis.error}{where}", path)
            return None
        for name in sorted(analysis.free_names - allowed):
            guess = suggest(name, allowed)
            hint = f"did you mean '{guess}'?" if guess else None
            self.problem(
                f"unknown name '{name}' in {kind}; available here: {', '.join(sorted(allowed))}",
                path,
                hint=hint,
            )
        return analysis.step_refs

    # --- sections ----------------------------------------------------------------

    def _check_defaults(self) -> None:
        model = self.spec.defaults.model
        if model is not None:
            self.check_reference("model", model, self.spec.models, ("defaults", "model"))

    def _check_models(self) -> None:
        for name, model in self.spec.models.items():
            if not isinstance(model, ScriptedModel):
                continue
            for index, response in enumerate(model.responses):
                if response.match is None:
                    continue
                try:
                    re.compile(response.match)
                except re.error as exc:
                    self.problem(
                        f"invalid regular expression in match: {exc}",
                        ("models", name, "responses", index, "match"),
                    )

    def _check_http_tools(self) -> None:
        for name, tool in self.spec.tools.items():
            if not isinstance(tool, HttpTool):
                continue
            path: YamlPath = ("tools", name, "http")
            request = tool.http
            for at, source in template_strings(
                {"url": request.url, "headers": request.headers, "body": request.body}
            ):
                self.check_template(source, (*path, *at), TOOL_NAMES, expression=False)
            parameters = request.parameters
            if parameters is not None:
                self.check_schema(parameters, (*path, "parameters"))
                if parameters.get("type") != "object":
                    self.problem(
                        "parameters: must describe the arguments as an object",
                        (*path, "parameters"),
                        hint="{type: object, properties: {city: {type: string}}}",
                    )

    def _check_runner(self, section: str, name: str) -> None:
        runner = getattr(self.spec, section)[name]
        path: YamlPath = (section, name)
        model = runner.model or self.spec.defaults.model
        if runner.model is not None:
            self.check_reference("model", runner.model, self.spec.models, (*path, "model"))
        elif model is None:
            what = "agent" if section == "agents" else "team"
            self.problem(
                f"{what} '{name}' has no model",
                path,
                key=True,
                hint="set model: here or defaults: {model: NAME}",
            )
        for index, tool in enumerate(runner.tools):
            self.check_reference("tool", tool, self.spec.tools, (*path, "tools", index))
        instructions = runner.instructions
        texts = [instructions] if isinstance(instructions, str) else instructions or []
        for index, text in enumerate(texts):
            text_path = (
                (*path, "instructions")
                if isinstance(instructions, str)
                else (*path, "instructions", index)
            )
            if "{{" in text or "{%" in text:
                refs = self.check_template(
                    text, text_path, AGENT_NAMES | {"steps"}, expression=False
                )
                if refs:
                    self.problem(
                        "instructions cannot read steps; pass step outputs with a "
                        "step's input: template",
                        text_path,
                    )
        self.check_schema(runner.output_schema, (*path, "output_schema"))
        self.check_schema(runner.input_schema, (*path, "input_schema"))
        if section == "teams":
            members = set(self.spec.agents) | set(self.spec.teams)
            for index, member in enumerate(runner.members):
                self.check_reference("agent or team", member, members, (*path, "members", index))
                if member == name:
                    self.problem(
                        f"team '{name}' lists itself as a member", (*path, "members", index)
                    )
        for clash in set(self.spec.agents) & set(self.spec.teams) & {name}:
            self.problem(f"'{clash}' is both an agent and a team; rename one", path, key=True)

    def _check_team_cycles(self) -> None:
        edges = {
            name: [m for m in team.members if m in self.spec.teams and m != name]
            for name, team in self.spec.teams.items()
        }
        for cycle in _cycles(edges):
            self.problem(
                "teams contain each other: " + " → ".join([*cycle, cycle[0]]),
                ("teams", cycle[0]),
                key=True,
            )

    def _check_workflow_cycles(self) -> None:
        edges = {
            name: [
                step.step.workflow
                for step in self.outlines[name].walk()
                if step.kind == "workflow" and step.step.workflow in self.spec.workflows
            ]
            for name in self.outlines
        }
        for cycle in _cycles(edges):
            self.problem(
                "workflows run each other in a cycle: " + " → ".join([*cycle, cycle[0]]),
                ("workflows", cycle[0]),
                key=True,
            )


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Each elementary cycle once, starting from its smallest name."""
    if not any(edges.values()):
        return []  # the common case; networkx costs ~0.1 s to import
    import networkx as nx

    graph = nx.DiGraph([(a, b) for a, targets in edges.items() for b in targets])
    cycles = [cycle for cycle in nx.simple_cycles(graph)]
    normalized = []
    for cycle in cycles:
        start = cycle.index(min(cycle))
        normalized.append(cycle[start:] + cycle[:start])
    return sorted(normalized)[:5]


class _WorkflowChecker:
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
            self._check_step(top, self.all_names - inside, WORKFLOW_NAMES)
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
        self, steps: list[OutlineStep], available: set[str], allowed: frozenset[str]
    ) -> None:
        done = set(available)
        for step in steps:
            self._check_step(step, done, allowed)
            done |= {step.name} | self._names_inside(step)

    def _check_step(self, step: OutlineStep, available: set[str], allowed: frozenset[str]) -> None:
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
        after = available | {step.name} | self._names_inside(step)
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
        available: set[str],
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
