"""dsl/interpolate.py: ${VAR} and ${VAR:-default}."""

from __future__ import annotations

from agno_dsl.errors import Location, Problem
from agno_dsl.interpolate import interpolate


def _run(data, env):
    problems: list[Problem] = []
    result = interpolate(data, env, lambda path: Location("f.yaml", 1, len(path) + 1), problems)
    return result, [str(p) for p in problems]


def test_variables_defaults_and_escapes() -> None:
    data = {"a": "${HOST}:${PORT:-80}", "b": ["$${LITERAL}", 3], "c": "${EMPTY:-}"}
    result, problems = _run(data, {"HOST": "example"})
    assert result == {"a": "example:80", "b": ["${LITERAL}", 3], "c": ""}
    assert problems == []


def test_set_but_empty_variable_wins_over_default() -> None:
    result, _ = _run("${X:-fallback}", {"X": ""})
    assert result == ""


def test_missing_variable_is_named_at_its_location() -> None:
    _, problems = _run({"models": {"m": {"api_key": "${SECRET_KEY}"}}}, {})
    assert problems == [
        "f.yaml:1:4: environment variable SECRET_KEY is not set "
        "(hint: export SECRET_KEY=... or write ${SECRET_KEY:-default})"
    ]


def test_templates_are_left_alone() -> None:
    result, problems = _run("{{ input.x }} costs $5", {})
    assert result == "{{ input.x }} costs $5" and problems == []
