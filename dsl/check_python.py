"""The checker's pass over Python references: policy, existence, signatures.

Every `python:` tool, function step and hook is checked at its place in the
spec: the policy may refuse it (python_policy.py), its module must be found
and its callable be in the module's source, and the callable's parameters
must fit what the runtime passes (python_refs.py). No user code runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path

from .outline import Outline
from .python_policy import judge
from .python_refs import (
    POST_HOOK_ARGUMENTS,
    PRE_HOOK_ARGUMENTS,
    Parameters,
    find_definition,
    find_module,
    hook_problems,
    nearby_modules,
    parameters,
    step_function_problems,
    tool_problems,
)
from .schemas.base import suggest
from .schemas.spec import Spec
from .schemas.steps import PythonEvaluator
from .schemas.tools import PythonTool
from .source import YamlPath, display_path

Report = Callable[[str, YamlPath, str | None], None]
SignatureCheck = Callable[[Parameters], list[tuple[str, str | None]]]


def check_python_references(
    spec: Spec,
    outlines: dict[str, Outline],
    base_dir: Path,
    allow: Iterable[str],
    report: Report,
) -> None:
    allowed = tuple(allow)
    checker = _PythonChecker(base_dir, allowed, report)
    for name, tool in spec.tools.items():
        if isinstance(tool, PythonTool):
            checker.check(tool.python, ("tools", name, "python"), "tool", tool_problems)
    for section in ("agents", "teams"):
        for name, runner in getattr(spec, section).items():
            for key, available in (
                ("pre_hooks", PRE_HOOK_ARGUMENTS),
                ("post_hooks", POST_HOOK_ARGUMENTS),
            ):
                for index, hook in enumerate(getattr(runner, key, None) or []):
                    checker.check(
                        hook,
                        (section, name, key, index),
                        "hook",
                        functools.partial(_hook_problems, available=available),
                    )
    for outline in outlines.values():
        for step in outline.walk():
            if step.kind == "function":
                checker.check(
                    step.step.function,
                    (*step.path, "function"),
                    "function step",
                    step_function_problems,
                )
            for key, evaluator in _evaluators(step.block):
                checker.check(
                    evaluator.function,
                    (*step.options_path, key, "function"),
                    "evaluator",
                    step_function_problems,
                )


def _evaluators(block: object) -> list[tuple[str, PythonEvaluator]]:
    """The Python evaluators of a block: if:, select:, until: written as {function: ...}."""
    found = []
    for key, attribute in (("if", "if_"), ("select", "select"), ("until", "until")):
        value = getattr(block, attribute, None)
        if isinstance(value, PythonEvaluator):
            found.append((key, value))
    return found


def _hook_problems(params: Parameters, available: frozenset[str]) -> list[tuple[str, str | None]]:
    return hook_problems(params, available)


class _PythonChecker:
    def __init__(self, base_dir: Path, allow: tuple[str, ...], report: Report) -> None:
        self.base_dir = base_dir
        self.allow = allow
        self.report = report

    def check(self, import_path: str, at: YamlPath, what: str, signature: SignatureCheck) -> None:
        module_name, _, attribute = import_path.partition(":")
        module = find_module(module_name, self.base_dir)
        verdict = judge(import_path, module, self.allow)
        if not verdict.allowed:
            self.report(f"{what} {verdict.reason}", at, verdict.hint)
            return
        if module is None:
            guess = suggest(module_name, nearby_modules(self.base_dir))
            self.report(
                f"{what} '{import_path}': no module '{module_name}' "
                f"(looked in {display_path(self.base_dir)} and on sys.path)",
                at,
                f"did you mean '{guess}'?"
                if guess
                else "module paths are relative to the spec's folder, or importable",
            )
            return
        definition = find_definition(module, attribute)
        if not definition.found:
            self.report(
                f"{what} '{import_path}': module '{module_name}' has no '{attribute}'",
                at,
                f"did you mean '{definition.suggestion}'?" if definition.suggestion else None,
            )
            return
        if definition.node is not None:
            for message, hint in signature(parameters(definition.node)):
                self.report(f"{what} '{import_path}': {message}", at, hint)
