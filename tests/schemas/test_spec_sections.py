"""`validate_spec` (validators built per section present) judges exactly like Spec's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from agno_dsl.errors import SpecError
from agno_dsl.schemas.spec import Spec, validate_spec
from agno_dsl.source import read_yaml
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [
        *ROOT.glob("tests/broken/**/*.yaml"),
        *ROOT.glob("cookbook/*/*.yaml"),
        *ROOT.glob("tests/examples/*.yaml"),
    ]
)


def _outcome(validate: Any, data: Any) -> tuple[str, Any]:
    try:
        spec = validate(data)
    except ValidationError as exc:
        return "invalid", [(e["type"], e["loc"], e["msg"]) for e in exc.errors()]
    assert type(spec) is Spec
    return "valid", (spec.model_dump(), sorted(spec.model_fields_set))


def _parsed(path: Path) -> Any:
    try:
        return read_yaml(path)[0]
    except SpecError:
        return None  # not YAML: never reaches validation


PARSED = [(path, data) for path in FILES if (data := _parsed(path)) is not None]


@pytest.mark.parametrize(
    ("path", "data"), PARSED, ids=[str(path.relative_to(ROOT)) for path, _ in PARSED]
)
def test_every_file_gets_the_same_verdict(path: Path, data: Any) -> None:
    assert _outcome(validate_spec, data) == _outcome(Spec.model_validate, data)


@pytest.mark.parametrize(
    "data",
    [
        {"version": 1, "workflow": {}},  # misspelled absent section: did-you-mean all keys
        {"version": 1, "teams": {}},
        {"version": 1, "tools": None},
        {"version": 1, "agents": {"a": {"model": "m", "tools": ["t"]}}, "storage": "ftp://x"},
        {"version": 2},
        {},
    ],
)
def test_edge_cases_get_the_same_verdict(data: dict[str, Any]) -> None:
    assert _outcome(validate_spec, data) == _outcome(Spec.model_validate, data)
