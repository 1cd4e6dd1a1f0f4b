"""Python references (`module:callable`) checked without running any of the user's code.

The module is found the way the runtime finds it (interpreter/functions.py):
first as a file under the spec's directory, then through the import system's
finders, walked one package at a time so no package `__init__` runs. The
callable is looked up in the module's source with `ast`, and its parameters
are compared with what the runtime passes: a function step gets one
argument, its StepInput; a tool gets the model's arguments plus
`session_state` if it asks; a hook gets the names listed below, by name.
Modules without readable source (C extensions, built-ins) are taken on trust.
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .interpreter.tools.base import INJECTED, PASSED_TO_TOOLS
from .schemas.base import suggest

# What interpreter/agents/agent.py hands to hooks (agents/checks.call_hook passes them by name).
PRE_HOOK_ARGUMENTS = frozenset({"run_input", "input", "agent", "session_state"})
POST_HOOK_ARGUMENTS = frozenset({"run_output", "output", "agent", "session_state"})
# What interpreter/tools/ fills in itself rather than the model (INJECTED), and of
# those what call_tool actually passes.
TOOL_INJECTED_NOT_PASSED = INJECTED - PASSED_TO_TOOLS
# Names agno passes to function steps that this runtime does not: the StepInput carries them.
STEP_NOT_PASSED = {
    "session_state": "read run_context.session_state (or step_input.session_state)",
    "agent": "the StepInput is the only argument",
    "team": "the StepInput is the only argument",
}


@dataclass(frozen=True)
class Module:
    """Where a referenced module was found."""

    name: str
    file: Path | None  # its source file, when it has one
    in_spec_tree: bool
    is_package: bool = False


def find_module(name: str, base_dir: Path) -> Module | None:
    """Find `name` as the runtime would, without importing it; None when nowhere."""
    relative = Path(*name.split("."))
    for candidate in (base_dir / relative.with_suffix(".py"), base_dir / relative / "__init__.py"):
        if candidate.is_file():
            return Module(name, candidate, True, candidate.name == "__init__.py")
    spec = _find_spec(name)
    if spec is None:
        return None
    origin = spec.origin if spec.has_location else None
    file = Path(origin) if origin and origin.endswith(".py") else None
    inside = file is not None and _is_within(file, base_dir)
    return Module(name, file, inside, spec.submodule_search_locations is not None)


def _find_spec(name: str) -> Any:
    """importlib's spec of `name`, found package by package without running any `__init__`."""
    loaded = sys.modules.get(name)
    if loaded is not None:  # already imported (os.path is one): nothing runs by reading it
        return getattr(loaded, "__spec__", None)
    parts = name.split(".")
    try:
        spec = importlib.util.find_spec(parts[0])
        for index in range(1, len(parts)):
            if spec is None or spec.submodule_search_locations is None:
                return None
            spec = importlib.machinery.PathFinder.find_spec(
                ".".join(parts[: index + 1]), list(spec.submodule_search_locations)
            )
    except (ImportError, ValueError):
        return None
    return spec


def _is_within(file: Path, folder: Path) -> bool:
    try:
        file.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def nearby_modules(base_dir: Path) -> list[str]:
    """Module names next to the spec, for did-you-mean."""
    try:
        return sorted(p.stem for p in base_dir.glob("*.py"))
    except OSError:
        return []


@dataclass(frozen=True)
class Definition:
    """What the source says about a module-level name."""

    found: bool  # False: certainly absent
    node: ast.FunctionDef | ast.AsyncFunctionDef | None = None  # when it is a plain def
    is_class: bool = False
    suggestion: str | None = None


_SOURCES: dict[Path, tuple[float, ast.Module | None]] = {}


def _parse(file: Path) -> ast.Module | None:
    try:
        stamp = file.stat().st_mtime
    except OSError:
        return None
    cached = _SOURCES.get(file)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        tree: ast.Module | None = ast.parse(file.read_text(encoding="utf-8"), str(file))
    except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
        tree = None  # the runtime reports it when it imports the file
    _SOURCES[file] = (stamp, tree)
    return tree


def find_definition(module: Module, attribute: str) -> Definition:
    """Look `attribute` (maybe `Class.method`) up in the module's source."""
    tree = _parse(module.file) if module.file is not None else None
    if tree is None:
        return Definition(found=True)  # no source to read: trust it
    first, *rest = attribute.split(".")
    names, dynamic = _bindings(tree.body)
    if first not in names:
        if dynamic or (module.is_package and _has_submodule(module, first)):
            return Definition(found=True)
        public = [name for name in names if not name.startswith("_")]
        return Definition(found=False, suggestion=suggest(first, public))
    node = names[first]
    if not rest:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return Definition(found=True, node=node)
        return Definition(found=True, is_class=isinstance(node, ast.ClassDef))
    if isinstance(node, ast.ClassDef) and len(rest) == 1:
        members, member_dynamic = _bindings(node.body)
        if rest[0] in members:
            member = members[rest[0]]
            if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) and _is_static(member):
                return Definition(found=True, node=member)
            return Definition(found=True)
        if not node.bases and not member_dynamic:
            public = [name for name in members if not name.startswith("_")]
            return Definition(found=False, suggestion=suggest(rest[0], public))
    return Definition(found=True)


def _is_static(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)


def _has_submodule(module: Module, name: str) -> bool:
    assert module.file is not None
    folder = module.file.parent
    return (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()


def _bindings(body: list[ast.stmt]) -> tuple[dict[str, ast.AST], bool]:
    """Names a block of statements binds (descending into if/try/with), and whether
    it may bind names we cannot see (`from x import *`, a module `__getattr__`)."""
    names: dict[str, ast.AST] = {}
    dynamic = False
    for statement in body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[statement.name] = statement
            dynamic |= statement.name == "__getattr__"
        elif isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        names[node.id] = statement
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            for alias in statement.names:
                if alias.name == "*":
                    dynamic = True
                else:
                    names[alias.asname or alias.name.split(".")[0]] = statement
        elif isinstance(statement, ast.If | ast.Try | ast.With | ast.For | ast.While):
            inner = [
                *getattr(statement, "body", []),
                *getattr(statement, "orelse", []),
                *getattr(statement, "finalbody", []),
                *(s for handler in getattr(statement, "handlers", []) for s in handler.body),
            ]
            more, more_dynamic = _bindings(inner)
            names.update(more)
            dynamic |= more_dynamic
    return names, dynamic


@dataclass(frozen=True)
class Parameters:
    """What a callable's signature requires and accepts."""

    required_positional: tuple[str, ...]
    required_keyword_only: tuple[str, ...]
    all_names: frozenset[str]
    takes_var_keyword: bool


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Parameters:
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    required = tuple(a.arg for a in positional[:first_default])
    keyword_only = tuple(
        a.arg
        for a, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if default is None
    )
    names = frozenset(a.arg for a in (*positional, *args.kwonlyargs))
    return Parameters(required, keyword_only, names, args.kwarg is not None)


def step_function_problems(params: Parameters) -> list[tuple[str, str | None]]:
    """Why a function step's signature does not fit the call
    `function(step_input[, run_context=...])` (evaluators are called the same way)."""
    problems: list[tuple[str, str | None]] = []
    for name in (*params.required_positional, *params.required_keyword_only):
        if name in STEP_NOT_PASSED:
            problems.append(
                (
                    f"parameter '{name}' is not passed to function steps",
                    STEP_NOT_PASSED[name],
                )
            )
    passed = {*STEP_NOT_PASSED, "run_context"}  # agno's run_context is passed by name
    extra = [n for n in params.required_positional[1:] if n not in passed]
    extra += [n for n in params.required_keyword_only if n not in passed]
    if extra:
        listed = ", ".join(f"'{n}'" for n in extra)
        problems.append(
            (
                f"a function step receives one argument (its StepInput); {listed} would be missing",
                "give the other parameters defaults",
            )
        )
    return problems


def tool_problems(params: Parameters) -> list[tuple[str, str | None]]:
    missing = [
        name
        for name in (*params.required_positional, *params.required_keyword_only)
        if name in TOOL_INJECTED_NOT_PASSED
    ]
    return [
        (
            f"parameter '{name}' is not passed to tools by this runtime",
            "tools may ask for session_state or run_context; "
            "give the parameter a default or remove it",
        )
        for name in missing
    ]


def hook_problems(params: Parameters, available: frozenset[str]) -> list[tuple[str, str | None]]:
    if params.takes_var_keyword and not params.required_keyword_only:
        known = set(params.required_positional) <= available
        if known:
            return []
    missing = [
        name
        for name in (*params.required_positional, *params.required_keyword_only)
        if name not in available
    ]
    if not missing:
        return []
    listed = ", ".join(f"'{n}'" for n in missing)
    return [
        (
            f"hook parameter {listed} is not passed to this hook",
            "a hook receives, by name: " + ", ".join(sorted(available)),
        )
    ]


def stdlib_module(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names
