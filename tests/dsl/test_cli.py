"""dsl/cli.py: the commands through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT, run_cli

DESIGN = ROOT / "tests" / "examples" / "design.yaml"


def test_validate_ok(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    result = run_cli(["validate", str(DESIGN)])
    assert result.exit_code == 0
    assert "valid (2 workflows, 4 agents, 1 teams, 5 models)" in result.stdout


def test_graph_draws_the_design_dag(monkeypatch, snapshot) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    mermaid = run_cli(["graph", str(DESIGN), "--workflow", "dag"])
    dot = run_cli(["graph", str(DESIGN), "--workflow", "dag", "--format", "dot"])
    assert mermaid.exit_code == 0 and dot.exit_code == 0
    assert "dag__fetch --> dag__critic" in mermaid.stdout  # inferred from the template
    assert {"mermaid": mermaid.stdout, "dot": dot.stdout} == snapshot


def test_graph_draws_blocks_as_subgraphs(monkeypatch, snapshot) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    result = run_cli(["graph", str(DESIGN), "--workflow", "brief"])
    assert result.exit_code == 0
    for block in (
        "drafts_block",
        "check_then",
        "check_else",
        "polish_block",
        "route_tech",
        "per_section_block",
    ):
        assert f"subgraph brief__{block}" in result.stdout
    assert result.stdout == snapshot


def test_graph_unknown_workflow_is_a_usage_error(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    result = run_cli(["graph", str(DESIGN), "--workflow", "dga"])
    assert result.exit_code == 2 and "did you mean 'dag'" in result.output


def test_init_writes_specs_that_validate_and_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for template, args in (
        ("workflow", ["-i", "topic=tides"]),
        ("agent", ["hi"]),
        ("graph", ["solar"]),
    ):
        out = f"{template}.yaml"
        assert run_cli(["init", template, "-o", out]).exit_code == 0
        assert run_cli(["validate", out]).exit_code == 0
        result = run_cli(["run", out, *args])
        assert result.exit_code == 0, result.output
    schema = json.loads((tmp_path / "agno-dsl.schema.json").read_text())
    assert schema["title"] == "agno-dsl spec (language version 1)"


def test_init_refuses_to_overwrite(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agno.yaml").write_text("keep me")
    result = run_cli(["init"])
    assert result.exit_code == 2
    assert (tmp_path / "agno.yaml").read_text() == "keep me"
