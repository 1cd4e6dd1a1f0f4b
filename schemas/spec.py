"""The top-level document of language version 1."""

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    PositiveInt,
    PrivateAttr,
    WithJsonSchema,
    create_model,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .agents import Agent, Team
from .base import NAMED_KEYS, Duration, Name, NonNegativeIntField, SpecModel
from .models import ModelConfig
from .telemetry import Telemetry
from .tools import ToolConfig
from .workflows import Workflow

# `module.sub` (that module and its submodules) or `module:callable` (exactly that).
_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
_ALLOW_PATTERN = rf"^{_DOTTED}(:{_DOTTED})?$"
_ALLOW_RE = re.compile(_ALLOW_PATTERN)


def _check_allow_entry(value: str) -> str:
    if not _ALLOW_RE.match(value):
        raise PydanticCustomError(
            "python_allow",
            "'{value}' is not a module or module:callable; write e.g. json or os.path:join",
            {"value": value},
        )
    return value


PythonAllowEntry = Annotated[
    str,
    AfterValidator(_check_allow_entry),
    WithJsonSchema({"type": "string", "pattern": _ALLOW_PATTERN}),
]

STORAGE_SCHEMES = ("sqlite", "postgresql", "postgres", "redis", "rediss")
DEFAULT_STORAGE = "sqlite:///.agno-dsl/agno.db"
SECTIONS = ("models", "tools", "agents", "teams", "workflows")


class Defaults(SpecModel):
    """Defaults applied to every agent and step that does not set its own."""

    model: Name | None = Field(None, description="Model of agents and teams without one.")
    retries: NonNegativeIntField | None = Field(None, description="Retries of every step.")
    retry_delay: Duration | None = Field(None, description="First delay between retries.")
    timeout: Duration | None = Field(None, description="Timeout of every step attempt.")
    on_error: Literal["fail", "skip", "continue"] | None = Field(
        None, description="What a failing step does to the run (default skip, as agno)."
    )
    max_concurrency: PositiveInt | None = Field(
        None, description="Most steps running at once in a workflow."
    )


def _check_storage_scheme(cls: type, value: str | None) -> str | None:
    if value is not None and value.split(":", 1)[0] not in STORAGE_SCHEMES:
        raise PydanticCustomError(
            "storage_url",
            "not a storage URL; write sqlite:///path, postgresql://host/db or redis://host",
        )
    return value


class Spec(SpecModel):
    """An agno-dsl file."""

    version: Literal[1] = Field(description="Language version; must be 1.")
    name: str | None = Field(None, description="Name of the spec.")
    description: str | None = Field(None, description="What the spec is for.")
    imports: list[str] = Field(
        default_factory=list, description="Other spec files to merge, relative to this one."
    )
    models: dict[Name, ModelConfig] = Field(
        default_factory=dict, description="Models by name.", json_schema_extra=NAMED_KEYS
    )
    tools: dict[Name, ToolConfig] = Field(
        default_factory=dict, description="Tools by name.", json_schema_extra=NAMED_KEYS
    )
    agents: dict[Name, Agent] = Field(
        default_factory=dict, description="Agents by name.", json_schema_extra=NAMED_KEYS
    )
    teams: dict[Name, Team] = Field(
        default_factory=dict, description="Teams by name.", json_schema_extra=NAMED_KEYS
    )
    workflows: dict[Name, Workflow] = Field(
        default_factory=dict, description="Workflows by name.", json_schema_extra=NAMED_KEYS
    )
    storage: str | None = Field(
        None, description=f"Storage URL for runs and sessions; default {DEFAULT_STORAGE}."
    )
    # Made without validation (all fields None): building Defaults' validator for a
    # spec without `defaults:` was ~1 ms of every start.
    defaults: Defaults = Field(
        default_factory=lambda: Defaults.model_construct(), description="Defaults for all."
    )
    telemetry: Telemetry | None = Field(
        None, description="OpenTelemetry traces and metrics of every run (docs/telemetry.md)."
    )
    python_allow: list[PythonAllowEntry] = Field(
        default_factory=list,
        description=(
            "Python modules (`json`) or callables (`os:getcwd`) this spec may reference beyond "
            "the default policy: its own folder and installed non-standard-library packages."
        ),
    )

    # The front end keeps what it learned while loading (file, positions) here.
    _document: Any = PrivateAttr(default=None)

    _storage_scheme = field_validator("storage")(_check_storage_scheme)  # type: ignore[type-var]


# Sections whose validators are the costly part of Spec's (a workflow's steps
# alone are half of it): a file that does not have one does not build it.
OPTIONAL_SECTIONS = ("tools", "teams", "workflows", "telemetry")


def validate_spec(data: Any) -> Spec:
    """`Spec.model_validate(data)`, building validators only for the sections present.

    Spec's validator is built on first use and covers every section; in a short
    run (`agno-dsl run` of one agent) building it is a tenth of the process. A
    file without some of the sections is validated by a copy of Spec without
    them, which accepts and rejects the same documents with the same errors
    (an absent section is its empty default either way), and the result is
    made a Spec without validating again.
    """
    if not isinstance(data, dict):
        return Spec.model_validate(data)
    absent = tuple(section for section in OPTIONAL_SECTIONS if section not in data)
    if not absent:
        return Spec.model_validate(data)
    partial = _spec_without(absent).model_validate(data)
    spec = Spec.model_construct(partial.model_fields_set, **dict(partial))
    return spec


_PARTIAL_SPECS: dict[tuple[str, ...], type[SpecModel]] = {}


def _spec_without(absent: tuple[str, ...]) -> type[SpecModel]:
    model = _PARTIAL_SPECS.get(absent)
    if model is None:
        fields: dict[str, Any] = {
            name: (field.annotation, field)
            for name, field in Spec.model_fields.items()
            if name not in absent
        }
        model = create_model(  # type: ignore[call-overload]
            "Spec",
            __base__=_PartialSpec,
            __doc__=Spec.__doc__,
            __validators__={"_storage_scheme": field_validator("storage")(_check_storage_scheme)},
            **fields,
        )
        _PARTIAL_SPECS[absent] = model
    return model


class _PartialSpec(SpecModel):
    """Base of Spec's copies: unknown keys are judged against all of Spec's keys."""

    @classmethod
    def known_keys(cls) -> list[str]:
        return Spec.known_keys()
