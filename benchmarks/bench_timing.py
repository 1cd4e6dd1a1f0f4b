"""Timing shared by every system's workloads: one warm-up run, then the median of N."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


def median_after_warmup(once: Callable[[], Awaitable[float]], runs: int = 11) -> float:
    """Seconds: the median of `runs` timed calls of `once`, after one untimed."""

    async def main() -> list[float]:
        await once()
        return [await once() for _ in range(runs)]

    samples = sorted(asyncio.run(main()))
    return samples[len(samples) // 2]
