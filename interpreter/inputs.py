"""Checking values against the JSON Schemas of a spec (input_schema, input_required)."""

from __future__ import annotations

from typing import Any

from .errors import InputCheckError


def check_input(schema: Any, value: Any, where: str, what: str) -> None:
    """Raise InputCheckError when `value` does not satisfy a JSON Schema."""
    if schema is None:
        return
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        at = "/".join(str(p) for p in first.path)
        at = f" at {at}" if at else ""
        raise InputCheckError(
            f"input of {what}{at}: {first.message} (input_schema at {where})",
            check_trigger="input_schema",
        )
