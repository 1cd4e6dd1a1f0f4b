"""A batch project in a temp dir: a 3-step workflow whose steps log what they run,
an agent on the echo model, and helpers to write inputs and run the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

STEPS = """
import asyncio, os

def _log(step, step_input):
    with open(os.environ["BATCH_LOG"], "a") as log:
        log.write(f"{step} {step_input.input['text']}\\n")

async def first(step_input):
    _log("a", step_input)
    await asyncio.sleep(float(os.environ.get("STEP_SECONDS", "0")))
    return step_input.input["text"].upper()

def check(step_input):
    if step_input.input.get("fail"):
        raise ValueError("this row asks to fail")
    return "checked"

async def last(step_input):
    await asyncio.sleep(float(os.environ.get("STEP_SECONDS", "0")))
    _log("c", step_input)
    return f"{step_input.input['text']}: {step_input.get_step_content('first')}"
"""

SPEC = """version: 1
name: batch-tests
models:
  mirror: {provider: echo}
  labels:
    provider: scripted
    responses: [{content: "question", delay: 10ms, usage: {input_tokens: 3, output_tokens: 2}}]
agents:
  echo: {model: mirror}
  labeler: {model: labels}
workflows:
  pipeline:
    input_schema:
      type: object
      properties: {text: {type: string}, fail: {type: boolean}}
      required: [text]
    steps:
      - {name: first, function: "steps:first"}
      - {name: check, function: "steps:check", on_error: fail}
      - {name: last, function: "steps:last"}
"""


@dataclass
class Done:
    """What a command did, named as subprocess names it."""

    returncode: int
    stdout: str
    stderr: str


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.spec = root / "spec.yaml"
        self.log = root / "steps.log"
        self.db = f"sqlite:///{root}/batch.db"
        (root / "steps.py").write_text(STEPS)
        self.spec.write_text(SPEC)

    def write_rows(self, rows: list[Any], name: str = "data.jsonl") -> Path:
        path = self.root / name
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
        return path

    def env(self, step_seconds: float = 0.0) -> dict[str, str]:
        import os

        return {
            **os.environ,
            "BATCH_LOG": str(self.log),
            "STEP_SECONDS": str(step_seconds),
            "AGNO_DSL_STORAGE": self.db,
        }

    def cli(self, *args: str, step_seconds: float = 0.0) -> Done:
        """`agno-dsl ARGS` in this process (its coverage counts), in the project's folder."""
        import os

        from agno_dsl.cli import main
        from click.testing import CliRunner

        here = Path.cwd()
        os.chdir(self.root)
        try:
            result = CliRunner().invoke(main, list(args), env=self.env(step_seconds))
        finally:
            os.chdir(here)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Done(result.exit_code, result.stdout, result.stderr)

    def start(self, *args: str, step_seconds: float) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "agno_dsl", *args],
            cwd=self.root,
            env=self.env(step_seconds),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def results(self, name: str = "results.jsonl") -> list[dict[str, Any]]:
        path = self.root / name
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def logged(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)
