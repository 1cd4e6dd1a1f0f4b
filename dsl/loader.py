"""Loading a spec: YAML → env interpolation → pydantic → imports → cross-reference checks.

Every problem of every file is collected and raised together as one
SpecError, each with the file:line:col of the key or value at fault.
"""

from __future__ import annotations

import copy
import gc
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .checker import Checker
from .errors import Location, Problem, SpecError
from .interpolate import interpolate
from .outline import Outline
from .schemas.models import PROVIDERS
from .schemas.spec import SECTIONS, Spec, validate_spec
from .schemas.steps import misspelled_kind
from .source import SourceMap, YamlPath, display_path, read_yaml
from .templates import TemplateCompiler


@dataclass
class Document:
    """A loaded, checked spec with everything later stages need from the front end."""

    spec: Spec
    path: Path
    root_map: SourceMap
    origins: dict[tuple[str, str], SourceMap] = field(default_factory=dict)
    compiler: TemplateCompiler = field(default_factory=TemplateCompiler)
    outlines: dict[str, Outline] = field(default_factory=dict)
    # Compiled plans, by model overrides: a loaded spec is compiled once, not per run.
    compilers: dict[tuple[tuple[str, str], ...], Any] = field(default_factory=dict)
    # Every ${VAR} used (this file and its imports) with the YAML path it fills.
    env_references: list[tuple[str, YamlPath]] = field(default_factory=list)
    # What --allow-python / allow_python= widened the policy with; recorded with a run,
    # so that resuming it loads the spec under the same policy.
    allow_python: tuple[str, ...] = ()

    @property
    def base_dir(self) -> Path:
        return self.path.resolve().parent

    def locate(self, path: YamlPath, *, key: bool = False) -> Location:
        """file:line:col of a YAML path, in whichever file defined it."""
        if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], str):
            source = self.origins.get((path[0], path[1]))
            if source is not None:
                return source.locate(path, key=key)
        return self.root_map.locate(path, key=key)


def load_document(
    path: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    *,
    allow_python: Iterable[str] = (),
) -> Document:
    """Load and check a spec file; raise SpecError listing every problem.

    `allow_python` widens the spec's Python policy (python_policy.py) like
    its own `python_allow:` entries (the CLI's --allow-python).
    """
    # Loading makes many objects that all stay alive (no garbage, no cycles to
    # break): the cyclic collector's passes over them are pure cost, and grow
    # with the spec, so it waits until the spec is loaded.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load_document(path, env, tuple(allow_python))
    finally:
        if paused:
            gc.enable()


def _load_document(
    path: str | os.PathLike[str], env: Mapping[str, str] | None, allow_python: tuple[str, ...]
) -> Document:
    environment = os.environ if env is None else env
    loader = _Loader(environment)
    root = Path(path)
    document = loader.load_file(root, stack=())
    if loader.problems or document is None:
        raise SpecError(loader.problems)
    checker = Checker(
        document.spec,
        document.locate,
        document.compiler,
        base_dir=document.base_dir,
        allow_python=allow_python,
    )
    problems = checker.check()
    if problems:
        raise SpecError(problems)
    document.allow_python = allow_python
    document.outlines = checker.outlines
    document.env_references = loader.references
    return document


class _Loader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[Problem] = []
        self.references: list[tuple[str, YamlPath]] = []
        # A file imported twice (a diamond) is loaded once, so its definitions are one.
        self._loaded: dict[Path, Document | None] = {}

    def load_file(self, path: Path, stack: tuple[Path, ...]) -> Document | None:
        key = path.resolve()
        if key not in self._loaded:
            self._loaded[key] = self._load_file(path, stack)
        return self._loaded[key]

    def _load_file(self, path: Path, stack: tuple[Path, ...]) -> Document | None:
        try:
            data, source_map = read_yaml(path)
        except SpecError as exc:
            self.problems.extend(exc.problems)
            return None
        if not isinstance(data, dict):
            what = "empty" if data is None else f"a {type(data).__name__}"
            self.problems.append(
                Problem(
                    f"a spec must be a mapping, this file is {what}",
                    Location(source_map.file, 1, 1),
                    "start with `version: 1`",
                )
            )
            return None
        interpolation_problems: list[Problem] = []
        data = interpolate(
            data, self.env, source_map.locate, interpolation_problems, references=self.references
        )
        self.problems.extend(interpolation_problems)
        try:
            spec = validate_spec(data)
        except ValidationError as exc:
            self.problems.extend(_problems_from_validation(exc, data, source_map))
            self._check_references_despite(exc, data, source_map)
            return None
        if interpolation_problems:
            return None
        document = Document(spec, path, source_map)
        for section in SECTIONS:
            for name in getattr(spec, section):
                document.origins[(section, name)] = source_map
        return self._merge_imports(document, stack + (path.resolve(),))

    def _check_references_despite(
        self, exc: ValidationError, data: Any, source_map: SourceMap
    ) -> None:
        """Report reference problems too when the only shape problems are unknown keys.

        Dropping an unknown key shifts no position, so the rest of the file can
        still be checked and the user sees every problem in one pass.
        """
        if any(error["type"] != "unknown_key" for error in exc.errors()):
            return
        pruned = copy.deepcopy(data)
        for error in exc.errors():
            path, _ = _data_path(error["loc"], pruned)
            parent = pruned
            for part in path[:-1]:
                parent = parent[part]
            parent.pop(path[-1], None)
        try:
            spec = validate_spec(pruned)
        except ValidationError:
            return
        if spec.imports:
            return  # imported definitions are unknown here; avoid false alarms
        document = Document(spec, Path(source_map.file), source_map)
        checker = Checker(spec, document.locate, document.compiler, base_dir=document.base_dir)
        self.problems.extend(checker.check())

    def _merge_imports(self, document: Document, stack: tuple[Path, ...]) -> Document | None:
        spec = document.spec
        merged: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
        origins: dict[tuple[str, str], SourceMap] = {}
        ok = True
        for index, relative in enumerate(spec.imports):
            where = document.root_map.locate(("imports", index))
            target = (document.path.parent / relative).resolve()
            if target in stack:
                chain = " → ".join(
                    display_path(p)
                    for p in (*stack, target)
                    if p in stack[stack.index(target) :] or p == target
                )
                self.problems.append(Problem(f"import cycle: {chain}", where))
                ok = False
                continue
            if not target.is_file():
                self.problems.append(
                    Problem(
                        f"imported file '{relative}' does not exist",
                        where,
                        "import paths are relative to the importing file",
                    )
                )
                ok = False
                continue
            imported = self.load_file(target, stack)
            if imported is None:
                ok = False
                continue
            for section in SECTIONS:
                for name, value in getattr(imported.spec, section).items():
                    origin = imported.origins[(section, name)]
                    if not self._claim(merged, origins, section, name, value, origin):
                        ok = False
        for section in SECTIONS:
            for name, value in getattr(spec, section).items():
                if not self._claim(merged, origins, section, name, value, document.root_map):
                    ok = False
        if not ok:
            return None
        document.spec = spec.model_copy(update=merged)
        document.origins = origins
        return document

    def _claim(
        self,
        merged: dict[str, dict[str, Any]],
        origins: dict[tuple[str, str], SourceMap],
        section: str,
        name: str,
        value: Any,
        origin: SourceMap,
    ) -> bool:
        key = (section, name)
        if key in origins:
            if origins[key] is origin:
                return True  # the same file imported twice (a diamond): one definition
            first = origins[key].locate((section, name), key=True)
            self.problems.append(
                Problem(
                    f"{section[:-1]} '{name}' is already defined at {first}",
                    origin.locate((section, name), key=True),
                    "names must be unique across imports",
                )
            )
            return False
        merged[section][name] = value
        origins[key] = origin
        return True


def _problems_from_validation(
    exc: ValidationError, data: Any, source_map: SourceMap
) -> list[Problem]:
    problems = []
    for error in exc.errors():
        path, key_error = _data_path(error["loc"], data)
        if error["type"] == "union_tag_invalid":
            path = (*path, "provider")
        message = _message(error, path)
        at_key = key_error or error["type"] == "unknown_key"
        if error["type"] == "step_kind_typo":
            typo = misspelled_kind(_at(data, path))
            if typo is not None:  # point at the misspelled key itself
                path, at_key = (*path, typo[0]), True
        location = source_map.locate(path, key=at_key)
        shown = _dotted(path[:-1] if error["type"] == "missing" else path)
        problems.append(Problem(f"{shown}: {message}" if shown else message, location))
    return problems


def _at(data: Any, path: YamlPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[YamlPath, bool]:
    """The YAML path of a pydantic error location (dropping union tags)."""
    path: list[str | int] = []
    node = data
    key_error = False
    for part in loc:
        if part == "[key]":
            key_error = True
            continue
        if (
            isinstance(node, dict)
            and part in node
            or isinstance(node, list)
            and isinstance(part, int)
            and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif (
            isinstance(node, dict)
            and isinstance(part, str)
            and ":" not in part
            and part not in PROVIDERS
        ):
            path.append(part)  # a missing key: point at the mapping, name the key
            node = None
    return tuple(path), key_error


def _message(error: Any, path: YamlPath) -> str:
    kind = error["type"]
    if kind == "missing":
        return f"missing required key '{path[-1]}'" if path else "missing required key"
    if kind == "union_tag_not_found":
        return f"a model needs provider: one of {', '.join(PROVIDERS)}"
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag", "?")
        path = path[:-1]
        return f"unknown provider '{tag}'; expected one of: {', '.join(PROVIDERS)}"
    if kind == "literal_error" and path == ("version",):
        return "version must be 1, the only language version"
    message = str(error["msg"])
    return message[:1].lower() + message[1:]


def _dotted(path: YamlPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
