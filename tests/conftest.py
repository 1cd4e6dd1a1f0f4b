"""Shared helpers for the test suite."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parent.parent
COOKBOOK = ROOT / "cookbook"


def run_cli(args: list[str]) -> Result:
    from agno_dsl.cli import main

    return CliRunner().invoke(main, args, catch_exceptions=False)


def read_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def cookbook_commands(scenario: Path) -> list[list[str]]:
    """The `# run:` line and any `# then:` lines that follow it (RUN_ID stands for the run)."""
    lines = (scenario / "spec.yaml").read_text().splitlines()
    assert lines[0].startswith("# run: agno-dsl "), f"{scenario}: first line must be '# run: ...'"
    commands = [shlex.split(lines[0][len("# run: agno-dsl ") :])]
    for line in lines[1:]:
        if not line.startswith("# then: agno-dsl "):
            break
        commands.append(shlex.split(line[len("# then: agno-dsl ") :]))
    return commands


@pytest.fixture
def write_spec(tmp_path: Path):
    """Write a spec (and optional sibling files) into a temp dir; return its path."""

    def write(text: str, name: str = "spec.yaml", **files: str) -> Path:
        for file_name, content in files.items():
            (tmp_path / file_name).write_text(content)
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


@pytest.fixture(autouse=True)
def _isolated_storage(tmp_path_factory, monkeypatch):
    """Every test records its runs in its own SQLite file, never in the working tree."""
    folder = tmp_path_factory.mktemp("storage")
    monkeypatch.setenv("AGNO_DSL_STORAGE", f"sqlite:///{folder}/agno.db")
    return f"sqlite:///{folder}/agno.db"


@pytest.fixture(autouse=True, scope="session")
def _stop_servers_started_for_the_session():
    """PostgreSQL/Redis started for the session (tests/servers.py) stop at its end."""
    from tests.servers import SERVERS

    yield
    SERVERS.stop()
