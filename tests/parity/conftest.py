"""The parity figure at the end of the test run."""

from __future__ import annotations

from typing import Any

from .harness import RESULTS, summary
from .known_differences import KNOWN_DIFFERENCES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if RESULTS:
        terminalreporter.write_line(summary(KNOWN_DIFFERENCES))
