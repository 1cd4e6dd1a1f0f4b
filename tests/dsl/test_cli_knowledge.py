"""dsl/cli_knowledge.py: `agno-dsl knowledge load|search`, and knowledge problems in runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agno_dsl.cli import main
from click.testing import CliRunner

SPEC = """version: 1
models:
  fake:
    provider: scripted
    responses:
      - tool_calls: [{name: search_knowledge_base, arguments: {query: "refunds"}}]
      - content: "Within 14 days."
knowledge:
  handbook:
    sources:
      - {path: docs, metadata: {team: support}}
    chunking: {strategy: recursive, chunk_size: 40}
agents:
  helper: {model: fake, knowledge: handbook}
"""


def project(tmp_path: Path, spec: str = SPEC) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "refunds.md").write_text(
        "# Refunds\nRefunds are paid within 14 days.\nThey go back to the card.\n"
    )
    (tmp_path / "docs" / "shipping.txt").write_text("Parcels ship from Lyon.\n")
    (tmp_path / "spec.yaml").write_text(spec)
    return tmp_path / "spec.yaml"


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_load_reports_new_changed_unchanged_and_removed(tmp_path: Path) -> None:
    spec = str(project(tmp_path))
    code, out, _ = cli("knowledge", "load", spec)
    assert code == 0
    assert out.startswith("knowledge handbook: 2 new, 0 changed, 0 unchanged, 0 removed; 4 chunks")
    (tmp_path / "docs" / "shipping.txt").unlink()
    (tmp_path / "docs" / "refunds.md").write_text("# Refunds\nRefunds take 14 days.\n")
    code, out, _ = cli("knowledge", "load", spec, "handbook")
    assert out.startswith("knowledge handbook: 0 new, 1 changed, 0 unchanged, 1 removed; 1 chunks")
    code, out, _ = cli("knowledge", "load", spec)
    assert out.startswith("knowledge handbook: 0 new, 0 changed, 1 unchanged, 0 removed; 0 chunks")


def test_search_prints_the_documents_an_agent_would_get(tmp_path: Path) -> None:
    spec = str(project(tmp_path))
    code, out, _ = cli("knowledge", "search", spec, "-q", "back to the card", "--limit", "1")
    assert code == 0
    [document] = json.loads(out)
    assert document["name"] == "refunds.md"
    assert document["content"] == "They go back to the card.\n"
    assert document["meta_data"]["chunk"] == 3 and document["meta_data"]["team"] == "support"
    code, out, _ = cli("knowledge", "search", spec, "-q", "x", "--filter", "team=sales")
    assert (code, out.strip()) == (0, "No documents found")


def test_problems_are_one_line_each(tmp_path: Path) -> None:
    spec = project(tmp_path, SPEC.replace("path: docs", "path: missing"))
    code, _, err = cli("knowledge", "load", str(spec))
    assert code == 1
    assert err.strip().splitlines() == [
        f"error: {spec}:11:16: source 'missing' does not exist (looked at {tmp_path / 'missing'})"
    ]
    code, _, err = cli("knowledge", "search", str(spec), "nope", "-q", "x")
    assert code == 2 and "unknown knowledge base 'nope'" in err


def test_a_run_with_a_missing_source_fails_on_one_located_line(tmp_path: Path) -> None:
    spec = project(tmp_path, SPEC.replace("path: docs", "path: missing"))
    code, _, err = cli("run", str(spec), "Refunds?", "--agent", "helper")
    assert code == 1
    assert f"{spec}:11:16: source 'missing' does not exist" in err
    assert "Traceback" not in err


GUARD = """
import sys
from agno_dsl.cli import main
for args in (["--help"], ["knowledge", "--help"], ["validate", SPEC], ["run", PLAIN, "hi"]):
    try:
        main(args, standalone_mode=False)
    except SystemExit:
        pass
heavy = ("agno_dsl.interpreter.knowledge", "openai", "sqlite_vec", "lancedb", "qdrant_client")
print("LOADED", sorted(m for m in sys.modules if m.startswith(heavy)))
"""


def test_plain_runs_and_validation_import_no_store_or_embedder(tmp_path: Path) -> None:
    spec = project(tmp_path)
    plain = tmp_path / "plain.yaml"
    plain.write_text("version: 1\nmodels: {m: {provider: echo}}\nagents: {a: {model: m}}\n")
    result = subprocess.run(
        [sys.executable, "-c", f"SPEC = {str(spec)!r}\nPLAIN = {str(plain)!r}\n" + GUARD],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "AGNO_DSL_STORAGE": f"sqlite:///{tmp_path}/r.db"},
        timeout=120,
    )
    assert "LOADED []" in result.stdout, result.stdout + result.stderr
