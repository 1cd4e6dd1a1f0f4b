"""dsl/source.py: YAML → plain data with positions; hostile input bounded."""

from __future__ import annotations

import tracemalloc

import pytest
from agno_dsl.errors import SpecError
from agno_dsl.source import MAX_FILE_BYTES, parse_yaml, read_yaml


def test_positions_of_keys_and_values() -> None:
    data, smap = parse_yaml("version: 1\nagents:\n  a:\n    model: m\n  b: [x, y]\n", "f.yaml")
    assert data == {"version": 1, "agents": {"a": {"model": "m"}, "b": ["x", "y"]}}
    assert str(smap.locate(("agents", "a", "model"))) == "f.yaml:4:12"
    assert str(smap.locate(("agents", "a", "model"), key=True)) == "f.yaml:4:5"
    assert str(smap.locate(("agents", "b", 1))) == "f.yaml:5:10"
    # An unknown path falls back to its nearest known parent.
    assert str(smap.locate(("agents", "a", "nothing", 3))) == "f.yaml:4:5"


def test_values_are_plain_python_types() -> None:
    data, _ = parse_yaml("a: 'x'\nb: 1.5\nc: true\nd: null\ne: 2024-01-01\n", "f.yaml")
    assert [type(v) for v in data.values()] == [str, float, bool, type(None), str]


def test_aliases_and_merge_keys_work() -> None:
    data, _ = parse_yaml("base: &b {retries: 2}\nstep:\n  <<: *b\n  name: s\n", "f.yaml")
    assert data["step"] == {"retries": 2, "name": "s"}


def test_alias_bomb_is_rejected_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    # Stopped before it expands: the work is bounded in memory, whatever the
    # machine's load (a wall-clock bound failed under load, and timing is for benchmarks/).
    tracemalloc.start()
    try:
        with pytest.raises(SpecError, match="expands to more than"):
            parse_yaml("\n".join(lines), "bomb.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024


def test_deep_nesting_is_rejected() -> None:
    with pytest.raises(SpecError, match="nested"):
        parse_yaml("a: " + "[" * 5000 + "]" * 5000, "deep.yaml")


def test_oversized_file_is_rejected(tmp_path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: '" + "x" * (MAX_FILE_BYTES + 1) + "'\n")
    with pytest.raises(SpecError, match="at most"):
        read_yaml(big)


def test_missing_file_and_binary_file(tmp_path) -> None:
    with pytest.raises(SpecError, match="no such file"):
        read_yaml(tmp_path / "nope.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SpecError, match="not UTF-8"):
        read_yaml(binary)


def test_duplicate_key_points_at_the_second_key() -> None:
    with pytest.raises(SpecError) as caught:
        parse_yaml("version: 1\nname: a\nname: b\n", "dup.yaml")
    assert str(caught.value).startswith("dup.yaml:3:1: duplicate key 'name'")


def test_a_forbidden_character_is_located_on_one_line() -> None:
    with pytest.raises(SpecError) as caught:
        parse_yaml("a: 1\nb: x\x1f\n", "f.yaml")
    assert str(caught.value) == (
        "f.yaml:2:5: invalid YAML: the character U+001F is not allowed in YAML "
        "(hint: remove it, or write it as an escape (\\uXXXX) inside double quotes)"
    )


def test_yaml_syntax_errors_get_plain_hints() -> None:
    cases = {
        "a:\n  b: 1\n c: 2\n": "indented differently",
        "a: [1, 2\n": "not closed",
        "a:\n\tb: 1\n": "YAML indents with spaces only",
        "a: b: c\n": "quote a value",
    }
    for text, hint in cases.items():
        with pytest.raises(SpecError) as caught:
            parse_yaml(text, "f.yaml")
        (problem,) = caught.value.problems
        assert problem.hint is not None and hint in problem.hint, (text, str(problem))
