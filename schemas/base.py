"""The base model and scalar types every part of the language uses.

`SpecModel` forbids unknown keys and turns pydantic's terse `extra_forbidden`
error into "unknown key 'instructons'; did you mean 'instructions'?", because
the model that rejects a key is the one place that knows which keys exist.
"""

import difflib
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .pydantic_plugins import skip_discovery_if_none_installed

skip_discovery_if_none_installed()

NAME_PATTERN = r"^[a-z_][a-z0-9_-]*$"
_NAME_RE = re.compile(NAME_PATTERN)
_IMPORT_PATH_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def suggest(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The closest choice to a misspelled word, if one is close enough."""
    matches = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_name_message(what: str, name: str, choices: list[str] | set[str]) -> str:
    """`unknown agent 'reseacher'; did you mean 'researcher'?` with a fallback listing."""
    guess = suggest(name, choices)
    if guess:
        return f"unknown {what} '{name}'; did you mean '{guess}'?"
    if choices:
        listed = ", ".join(sorted(choices)[:12])
        return f"unknown {what} '{name}'; known: {listed}"
    return f"unknown {what} '{name}'; none are defined"


def _reraise(title: str, errors: list[Any]) -> ValidationError:
    # Every error is re-created as a custom error carrying its final message, so
    # messages rewritten by nested models survive being re-raised by their parents.
    details: list[Any] = [
        {
            "type": PydanticCustomError(str(err["type"]), "{message}", {"message": err["msg"]}),
            "loc": err["loc"],
            "input": err.get("input"),
        }
        for err in errors
    ]
    return ValidationError.from_exception_data(title, details)


class SpecModel(BaseModel):
    """Base of every model of the language: strict keys, helpful messages."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, defer_build=True)

    @classmethod
    def known_keys(cls) -> list[str]:
        return [field.alias or name for name, field in cls.model_fields.items()]

    @model_validator(mode="wrap")
    @classmethod
    def _explain_unknown_keys(cls, data: Any, handler: Any) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            errors = exc.errors()
            if not any(_is_own_extra(err) for err in errors):
                raise
            for err in errors:
                if _is_own_extra(err):
                    err["type"] = "unknown_key"
                    err["msg"] = _unknown_key_message(str(err["loc"][0]), cls.known_keys())
            raise _reraise(exc.title, errors) from None


def _is_own_extra(err: Any) -> bool:
    return bool(err["type"] == "extra_forbidden" and len(err["loc"]) == 1)


def _unknown_key_message(key: str, known: list[str]) -> str:
    guess = suggest(key, known)
    if guess:
        return f"unknown key '{key}'; did you mean '{guess}'?"
    return f"unknown key '{key}'; expected one of: {', '.join(known)}"


def _check_name(value: str) -> str:
    if not _NAME_RE.match(value):
        raise PydanticCustomError(
            "invalid_name",
            "'{name}' is not a valid name: use lowercase letters, digits, '_' and '-', "
            "starting with a letter or '_'",
            {"name": value},
        )
    return value


def _check_import_path(value: str) -> str:
    if not _IMPORT_PATH_RE.match(value):
        raise PydanticCustomError(
            "invalid_import_path",
            "'{path}' is not an import path; write it as 'module.sub:callable'",
            {"path": value},
        )
    return value


def parse_duration(value: Any) -> float:
    """`500ms`, `30s`, `2m`, `1h` or a number of seconds, as float seconds."""
    if isinstance(value, bool):
        raise PydanticCustomError("invalid_duration", "a duration cannot be a boolean")
    if isinstance(value, int | float):
        if value < 0:
            raise PydanticCustomError("invalid_duration", "a duration cannot be negative")
        return float(value)
    if isinstance(value, str):
        match = _DURATION_RE.match(value)
        if match:
            return float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        raise PydanticCustomError(
            "invalid_duration",
            "'{value}' is not a duration; write e.g. 500ms, 30s, 2m or 1h",
            {"value": value},
        )
    raise PydanticCustomError(
        "invalid_duration", "a duration must be a string like 30s or a number of seconds"
    )


Name = Annotated[
    str,
    AfterValidator(_check_name),
    WithJsonSchema({"type": "string", "pattern": NAME_PATTERN}),
]
ImportPath = Annotated[
    str,
    AfterValidator(_check_import_path),
    WithJsonSchema({"type": "string", "pattern": _IMPORT_PATH_RE.pattern}),
]
Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": _DURATION_RE.pattern},
            ],
            "description": "A duration: 500ms, 30s, 2m, 1h, or a number of seconds.",
        }
    ),
]
# For mappings keyed by names: JSON Schema checks the keys too.
NAMED_KEYS: dict[str, Any] = {"propertyNames": {"pattern": NAME_PATTERN}}

# Any JSON value; strings inside it may be templates.
JsonValue = Any

NonNegativeIntField = Annotated[int, Field(ge=0)]
