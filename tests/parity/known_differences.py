"""Deliberate differences from agno, each asserted exactly so it cannot grow.

A pair listed here must differ from agno in exactly these diff lines (as
`PairResult.lines()` prints them), no more and no fewer. Each entry has its
reason in docs/decisions.md. The language promises agno's behaviour, so there
are at most MAX_KNOWN_DIFFERENCES of them in the whole suite.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_KNOWN_DIFFERENCES = 3


@dataclass(frozen=True)
class KnownDifference:
    reason: str  # one line; docs/decisions.md has the whole argument
    lines: frozenset[str]  # the exact diff lines the pair shows


KNOWN_DIFFERENCES: dict[str, KnownDifference] = {}
