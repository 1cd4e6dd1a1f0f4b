"""Reading docs/migration.md's parameter tables, and checking the places they name.

The guide's source comment describes the notation; this module is its parser:
which agno parameters each table lists (first column), and where they go in
agno-dsl (second column): key paths of the language's JSON Schema, `agno-dsl`
command options, attributes of the StepInput / RunContext our runtime hands
to Python code, or one of the words for what has no key.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "migration.md"

MARKER = re.compile(r"^<!-- params: (?P<target>[\w.]+) -->$")
BACKTICKED = re.compile(r"`([^`]+)`")
COMING = "coming:"
# What a row says when no key takes the parameter.
NO_KEY_WORDS = ("unsupported", "agno's default", "n/a")
STEP_PREFIX = "<step>"
STEP_PATH = "workflows.<name>.steps[]"


@dataclass(frozen=True)
class Row:
    """One row of a parameter table."""

    target: str  # the agno class the table is about, e.g. agno.agent.Agent
    line: int
    params: tuple[str, ...]  # agno's names in the first column
    current: tuple[str, ...]  # places named in the second column, before `coming:`
    coming: tuple[str, ...]  # places named after `coming:`
    word: str  # the second column's text when it names no place
    notes: str


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _param_name(text: str) -> str:
    return text[:-2] if text.endswith("()") else text


def read_rows(text: str) -> Iterator[Row]:
    """Every row of every table that follows a `params:` marker."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = MARKER.match(line.strip())
        if match is None:
            continue
        table = index + 1
        # header and separator, then rows until the table ends
        for offset, row_line in enumerate(lines[table + 2 :], start=table + 3):
            if not row_line.startswith("|"):
                break
            first, where, notes = (cells(row_line) + ["", "", ""])[:3]
            current_text, _, coming_text = where.partition(COMING)
            current = tuple(BACKTICKED.findall(current_text))
            yield Row(
                target=match["target"],
                line=offset,
                params=tuple(_param_name(p) for p in BACKTICKED.findall(first)),
                current=current,
                coming=tuple(BACKTICKED.findall(coming_text)),
                word="" if current or coming_text else current_text.strip(),
                notes=notes,
            )


# agno's records handed to user code: their fields (and methods) are what a user
# reads. Everything else is built by its constructor, whose parameters count.
RECORDS = ("agno.workflow.types.StepInput", "agno.run.RunContext")


def agno_parameters(target: str) -> set[str]:
    """agno's own names for `module.Class`: its constructor's parameters, or for a
    record (StepInput, RunContext) its fields and public methods; for a
    decorator (`agno.tools.decorator.tool`) its keyword options."""
    module_name, _, class_name = target.rpartition(".")
    cls = getattr(importlib.import_module(module_name), class_name)
    if target in RECORDS:
        names = {field.name for field in dataclasses.fields(cls)}
        names |= {
            name for name in vars(cls) if not name.startswith("_") and callable(getattr(cls, name))
        }
        return names
    if not inspect.isclass(cls):
        # A decorator such as agno's @tool: its options are its widest overload's.
        widest = max(typing.get_overloads(cls), key=lambda f: len(inspect.signature(f).parameters))
        return set(inspect.signature(widest).parameters)
    names = set()
    for param in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        if param.kind is param.VAR_POSITIONAL:
            names.add(f"*{param.name}")
        elif param.kind is not param.VAR_KEYWORD:
            names.add(param.name)
    return names


# --- where a place is ------------------------------------------------------------


class Places:
    """Answers whether a place the guide names exists in today's agno-dsl."""

    def __init__(self, schema: dict[str, Any], cli: click.Group, runtime: dict[str, type]):
        self.schema = schema
        self.options = set(_options(cli))
        self.runtime = runtime  # `step_input` / `run_context` → our class

    def exists(self, place: str) -> bool:
        if place.startswith("--"):
            return place in self.options
        head, _, attribute = place.partition(".")
        if head in self.runtime:
            return _has_attribute(self.runtime[head], attribute)
        if place.startswith(STEP_PREFIX):
            place = STEP_PATH + place[len(STEP_PREFIX) :]
        return bool(self._walk(place.split(".")))

    def _walk(self, keys: list[str]) -> list[dict[str, Any]]:
        found = [self.schema]
        for key in keys:
            is_list = key.endswith("[]")
            key = key.removesuffix("[]")
            found = [child for schema in found for child in self._child(schema, key)]
            if is_list:
                found = [
                    item
                    for schema in found
                    for alternative in self._alternatives(schema)
                    for item in self._alternatives(alternative.get("items", {}))
                    if "items" in alternative
                ]
        return found

    def _child(self, schema: dict[str, Any], key: str) -> list[dict[str, Any]]:
        children = []
        for alternative in self._alternatives(schema):
            if key == "<name>":
                children += list(alternative.get("patternProperties", {}).values())
                extra = alternative.get("additionalProperties")
                if isinstance(extra, dict):
                    children.append(extra)
            elif key in alternative.get("properties", {}):
                children.append(alternative["properties"][key])
        return [resolved for child in children for resolved in self._alternatives(child)]

    def _alternatives(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        """The schema itself, its $ref resolved, and its anyOf/oneOf/allOf parts."""
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return self._alternatives(self.schema["$defs"][name])
        result = [schema]
        for combinator in ("anyOf", "oneOf", "allOf"):
            for part in schema.get(combinator, []):
                result += self._alternatives(part)
        return result


def _has_attribute(cls: type, name: str) -> bool:
    if dataclasses.is_dataclass(cls) and name in {f.name for f in dataclasses.fields(cls)}:
        return True
    return hasattr(cls, name)


def _options(command: click.Command) -> Iterator[str]:
    for param in command.params:
        yield from (opt for opt in param.opts if opt.startswith("--"))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _options(sub)
