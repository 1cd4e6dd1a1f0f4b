"""Reading a YAML file into plain data plus a map from YAML path to file:line:col.

The file is composed into a node tree by libyaml (PyYAML's C parser, with
the pure-Python parser as fallback), which keeps the position of every key
and value, then copied into plain dicts, lists and scalars. Scalars follow
YAML 1.2's core schema (`yes`, `on` and `0777` are not special). We bound
what a hostile file can cost: its size, its nesting depth, how far aliases
may expand it and how large a number may be.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Location, Problem, SpecError

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_NODES = 250_000
MAX_DEPTH = 100
# Integers are 64-bit signed: what JSON tools, SQLite and every provider accept.
MAX_INTEGER = 2**63 - 1

YamlPath = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT = f"{_CORE}str", f"{_CORE}int", f"{_CORE}float"
_BOOL, _NULL = f"{_CORE}bool", f"{_CORE}null"
_MAP, _SEQ, _MERGE = f"{_CORE}map", f"{_CORE}seq", f"{_CORE}merge"


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


class _Limit(Exception):
    """A problem with the document found while copying it; `node` is where."""

    def __init__(self, message: str, node: Any = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.node = node
        self.hint = hint


def _position(node: Any) -> tuple[int, int]:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


class _Converter:
    """Copies a composed node tree into plain data, recording positions."""

    def __init__(self, source_map: SourceMap) -> None:
        self.source_map = source_map
        self.nodes = 0

    def convert(self, node: Any, path: YamlPath, depth: int) -> Any:
        import yaml

        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Limit(
                f"the document expands to more than {MAX_NODES:,} nodes "
                "(a YAML alias bomb or a file far larger than a spec should be)"
            )
        if depth > MAX_DEPTH:
            raise _Limit(f"the document is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.MappingNode):
            _require_tag(node, _MAP)
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            _require_tag(node, _SEQ)
            result = []
            for index, item in enumerate(node.value):
                item_path = (*path, index)
                self.source_map.values[item_path] = _position(item)
                result.append(self.convert(item, item_path, depth + 1))
            return result
        return _scalar(node)

    def _mapping(self, node: Any, path: YamlPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            key = _key(key_node)
            if key in seen:
                starts = node.start_mark.line + 1
                raise _Limit(
                    f"duplicate key '{key}' (the mapping starts at line {starts})",
                    key_node,
                    "each key may appear once",
                )
            seen.add(key)
            item_path = (*path, key)
            self.source_map.keys[item_path] = _position(key_node)
            self.source_map.values[item_path] = _position(value_node)
            result[key] = self.convert(value_node, item_path, depth + 1)
        for merged in merges:
            self._merge(merged, result, path, depth)
        return result

    def _merge(self, source: Any, result: dict[str, Any], path: YamlPath, depth: int) -> None:
        """`<<: *base` (or a list of them): keys the mapping does not set itself."""
        import yaml

        sources = source.value if isinstance(source, yaml.SequenceNode) else [source]
        for mapping in sources:
            if not isinstance(mapping, yaml.MappingNode):
                raise _Limit("'<<' merges a mapping or a list of mappings", mapping)
            values = self._mapping(mapping, path, depth)  # positions of its own keys
            for key, value in values.items():
                result.setdefault(key, value)


def _require_tag(node: Any, expected: str) -> None:
    if node.tag != expected:
        raise _Limit(f"custom YAML tag {node.tag!r} is not supported", node)


def _key(node: Any) -> str:
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        raise _Limit("a key must be a plain value, not a list or mapping", node)
    value = _scalar(node)
    return "" if value is None else str(value)


_INT_PATTERN = re.compile(r"[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)")
_FLOAT_PATTERN = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


def _scalar(node: Any) -> Any:
    tag, text = node.tag, node.value
    if tag == _STR or tag == "!":
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _INT:
        return _integer(node)
    if tag == _FLOAT:
        return _float(node)
    raise _Limit(f"custom YAML tag {tag!r} is not supported", node)


def _integer(node: Any) -> int:
    text = node.value.strip()
    if not _INT_PATTERN.fullmatch(text):
        raise _Limit(f"{text[:40]!r} is not an integer", node)
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    # Checked on the text first: int() of thousands of digits is slow, then refused.
    if len(digits) > 24:
        raise _Limit(
            f"integer of {len(digits):,} digits is out of range",
            node,
            f"numbers in a spec are at most {MAX_INTEGER:,}",
        )
    base = 8 if digits.startswith("0o") else 16 if digits.startswith("0x") else 10
    value = sign * int(digits[2:] if base != 10 else digits, base)
    if abs(value) > MAX_INTEGER:
        hint = f"numbers in a spec are at most {MAX_INTEGER:,}"
        raise _Limit(f"integer {text} is out of range", node, hint)
    return value


def _float(node: Any) -> float:
    text = node.value.strip()
    if not _FLOAT_PATTERN.fullmatch(text):
        raise _Limit(f"{text[:40]!r} is not a number", node)
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)


def _resolver_class() -> Any:
    """A resolver for YAML 1.2's core schema (PyYAML's own follows YAML 1.1)."""
    from yaml.resolver import BaseResolver

    class CoreResolver(BaseResolver):
        pass

    CoreResolver.yaml_implicit_resolvers = {}
    implicit = [
        (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        (_INT, r"^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
        (
            _FLOAT,
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            "-+.0123456789",
        ),
        (_MERGE, r"^<<$", "<"),
    ]
    for tag, pattern, first in implicit:
        CoreResolver.add_implicit_resolver(tag, re.compile(pattern), list(first))
    return CoreResolver


def _compose(text: str) -> Any:
    resolver = _resolver_class()
    try:
        from yaml._yaml import CParser
    except ImportError:  # no libyaml: the pure-Python parser, slower, same result
        from yaml.composer import Composer
        from yaml.parser import Parser
        from yaml.reader import Reader
        from yaml.scanner import Scanner

        class PyLoader(Reader, Scanner, Parser, Composer, resolver):  # type: ignore[misc, valid-type]
            def __init__(self, stream: str) -> None:
                Reader.__init__(self, stream)
                Scanner.__init__(self)
                Parser.__init__(self)
                Composer.__init__(self)
                resolver.__init__(self)

        loader: Any = PyLoader(text)
    else:

        class CLoader(CParser, resolver):  # type: ignore[misc, valid-type]
            def __init__(self, stream: str) -> None:
                CParser.__init__(self, stream)
                resolver.__init__(self)

        loader = CLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


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
    from yaml import MarkedYAMLError, YAMLError
    from yaml.reader import ReaderError

    try:
        document = _compose(text)
    except MarkedYAMLError as exc:
        raise SpecError([_yaml_problem(exc, text, shown)]) from None
    except ReaderError as exc:  # a character YAML does not allow
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise SpecError(
            [
                Problem(
                    f"invalid YAML: the character U+{ord(character):04X} is not allowed in YAML",
                    Location(shown, line, col),
                    "remove it, or write it as an escape (\\uXXXX) inside double quotes",
                )
            ]
        ) from None
    except (YAMLError, ValueError) as exc:
        first = " ".join(str(exc).split("\n")[0].split())
        raise SpecError([Problem(f"invalid YAML: {first}", Location(shown, 1, 1))]) from None
    except RecursionError:
        raise SpecError(
            [Problem("the document is nested too deeply to parse", Location(shown, 1, 1))]
        ) from None
    source_map = SourceMap(shown)
    source_map.values[()] = (1, 1)
    if document is None:
        return None, source_map
    try:
        data = _Converter(source_map).convert(document, (), 0)
    except _Limit as exc:
        line, col = _position(exc.node) if exc.node is not None else (1, 1)
        raise SpecError([Problem(str(exc), Location(shown, line, col), exc.hint)]) from None
    return data, source_map


def _yaml_problem(exc: Any, text: str, shown: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    location = Location(shown, mark.line + 1, mark.column + 1) if mark else None
    problem = " ".join((exc.problem or exc.context or "invalid YAML").split())
    if "nesting depth" in problem or "nesting depth" in (exc.context or ""):
        return Problem("the document is nested too deeply to parse", location)
    lines = text.splitlines()
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if mark and line[mark.column : mark.column + 1] == "\t":
        return Problem(
            "invalid YAML: a tab character where YAML expects spaces",
            location,
            "YAML indents with spaces only; replace the tab with spaces",
        )
    return Problem(f"invalid YAML: {problem}", location, _syntax_hint(problem, exc))


# (words in the parser's problem, words in its context, what it usually means)
_SYNTAX_HINTS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (
        ("mapping values are not allowed",),
        (),
        "a ':' where no key can start: check this line's indentation against the "
        "lines above, or quote a value that contains ': '",
    ),
    (
        ("expected <block end>", "did not find expected key"),
        (),
        "this line is indented differently from the keys it belongs with; align it",
    ),
    (
        ("could not find expected ':'",),
        (),
        "a key needs ':' after it, or a long value needs quotes",
    ),
    (
        ("found undefined alias",),
        ("found undefined",),
        "define the anchor (&name) before using it (*name)",
    ),
    (
        ("end of stream",),
        ("while scanning a quoted scalar",),
        "a quote, bracket or brace is not closed",
    ),
    (("expected ',' or",), ("flow",), "a [list] or {mapping} is not closed where it should be"),
    (
        ("block sequence entries are not allowed",),
        (),
        "a '- ' list item cannot follow a key on the same line; start it on its own line",
    ),
    (("cannot start any token",), (), "quote a value that starts with this character"),
)


def _syntax_hint(problem: str, exc: Any) -> str | None:
    """What the parser's complaint usually means, in plain words."""
    context = exc.context or ""
    for in_problem, in_context, hint in _SYNTAX_HINTS:
        if any(words in problem for words in in_problem) or any(
            words in context for words in in_context
        ):
            return hint
    return None
