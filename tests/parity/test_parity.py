"""Every pair: agno 3.1.10 and agno-dsl give the same content, events, outputs and metrics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from . import pairs  # noqa: F401  (registers the pairs)
from .harness import PAIRS, check_pair
from .known_differences import KNOWN_DIFFERENCES, MAX_KNOWN_DIFFERENCES, expected_lines


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pair(name: str, tmp_path: Path) -> None:
    result = asyncio.run(check_pair(PAIRS[name], tmp_path))
    allowed = expected_lines(name)
    if allowed is None:
        assert result.equal, result.report()
    else:
        unexpected = set(result.lines()) - allowed
        gone = allowed - set(result.lines())
        assert not unexpected and not gone, (
            f"pair {name}: its known difference changed\n"
            + "\n".join([f"new: {line}" for line in sorted(unexpected)])
            + "\n".join([f"gone: {line}" for line in sorted(gone)])
        )


def test_known_differences_are_few_and_name_real_pairs() -> None:
    assert len(KNOWN_DIFFERENCES) <= MAX_KNOWN_DIFFERENCES
    for difference in KNOWN_DIFFERENCES.values():
        assert set(difference.pairs) <= set(PAIRS)
