"""Fixtures of the front-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dsl.run_helpers import COUNTER, SPEC


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "spec.yaml").write_text(SPEC)
    (tmp_path / "counter.py").write_text(COUNTER)
    return tmp_path
