"""Reading a YAML file into plain data plus a map from YAML path to file:line:col.

Round-trip loading (ruamel.yaml) keeps the position of every key and value;
we copy the document into plain dicts, lists and scalars so nothing
downstream depends on ruamel types, and we bound what a hostile file can
cost: its size, its nesting depth and how far aliases may expand it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Location, Problem, SpecError

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_NODES = 250_000
MAX_DEPTH = 100

YamlPath = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Positions (1-based line, col) of the keys and values of one file."""

    file: str
    values: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: YamlPath, *, key: bool = False) -> Location:
        """The position of `path`'s key (or value), else of its nearest known parent."""
        if key and path in self.keys:
            return Location(self.file, *self.keys[path])
        probe = tuple(path)
        while probe not in self.values and probe:
            probe = probe[:-1]
        line, col = self.values.get(probe, (1, 1))
        return Location(self.file, line, col)


class _Converter:
    """Copies a ruamel document into plain data, recording positions."""

    def __init__(self, source_map: SourceMap) -> None:
        self.source_map = source_map
        self.nodes = 0

    def convert(self, node: Any, path: YamlPath, depth: int) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Limit(
                f"the document expands to more than {MAX_NODES:,} nodes "
                "(a YAML alias bomb or a file far larger than a spec should be)"
            )
        if depth > MAX_DEPTH:
            raise _Limit(f"the document is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, CommentedMap):
            return self._mapping(node, path, depth)
        if isinstance(node, CommentedSeq):
            result = []
            for index, item in enumerate(node):
                item_path = (*path, index)
                self._record(self.source_map.values, item_path, node.lc.item, index)
                result.append(self.convert(item, item_path, depth + 1))
            return result
        if isinstance(node, TaggedScalar):
            raise _Limit(f"custom YAML tag {node.tag.value!r} is not supported")
        return _plain_scalar(node)

    def _mapping(self, node: Any, path: YamlPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for raw_key, value in node.items():
            key = str(raw_key) if raw_key is not None else ""
            item_path = (*path, key)
            self._record(self.source_map.keys, item_path, node.lc.key, raw_key)
            self._record(self.source_map.values, item_path, node.lc.value, raw_key)
            result[key] = self.convert(value, item_path, depth + 1)
        return result

    @staticmethod
    def _record(
        table: dict[YamlPath, tuple[int, int]], path: YamlPath, getter: Any, key: Any
    ) -> None:
        try:
            line, col = getter(key)
        except (KeyError, IndexError, TypeError):
            return  # merged (<<) keys have no position of their own
        table[path] = (line + 1, col + 1)


class _Limit(Exception):
    pass


def _plain_scalar(node: Any) -> Any:
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)  # dates and other exotic scalars stay as their text


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> tuple[Any, SourceMap]:
    """Parse one YAML file; raise SpecError with the exact position of any problem."""
    shown = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SpecError(
                [
                    Problem(
                        f"file is {size:,} bytes; a spec may be at most {MAX_FILE_BYTES:,}",
                        Location(shown, 1, 1),
                    )
                ]
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([Problem(f"{shown}: no such file")]) from None
    except IsADirectoryError:
        raise SpecError([Problem(f"{shown}: is a directory, not a spec file")]) from None
    except UnicodeDecodeError as exc:
        raise SpecError([Problem(f"{shown}: not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise SpecError([Problem(f"{shown}: cannot read: {exc.strerror}")]) from None
    return parse_yaml(text, shown)


def parse_yaml(text: str, shown: str) -> tuple[Any, SourceMap]:
    """Parse YAML text named `shown` in messages."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        document = yaml.load(text)
    except MarkedYAMLError as exc:
        raise SpecError([_yaml_problem(exc, shown)]) from None
    except YAMLError as exc:
        raise SpecError([Problem(f"invalid YAML: {exc}", Location(shown, 1, 1))]) from None
    except RecursionError:
        raise SpecError(
            [Problem("the document is nested too deeply to parse", Location(shown, 1, 1))]
        ) from None
    source_map = SourceMap(shown)
    source_map.values[()] = (1, 1)
    try:
        data = _Converter(source_map).convert(document, (), 0)
    except _Limit as exc:
        raise SpecError([Problem(str(exc), Location(shown, 1, 1))]) from None
    return data, source_map


def _yaml_problem(exc: Any, shown: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    location = Location(shown, mark.line + 1, mark.column + 1) if mark else None
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    if "duplicate key" in problem:
        key = problem.split('"')[1] if '"' in problem else "?"
        first = exc.context_mark
        where = f" (the mapping starts at line {first.line + 1})" if first else ""
        return Problem(f"duplicate key '{key}'{where}", location, "each key may appear once")
    return Problem(f"invalid YAML: {problem}", location)
