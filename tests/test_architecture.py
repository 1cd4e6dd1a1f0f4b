"""The import contracts of pyproject.toml hold, and they can fail.

`.ci/lint_imports.py` runs import-linter over the whole package (the three
folders merged). Each planted violation below runs it on a temporary copy of
the checkout and must be reported, so a contract that silently stopped
covering part of the code would fail here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = ROOT / ".ci" / "lint_imports.py"


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(LINT), str(root)], capture_output=True, text=True, timeout=120
    )


def test_the_checkout_keeps_every_contract() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("dsl", "interpreter", "schemas"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def plant(root: Path, module: str, code: str) -> None:
    path = root / module
    path.write_text(path.read_text() + "\n" + code + "\n")


def test_a_cycle_inside_the_interpreter_fails(copy: Path) -> None:
    plant(copy, "interpreter/errors.py", "from . import expressions  # noqa")
    plant(copy, "interpreter/expressions.py", "from . import errors  # noqa")
    result = lint(copy)
    assert result.returncode != 0
    assert "No cycles are allowed in agno_dsl.interpreter" in result.stdout


def test_a_cycle_through_a_function_local_import_fails(copy: Path) -> None:
    plant(copy, "dsl/cli_shared.py", "def _late():\n    from .cli import main  # noqa")
    result = lint(copy)
    assert result.returncode != 0
    assert "cli_shared -> .cli" in result.stdout or ".cli -> .cli_shared" in result.stdout


def test_a_lower_layer_importing_upward_fails(copy: Path) -> None:
    plant(copy, "schemas/events.py", "from ..interpreter import errors  # noqa")
    result = lint(copy)
    assert result.returncode != 0
    assert "agno_dsl.schemas.events -> agno_dsl.interpreter.errors" in result.stdout


def test_the_runtime_importing_the_front_end_fails(copy: Path) -> None:
    plant(copy, "interpreter/plan.py", "from ..loader import Document  # noqa")
    result = lint(copy)
    assert result.returncode != 0
    assert "agno_dsl.interpreter.plan -> agno_dsl.loader" in result.stdout


def test_a_module_outside_every_layer_fails(copy: Path) -> None:
    (copy / "interpreter" / "orphan.py").write_text('"""Belongs to no layer."""\n')
    result = lint(copy)
    assert result.returncode != 0
    assert "agno_dsl.interpreter.orphan" in result.stdout
