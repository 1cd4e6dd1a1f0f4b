"""Compiling templates and expressions once, in a sandbox, and reading what they reference.

Strings containing `{{` or `{%` are jinja templates; `if`, `until`, `select`,
`items` and `stop_if` are bare expressions. Both run in a jinja2
SandboxedEnvironment with StrictUndefined, so an unknown name fails loudly,
and templates cannot reach Python internals or the process environment.
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


class TemplateCompiler:
    """One sandboxed jinja environment and a cache of everything compiled in it."""

    def __init__(self) -> None:
        self._analyses: dict[tuple[str, bool], Analysis] = {}
        self._compiled: dict[tuple[str, bool, str], Template] = {}

    @functools.cached_property
    def env(self) -> Any:
        # Built on the first real template: a spec without any skips importing jinja2.
        from jinja2 import StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        return SandboxedEnvironment(
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
        from jinja2 import TemplateSyntaxError, meta, nodes

        text = "{{ " + source + " }}" if expression else source
        try:
            tree = self.env.parse(text)
        except TemplateSyntaxError as exc:
            return Analysis(error=exc.message or "syntax error", error_line=exc.lineno or 1)
        free = frozenset(meta.find_undeclared_variables(tree)) - self._globals
        refs: list[str] = []
        found: Any
        for found in tree.find_all((nodes.Getattr, nodes.Getitem)):
            node = found
            target = node.node
            if not (isinstance(target, nodes.Name) and target.name == "steps"):
                continue
            if isinstance(node, nodes.Getattr):
                refs.append(node.attr)
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                refs.append(node.arg.value)
        return Analysis(error=None, free_names=free, step_refs=tuple(dict.fromkeys(refs)))

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
        return Template(source, where, "template", lambda context: template.render(context))

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

    def evaluate(context: Mapping[str, Any]) -> Any:
        result = compiled(**context)
        if isinstance(result, Undefined):
            result._fail_with_undefined_error()
        return result

    return evaluate


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
