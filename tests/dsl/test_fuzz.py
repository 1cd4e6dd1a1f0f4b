"""Fuzzed specs: every mutation of every cookbook and broken spec validates or fails cleanly.

Mutations are what people (and attackers) do to files: renamed keys, values
of another type, deleted and duplicated lines, shifted indentation,
truncation and stray unicode. Whatever comes out, `validate` must answer
with success or with one-line errors that each carry file:line:col — never
a traceback, never a hang. Hypothesis runs derandomized (a fixed seed), so
the same cases run everywhere; validation runs in-process for speed.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from agno_dsl.errors import SpecError
from agno_dsl.loader import load_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    [*ROOT.glob("cookbook/*/spec.yaml"), *(ROOT / "tests" / "broken").glob("*.yaml")],
    key=str,
)
SCALARS = [
    *("[]", "{}", "0", "-1", "true", "null", "'x'", "1.5", "[a, b]", "{a: 1}", '"{{ x }}"'),
    "9" * 5000,  # past Python's int-to-str limit
    "\"{{ 'x' * 10**9 }}\"",  # a memory bomb, if the key takes templates
    "&a [*a]",  # an alias to itself
]
UNICODE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=4
)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """A copy of each source's folder, so fuzzed files sit next to their Python and imports."""
    root = tmp_path_factory.mktemp("fuzz")
    copies: dict[Path, Path] = {}
    for index, source in enumerate(SOURCES):
        folder = root / f"{index:03d}"
        shutil.copytree(source.parent, folder, ignore=shutil.ignore_patterns("__pycache__"))
        copies[source] = folder
    return copies


@st.composite
def mutation(draw: st.DrawFn, lines: list[str]) -> list[str]:
    """One edit of the file's lines."""
    if not lines:
        return [draw(UNICODE)]
    index = draw(st.integers(0, len(lines) - 1))
    line = lines[index]
    kind = draw(
        st.sampled_from(
            ["rename", "swap", "delete", "duplicate", "indent", "truncate", "unicode", "join"]
        )
    )
    if kind == "rename" and ":" in line:
        key, _, rest = line.partition(":")
        position = draw(st.integers(0, max(len(key) - 1, 0)))
        edited = (
            key[:position] + draw(st.sampled_from(["", "x", "_", "-", "A"])) + key[position + 1 :]
        )
        return [*lines[:index], f"{edited}:{rest}", *lines[index + 1 :]]
    if kind == "swap" and ":" in line:
        key, _, _ = line.partition(":")
        return [*lines[:index], f"{key}: {draw(st.sampled_from(SCALARS))}", *lines[index + 1 :]]
    if kind == "delete":
        return [*lines[:index], *lines[index + 1 :]]
    if kind == "duplicate":
        return [*lines[: index + 1], line, *lines[index + 1 :]]
    if kind == "indent":
        shift = draw(st.sampled_from([-4, -2, -1, 1, 2, 4]))
        shifted = (
            " " * shift + line if shift > 0 else line[min(-shift, len(line) - len(line.lstrip())) :]
        )
        return [*lines[:index], shifted, *lines[index + 1 :]]
    if kind == "truncate":
        text = "\n".join(lines)
        return text[: draw(st.integers(0, len(text)))].split("\n")
    if kind == "join" and index + 1 < len(lines):
        return [*lines[:index], line + lines[index + 1], *lines[index + 2 :]]
    position = draw(st.integers(0, len(line)))
    return [*lines[:index], line[:position] + draw(UNICODE) + line[position:], *lines[index + 1 :]]


@st.composite
def fuzzed_spec(draw: st.DrawFn) -> tuple[Path, str]:
    source = draw(st.sampled_from(SOURCES))
    lines = source.read_text(encoding="utf-8").split("\n")
    for _ in range(draw(st.integers(1, 3))):
        lines = draw(mutation(lines))
    return source, "\n".join(lines)


@settings(
    max_examples=2500,
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=10),  # a hang guard, not a benchmark
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=fuzzed_spec())
def test_fuzzed_specs_validate_or_fail_with_located_lines(
    case: tuple[Path, str], workspace: dict[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, text = case
    folder = workspace[source]
    monkeypatch.chdir(folder)
    target = folder / "fuzzed.yaml"
    target.write_text(text, encoding="utf-8")
    try:
        load_document(target, env={"OPENAI_API_KEY": "x", "AGNO_DSL_TEST_VALUE": "v"})
    except SpecError as exc:
        assert exc.problems, "a SpecError without problems"
        for problem in exc.problems:
            line = str(problem)
            assert "\n" not in line, line
            assert problem.location is not None, f"unlocated: {line}"
            assert problem.location.line >= 1 and problem.location.col >= 1, line
