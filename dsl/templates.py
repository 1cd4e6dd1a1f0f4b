"""Compiling templates and expressions once, in a sandbox, and reading what they reference.

Strings containing `{{` or `{%` are jinja templates; `if`, `until`, `select`,
`items` and `stop_if` are bare expressions. Both run in the budgeted,
immutable sandbox of sandbox.py with StrictUndefined, so an unknown name
fails loudly, and templates cannot reach Python internals, the process
environment, or more memory and time than their budget.

Analysis (what a template reads) walks jinja's syntax tree and never
compiles it; a template made of plain text and `{{ expr }}` parts is
analysed part by part, each distinct expression once, so checking a spec
of many similar templates costs little more than reading it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .interpreter.expressions import (
    Constant,
    Evaluable,
    ListTemplate,
    MappingTemplate,
    Template,
)

_SINGLE_EXPRESSION = re.compile(r"^\s*\{\{(.*)\}\}\s*$", re.DOTALL)


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


@dataclass(frozen=True)
class Analysis:
    """What a template refers to, or why it does not compile."""

    error: str | None
    error_line: int = 1
    free_names: frozenset[str] = frozenset()
    step_refs: tuple[str, ...] = ()
    input_refs: tuple[str, ...] = ()  # fields read as input.NAME or input['NAME']


class TemplateCompiler:
    """One sandboxed jinja environment and a cache of everything compiled in it."""

    def __init__(self) -> None:
        self._analyses: dict[tuple[str, bool], Analysis] = {}
        self._compiled: dict[tuple[str, bool, str], Template] = {}

    @functools.cached_property
    def env(self) -> Any:
        # Built on the first real template: a spec without any skips importing jinja2.
        from jinja2 import StrictUndefined

        from .sandbox import BudgetedEnvironment

        return BudgetedEnvironment(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
        )

    @functools.cached_property
    def _globals(self) -> frozenset[str]:
        return frozenset(self.env.globals)

    def analyze(self, source: str, *, expression: bool) -> Analysis:
        key = (source, expression)
        if key not in self._analyses:
            self._analyses[key] = self._analyze(source, expression)
        return self._analyses[key]

    def _analyze(self, source: str, expression: bool) -> Analysis:
        if not expression:
            parts = _expression_parts(source)
            if parts is not None:
                analyses = [self.analyze(part, expression=True) for part in parts]
                if not any(analysis.error for analysis in analyses):
                    return Analysis(
                        error=None,
                        free_names=frozenset().union(*(a.free_names for a in analyses)),
                        step_refs=tuple(
                            dict.fromkeys(ref for a in analyses for ref in a.step_refs)
                        ),
                        input_refs=tuple(
                            dict.fromkeys(ref for a in analyses for ref in a.input_refs)
                        ),
                    )
                # A part that does not parse alone: let the whole template say where.
        return self._analyze_tree(source, expression)

    def _analyze_tree(self, source: str, expression: bool) -> Analysis:
        from jinja2 import TemplateSyntaxError

        from .sandbox import fold_constants

        text = "{{ " + source + " }}" if expression else source
        try:
            tree = self.env.parse(text)
        except TemplateSyntaxError as exc:
            return Analysis(error=exc.message or "syntax error", error_line=exc.lineno or 1)
        read = _read_tree(tree, self.env)
        if read.unknown:
            return Analysis(error=read.unknown)
        too_big = fold_constants(tree, self.env)
        if too_big:
            return Analysis(error=f"over the template limits: {too_big}")
        return Analysis(
            error=None,
            free_names=read.free - self._globals,
            step_refs=read.steps,
            input_refs=read.inputs,
        )

    def compile(self, source: str, where: str, *, expression: bool) -> Template:
        """A Template for `source`; the caller has checked that it analyzes cleanly."""
        key = (source, expression, where)
        if key not in self._compiled:
            self._compiled[key] = self._compile(source, where, expression)
        return self._compiled[key]

    def _compile(self, source: str, where: str, expression: bool) -> Template:
        if expression:
            function = _expression_function(self.env.compile_expression(source))
            return Template(source, where, "expression", function)
        single = _SINGLE_EXPRESSION.match(source)
        if single and "{{" not in single.group(1) and "}}" not in single.group(1):
            # Exactly one {{ expr }}: keep the value's own type (objects stay objects).
            inner = self.env.compile_expression(single.group(1))
            return Template(source, where, "template", _expression_function(inner))
        template = self.env.from_string(source)

        def render(context: Mapping[str, Any]) -> str:
            from .sandbox import budgeted, render_bounded

            return budgeted(lambda: render_bounded(template.generate(context)))  # type: ignore[no-any-return]

        return Template(source, where, "template", render)

    def compile_value(self, value: Any, where: str) -> Evaluable:
        """A JSON value whose strings may be templates."""
        if isinstance(value, str):
            if is_template(value):
                return self.compile(value, where, expression=False)
            return Constant(value)
        if isinstance(value, dict):
            items = tuple((key, self.compile_value(item, where)) for key, item in value.items())
            if all(isinstance(item, Constant) for _, item in items):
                return Constant(value)
            return MappingTemplate(items)
        if isinstance(value, list):
            parts = tuple(self.compile_value(item, where) for item in value)
            if all(isinstance(part, Constant) for part in parts):
                return Constant(value)
            return ListTemplate(parts)
        return Constant(value)


def _expression_function(compiled: Any) -> Any:
    from jinja2 import Undefined

    from .sandbox import budgeted

    def evaluate(context: Mapping[str, Any]) -> Any:
        result = budgeted(lambda: compiled(**context))
        if isinstance(result, Undefined):
            result._fail_with_undefined_error()
        return result

    return evaluate


# `{{ expr }}` parts of a template without statements or comments.
_PART = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def _expression_parts(source: str) -> list[str] | None:
    """The expressions of a plain-text-and-`{{ }}` template; None when it has more."""
    if "{%" in source or "{#" in source:
        return None
    parts = []
    for match in _PART.finditer(source):
        inner = match.group(1)
        if "{{" in inner or inner[:1] in "-+" or inner[-1:] in "-+":
            return None  # nested braces or whitespace control: parse the whole
        parts.append(inner)
    rest = _PART.sub("", source)
    if "{{" in rest or not parts:
        return None
    return parts


@dataclass(frozen=True)
class _Reads:
    """What a template reads: free names, steps, input fields, unknown filters."""

    free: frozenset[str]  # names read but not set in the template
    steps: tuple[str, ...]  # steps.NAME
    inputs: tuple[str, ...]  # input.NAME
    unknown: str | None  # an unknown filter or test


def _read_tree(tree: Any, env: Any) -> _Reads:
    """What a parsed template reads, walking its syntax tree once."""
    from jinja2 import nodes

    loads: set[str] = set()
    stores: set[str] = set()
    refs: dict[str, list[str]] = {"steps": [], "input": []}
    unknown: str | None = None
    implicit: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        stack.extend(reversed(list(node.iter_child_nodes())))  # pre-order: reading order
        if isinstance(node, nodes.Name):
            (loads if node.ctx == "load" else stores).add(node.name)
        elif isinstance(node, nodes.Getattr | nodes.Getitem):
            target = node.node
            if isinstance(target, nodes.Name) and target.name in refs:
                if isinstance(node, nodes.Getattr):
                    refs[target.name].append(node.attr)
                elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                    refs[target.name].append(node.arg.value)
        elif isinstance(node, nodes.Filter | nodes.Test) and unknown is None:
            table = env.filters if isinstance(node, nodes.Filter) else env.tests
            if node.name not in table:
                kind = "filter" if isinstance(node, nodes.Filter) else "test"
                unknown = f"no {kind} named '{node.name}'"
        elif isinstance(node, nodes.For):
            implicit.add("loop")
        elif isinstance(node, nodes.Macro | nodes.CallBlock):
            implicit |= {"caller", "varargs", "kwargs"}
    return _Reads(
        free=frozenset(loads - stores - implicit),
        steps=tuple(dict.fromkeys(refs["steps"])),
        inputs=tuple(dict.fromkeys(refs["input"])),
        unknown=unknown,
    )


def template_strings(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[Any, str]]:
    """Every template string inside a JSON value, with its path below the value."""
    if isinstance(value, str):
        return [(path, value)] if is_template(value) else []
    if isinstance(value, dict):
        return [
            found for key, item in value.items() for found in template_strings(item, (*path, key))
        ]
    if isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in template_strings(item, (*path, index))
        ]
    return []
