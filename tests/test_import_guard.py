"""A plain run never imports an optional seam (structural, not timed).

Each case runs the CLI in a fresh interpreter, lists `sys.modules` at the end
and fails naming every forbidden module found, with the stack of the import
that brought it in. To cover a new seam, add its top-level import name to
`OPTIONAL_SEAMS` (an extra of pyproject.toml) or `DEFERRED` (a core dependency
that only some specs need); to cover a new plain path, add a case to `CASES`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Extras (pyproject.toml) and the seams still to come (design §8): imported only
# when a spec uses them. Peers of the parity suite and benchmarks are here too.
OPTIONAL_SEAMS = (
    "openai",
    "anthropic",
    "ollama",
    "psycopg",
    "psycopg_pool",
    "redis",
    "mcp",
    "opentelemetry",
    "grpc",
    "google",  # protobuf, under the OTLP exporters
    "fastapi",
    "uvicorn",
    "starlette",
    "sse_starlette",
    "ray",
    "lancedb",
    "chromadb",
    "qdrant_client",
    "sqlite_vec",
    "pgvector",
    "numpy",
    "agno",
    "langgraph",
    "langchain_core",
)
# Core dependencies a plain one-agent run does not need: loaded on first use.
DEFERRED = ("rich", "jinja2", "networkx", "jsonschema", "httpx")
# Not even the language's models or the runtime are needed to print help.
HELP_ONLY_DEFERRED = ("pydantic", "pydantic_core", "asyncio", "ruamel", "yaml", "sqlite3")

ONE_AGENT = """\
version: 1
models: {fake: {provider: scripted, responses: [{content: ok}]}}
agents: {a: {model: fake, instructions: Be brief.}}
"""
ONE_STEP_WORKFLOW = """\
version: 1
models: {fake: {provider: scripted, responses: [{content: ok}]}}
agents: {a: {model: fake}}
workflows: {w: {steps: [{name: only, agent: a}]}}
"""

# (id, spec text, CLI arguments with SPEC for the spec's path, extra forbidden names)
CASES = [
    ("help", ONE_AGENT, ["--help"], HELP_ONLY_DEFERRED),
    ("run-help", ONE_AGENT, ["run", "--help"], HELP_ONLY_DEFERRED),
    ("validate", ONE_AGENT, ["validate", "SPEC"], ()),
    ("run-agent", ONE_AGENT, ["run", "SPEC", "hi"], ()),
    ("run-agent-json", ONE_AGENT, ["run", "SPEC", "hi", "--json", "--events", "ev.jsonl"], ()),
    ("run-workflow", ONE_STEP_WORKFLOW, ["run", "SPEC", "hi"], ()),
]

# Runs in the fresh interpreter: records who imports a forbidden module, runs the
# CLI, then writes the forbidden modules found (with their import stacks) as JSON.
HARNESS = """
import json, sys, traceback
forbidden, report, plant, args = set(sys.argv[1].split(",")), sys.argv[2], sys.argv[3], sys.argv[4:]
stacks = {}

class Witness:
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in forbidden and top not in stacks:
            frames = [f for f in traceback.extract_stack()[:-1] if "importlib" not in f.filename]
            stacks[top] = "".join(traceback.format_list(frames[-8:]))
        return None

sys.meta_path.insert(0, Witness())
if plant:
    __import__(plant)
from agno_dsl.cli import main
try:
    main(args, prog_name="agno-dsl")
except SystemExit as exit:
    code = exit.code
else:
    code = 0
found = sorted(top for top in {m.partition(".")[0] for m in sys.modules} if top in forbidden)
with open(report, "w") as out:
    json.dump({"code": code, "found": {top: stacks.get(top, "?") for top in found}}, out)
"""


def imported_seams(
    folder: Path, spec: str, args: list[str], forbidden: tuple[str, ...], plant: str = ""
) -> tuple[int, dict[str, str]]:
    """(exit code, forbidden module → import stack) of one CLI invocation in a fresh process."""
    path = folder / "spec.yaml"
    path.write_text(spec)
    report = folder / "report.json"
    command = [sys.executable, "-c", HARNESS, ",".join(forbidden), str(report), plant]
    command += [str(path) if arg == "SPEC" else arg for arg in args]
    # Default storage (SQLite under the working directory), as a user's first run.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(folder)}
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    assert report.exists(), done.stderr
    result = json.loads(report.read_text())
    return result["code"], result["found"]


def _explain(found: dict[str, str]) -> str:
    return "\n".join(f"{name} was imported by:\n{stack}" for name, stack in found.items())


@pytest.mark.parametrize(
    ("spec", "args", "extra"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_plain_invocation_imports_no_optional_seam(
    tmp_path: Path, spec: str, args: list[str], extra: tuple[str, ...]
) -> None:
    code, found = imported_seams(tmp_path, spec, args, OPTIONAL_SEAMS + DEFERRED + extra)
    assert code == 0
    assert not found, "imported on a plain path: " + ", ".join(found) + "\n" + _explain(found)


def test_the_guard_names_a_seam_that_was_imported(tmp_path: Path) -> None:
    # redis is an installed extra (dev): imported before the run, it must be reported.
    code, found = imported_seams(
        tmp_path, ONE_AGENT, ["run", "SPEC", "hi"], OPTIONAL_SEAMS, "redis"
    )
    assert code == 0
    assert "redis" in found  # (with whatever redis itself imports)
    assert "<string>" in found["redis"]  # the stack points at the planted import
