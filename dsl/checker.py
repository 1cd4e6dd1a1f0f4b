"""Cross-reference checks on a spec whose shape is already valid.

Every name must point at something that exists (with a did-you-mean when it
does not), step names are unique within a workflow, `needs:` and nested
workflows and team memberships have no cycles, and every template compiles
and only reads steps that have finished before it is evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .check_workflow import WorkflowChecker
from .errors import Location, Problem
from .outline import Outline, outline
from .schemas.base import suggest, unknown_name_message
from .schemas.models import ScriptedModel
from .schemas.spec import Spec
from .schemas.tools import HttpTool
from .source import YamlPath
from .templates import TemplateCompiler, template_strings

# What an HTTP tool's templates may read: the model's arguments.
TOOL_NAMES = frozenset({"args"})

Locate = Callable[..., Location]

AGENT_NAMES = frozenset({"input", "state", "run"})


class Checker:
    def __init__(
        self,
        spec: Spec,
        locate: Locate,
        compiler: TemplateCompiler,
        *,
        base_dir: Path | None = None,
        allow_python: Iterable[str] = (),
    ) -> None:
        self.spec = spec
        self.locate = locate
        self.compiler = compiler
        self.base_dir = base_dir  # None: Python references are not checked
        self.allow_python = (*spec.python_allow, *allow_python)
        self.problems: list[Problem] = []
        self.outlines: dict[str, Outline] = {}
        # The input fields of the workflow being checked, when its input_schema lists them.
        self.input_fields: frozenset[str] | None = None

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
            self.input_fields = declared_fields(workflow.input_schema)
            WorkflowChecker(self, self.outlines[name]).check()
        self.input_fields = None
        self._check_workflow_cycles()
        if self.base_dir is not None:
            from .check_python import check_python_references

            check_python_references(
                self.spec,
                self.outlines,
                self.base_dir,
                self.allow_python,
                lambda message, path, hint: self.problem(message, path, hint=hint),
            )
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
        kind = "expression" if expression else "template"
        stripped = source.strip()
        if expression and stripped.startswith("{{") and stripped.endswith("}}"):
            self.problem(
                "this is a bare expression: write it without {{ }}",
                path,
                hint=f'{path[-1]}: "{stripped[2:-2].strip()}"' if path else None,
            )
            return None
        analysis = self.compiler.analyze(source, expression=expression)
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
        fields = self.input_fields
        if fields is not None:
            for field in analysis.input_refs:
                if field not in fields:
                    self.problem(unknown_name_message("input field", field, set(fields)), path)
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
                for key in ("match", "match_history"):
                    pattern = getattr(response, key)
                    error = _pattern_error(pattern) if pattern is not None else None
                    if error:
                        self.problem(
                            f"invalid regular expression in {key}: {error}",
                            ("models", name, "responses", index, key),
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
        memory_model = getattr(runner, "memory_model", None)
        if memory_model is not None:
            self.check_reference("model", memory_model, self.spec.models, (*path, "memory_model"))
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


def declared_fields(schema: Any) -> frozenset[str] | None:
    """The fields an object input_schema allows, or None when it allows any."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return None
    extra = schema.get("additionalProperties")
    if extra is True or isinstance(extra, dict) or schema.get("patternProperties"):
        return None
    return frozenset(schema["properties"])


def _pattern_error(pattern: str) -> str | None:
    """Why a scripted model's pattern does not compile (the run uses the `regex` engine)."""
    import regex

    for engine in (re, regex):
        try:
            engine.compile(pattern)
        except engine.error as exc:
            return str(exc)
    return None


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
