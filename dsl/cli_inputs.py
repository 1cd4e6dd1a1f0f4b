"""What the user types for a run: `MESSAGE`, `-i key=value`, `--input-file`, answers to
a paused step at the terminal, and the hints when one of them does not fit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click


@dataclass
class Inputs:
    """The parsed input, and which `-i` values JSON turned into something other than text."""

    value: Any = None
    not_text: dict[str, str] = field(default_factory=dict)  # key → what was typed

    def quoting_hint(self, message: str) -> str:
        """A hint for `-i topic=42` when the schema wanted the text "42"."""
        for key, raw in self.not_text.items():
            if f" at {key}: " in message and "is not of type 'string'" in message:
                return (
                    f" (hint: -i values are read as JSON; quote to pass text: -i {key}='\"{raw}\"')"
                )
        return ""


def parse_inputs(message: str | None, pairs: tuple[str, ...], input_file: str | None) -> Inputs:
    """MESSAGE alone is a string input; -i and --input-file build an object."""
    if message is not None and (pairs or input_file):
        raise click.UsageError("give either MESSAGE or -i/--input-file, not both")
    if message is not None:
        return Inputs(message)
    inputs = Inputs()
    if input_file is not None:
        try:
            inputs.value = json.loads(Path(input_file).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise click.UsageError(f"--input-file {input_file}: {exc}") from None
    if pairs:
        if inputs.value is None:
            inputs.value = {}
        if not isinstance(inputs.value, dict):
            raise click.UsageError("-i needs --input-file to hold a JSON object")
        for pair in pairs:
            key, sep, raw = pair.partition("=")
            if not sep or not key:
                raise click.UsageError(f"-i {pair!r}: write key=value")
            inputs.value[key] = parse_value(raw)
            if not isinstance(inputs.value[key], str):
                inputs.not_text[key] = raw
    return inputs


def parse_value(raw: str) -> Any:
    """JSON when it parses (numbers, booleans, lists, objects), else the text itself."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def missing_input_message(what: str, schema: Any) -> str:
    """Said when a run that needs input was started without any: which -i keys to pass."""
    properties = list(schema.get("properties") or {}) if isinstance(schema, dict) else []
    required = [key for key in schema.get("required") or [] if key in properties] or properties
    if not required:
        return f"{what} needs input: pass MESSAGE, -i key=value or --input-file FILE"
    flags = " ".join(f"-i {key}=..." for key in required)
    optional = [key for key in properties if key not in required]
    more = f"; optional: {', '.join(optional)}" if optional else ""
    return f"{what} needs input: pass {flags} (or --input-file FILE){more}"


def ask_until_valid(pending: Any, check: Any) -> Any:
    """Ask at the terminal until the answer fits the waiting step (blocking; in a thread)."""
    from .answers import input_fields

    if pending.kind == "confirm":
        question = pending.question or f"Run step '{pending.step_name}'?"
        return "approve" if click.confirm(question, default=True, err=True) else "reject"
    while True:
        values = {
            key: parse_value(click.prompt(f"{pending.step_name}: {key}", err=True))
            for key in input_fields(pending) or ["value"]
        }
        problem = check(values)
        if problem is None:
            return values
        click.echo(f"that does not fit: {problem}; try again", err=True)
