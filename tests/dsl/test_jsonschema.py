"""`agno-dsl schema` is a standard JSON Schema that agrees with the loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from agno_dsl.jsonschema import language_schema
from agno_dsl.source import read_yaml
from jsonschema import Draft202012Validator

from tests.conftest import COOKBOOK, ROOT, run_cli

BROKEN = ROOT / "tests" / "broken"
VALID_SPECS = sorted(
    [
        *COOKBOOK.glob("*/spec.yaml"),
        *(ROOT / "tests" / "examples").glob("*.yaml"),
        *(ROOT / "dsl" / "starters").glob("*.yaml"),
    ]
)
# Broken specs whose only problem is the shape of the document (not references,
# templates, env vars or YAML syntax): the JSON Schema must reject them too.
SHAPE_ERRORS = [
    "misspelled_top_key",
    "misspelled_agent_key",
    "misspelled_step_key",
    "misspelled_block_key",
    "wrong_version",
    "missing_version",
    "unknown_provider",
    "missing_provider",
    "openai_missing_id",
    "wrong_type_retries",
    "negative_retries",
    "bad_duration",
    "bad_duration_unit",
    "bad_name_uppercase",
    "bad_name_space",
    "tool_two_kinds",
    "tool_bad_import_path",
    "team_bad_mode",
    "step_two_kinds",
    "step_no_kind",
    "step_not_mapping",
    "workflow_empty",
    "loop_zero_iterations",
    "router_without_routes",
]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = language_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _data(path: Path) -> Any:
    return read_yaml(path)[0]


@pytest.mark.parametrize("path", VALID_SPECS, ids=lambda p: str(p.relative_to(ROOT)))
def test_schema_accepts_valid_specs(path: Path, validator: Draft202012Validator) -> None:
    errors = [e.message for e in validator.iter_errors(_data(path))]
    assert errors == []


@pytest.mark.parametrize("name", SHAPE_ERRORS)
def test_schema_rejects_shape_errors(name: str, validator: Draft202012Validator) -> None:
    assert not validator.is_valid(_data(BROKEN / f"{name}.yaml"))


def test_every_property_has_a_description() -> None:
    schema = language_schema()
    missing = []

    def visit(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, prop in (node.get("properties") or {}).items():
                if "description" not in prop:
                    missing.append(f"{where}.{key}")
            for key, value in node.items():
                visit(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, f"{where}[{index}]")

    visit(schema, "$")
    assert missing == []


def test_cli_schema_prints_the_schema() -> None:
    result = run_cli(["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == language_schema()
