"""Checking values against the JSON Schemas of a spec (input_schema, input_required)."""

from __future__ import annotations

from typing import Any

from .errors import InputCheckError


def input_problem(schema: Any, value: Any) -> str | None:
    """The first way `value` fails a JSON Schema (` at PATH: message`, or `: message`)."""
    if schema is None:
        return None
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.path))
    if not errors:
        return None
    first = errors[0]
    at = "/".join(str(p) for p in first.path)
    return f"{' at ' + at if at else ''}: {first.message}"


def check_input(schema: Any, value: Any, where: str, what: str) -> None:
    """Raise InputCheckError when `value` does not satisfy a JSON Schema."""
    problem = input_problem(schema, value)
    if problem is not None:
        raise InputCheckError(
            f"input of {what}{problem} (input_schema at {where})", check_trigger="input_schema"
        )
