"""The broken-spec corpus: every file is rejected, every error snapshot-tested with its place."""

from __future__ import annotations

from pathlib import Path

import pytest
from agno_dsl.errors import SpecError
from agno_dsl.loader import load_document

BROKEN = Path(__file__).resolve().parent.parent / "broken"
CORPUS = sorted(p.name for p in BROKEN.glob("*.yaml"))


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("name", CORPUS)
def test_broken_spec_is_rejected_with_located_errors(name: str, snapshot, monkeypatch) -> None:
    monkeypatch.chdir(BROKEN)
    monkeypatch.delenv("AGNO_DSL_TEST_UNSET_KEY", raising=False)
    with pytest.raises(SpecError) as caught:
        load_document(name)
    lines = [str(problem) for problem in caught.value.problems]
    # One line per problem, each starting with file:line:col.
    for line in lines:
        assert "\n" not in line
        file, line_no, col, _ = line.split(":", 3)
        assert file.endswith(".yaml") and int(line_no) >= 1 and int(col) >= 1
    assert lines == snapshot


def test_cli_validate_prints_each_problem_and_exits_1(monkeypatch) -> None:
    from tests.conftest import run_cli

    monkeypatch.chdir(BROKEN)
    result = run_cli(["validate", "several_problems.yaml", "wrong_version.yaml"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "several_problems.yaml:5:14: unknown model 'fast'; known: fake",
        "several_problems.yaml:5:20: agents.a.instructons: unknown key 'instructons'; "
        "did you mean 'instructions'?",
        "several_problems.yaml:6:28: unknown tool 'nope'; none are defined",
        "several_problems.yaml:10:26: unknown agent 'c'; known: a, b",
        "wrong_version.yaml:1:10: version: version must be 1, the only language version",
    ]
    assert "Traceback" not in result.output
