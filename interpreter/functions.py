"""Python callables named in a spec (`module:callable`), and the StepInput they receive.

An import path resolves first relative to the spec's directory (loaded from
its file under a private module name, so two specs may each have a
`steps.py`), then on sys.path.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ..schemas.outputs import StepOutput
from .errors import ConfigurationError


@dataclass
class StepInput:
    """What a function step (and a Python evaluator or selector) receives: agno's StepInput.

    `previous_step_outputs` holds the outputs of the steps before this one at
    its level and the levels around it (a block's earlier steps, then the
    workflow's), in order; the accessors search inside blocks as agno's do.
    """

    input: Any = None
    previous_step_content: Any = None
    previous_step_outputs: Mapping[str, StepOutput] = field(default_factory=dict)
    additional_data: dict[str, Any] | None = None
    session_state: dict[str, Any] = field(default_factory=dict)

    def get_input_as_string(self) -> str | None:
        if self.input is None:
            return None
        if isinstance(self.input, str):
            return self.input
        if isinstance(self.input, dict | list):
            return json.dumps(self.input, indent=2, default=str, ensure_ascii=False)
        return str(self.input)

    def get_step_output(self, step_name: str) -> StepOutput | None:
        """A previous step's output by name, searched inside blocks too."""
        direct = self.previous_step_outputs.get(step_name)
        if direct is not None:
            return direct
        for output in self.previous_step_outputs.values():
            found = _search(output, step_name)
            if found is not None:
                return found
        return None

    def get_step_content(self, step_name: str) -> Any:
        """A step's content; a parallel block's is a mapping branch → text (agno)."""
        output = self.get_step_output(step_name)
        if output is None:
            return None
        if output.step_type == "Parallel" and output.steps:
            contents: dict[str, str] = {}
            for inner in output.steps:
                if not inner.step_name or not _has_text(inner.content):
                    continue
                if inner.steps:
                    for nested in inner.steps:
                        if nested.step_name and _has_text(nested.content):
                            contents[nested.step_name] = str(nested.content)
                else:
                    contents[inner.step_name] = str(inner.content)
            return contents or str(output.content)
        if output.steps:
            return deepest_content(output.steps[-1])
        return output.content

    def get_all_previous_content(self) -> str:
        return "\n\n".join(
            f"=== {name} ===\n{output.content}"
            for name, output in self.previous_step_outputs.items()
            if _has_text(output.content)
        )

    def get_last_step_content(self) -> Any:
        if not self.previous_step_outputs:
            return None
        last = list(self.previous_step_outputs.values())[-1]
        return deepest_content(last)

    def get_workflow_history(self, num_runs: int | None = None) -> list[tuple[str, str]]:
        return []


class CustomEvent:
    """An event of your own, yielded by a streaming function step: listeners get it
    as a `CustomEvent` carrying these fields (agno's CustomEvent)."""

    def __init__(self, **fields: Any) -> None:
        self._fields = fields

    def fields(self) -> dict[str, Any]:
        return dict(self._fields)


def _has_text(content: Any) -> bool:
    return content is not None and bool(str(content).strip())


def _search(output: StepOutput, step_name: str) -> StepOutput | None:
    for inner in output.steps or ():
        if inner.step_name == step_name:
            return inner
        found = _search(inner, step_name)
        if found is not None:
            return found
    return None


def deepest_content(output: StepOutput) -> Any:
    """The content of the last step that ran inside a block, at any depth (agno)."""
    while output.steps:
        output = output.steps[-1]
    return output.content


def message_content(output: StepOutput) -> Any:
    """What agno gives an agent, team or workflow step after `output`: the deepest
    content, with a parallel block's branches joined as `=== name ===` sections."""
    if output.steps:
        if output.step_type == "Parallel":
            parts = []
            for i, inner in enumerate(output.steps):
                content = message_content(inner)
                if _has_text(content):
                    parts.append(f"=== {inner.step_name or f'Step {i + 1}'} ===\n{content}")
            return "\n\n".join(parts) if parts else output.content
        return message_content(output.steps[-1])
    return output.content


def resolve_callable(import_path: str, base_dir: Path) -> Callable[..., Any]:
    module_name, _, attribute = import_path.partition(":")
    module = _import_near(module_name, base_dir)
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ConfigurationError(
                f"'{import_path}': module '{module_name}' has no attribute '{attribute}'"
            ) from None
    if not callable(target):
        raise ConfigurationError(f"'{import_path}' is not callable")
    return target  # type: ignore[no-any-return]


def _import_near(module_name: str, base_dir: Path) -> ModuleType:
    relative = Path(*module_name.split("."))
    for candidate in (base_dir / relative.with_suffix(".py"), base_dir / relative / "__init__.py"):
        if candidate.is_file():
            return _load_file(module_name, candidate, base_dir)
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(
            f"cannot import '{module_name}' (looked in {base_dir} and on sys.path): {exc}"
        ) from None


def _load_file(module_name: str, file: Path, base_dir: Path) -> ModuleType:
    digest = hashlib.sha1(str(file.resolve()).encode()).hexdigest()[:12]
    private_name = f"_agno_dsl_user_{digest}_{module_name.replace('.', '_')}"
    cached = sys.modules.get(private_name)
    if cached is not None:
        return cached
    spec = importlib.util.spec_from_file_location(private_name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[private_name] = module
    # The module may import its siblings by plain name.
    added = str(base_dir) not in sys.path
    if added:
        sys.path.insert(0, str(base_dir))
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[private_name]
        raise ConfigurationError(
            f"importing {file.name} failed: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        if added:
            sys.path.remove(str(base_dir))
    return module


def takes_run_context(function: Callable[..., Any]) -> bool:
    """Whether a function step wants agno's `run_context` (a parameter of that name)."""
    try:
        return "run_context" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def call_style(function: Callable[..., Any]) -> tuple[bool, int]:
    """(is it async, how many positional parameters it takes: 0 or 1)."""
    # Callable objects count as async when their __call__ is a coroutine function.
    call_method = type(function).__call__ if not inspect.isroutine(function) else None
    is_async = inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(call_method)
    try:
        parameters = [
            p
            for p in inspect.signature(function).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
        ]
    except (TypeError, ValueError):
        return is_async, 1
    return is_async, min(len(parameters), 1)
