"""W5 measured the same way for every system: N runs at once in one process."""

from __future__ import annotations

import asyncio
import resource
import statistics
import time
from collections.abc import Awaitable, Callable


def measure_concurrent(one_run: Callable[[], Awaitable[float]], runs: int) -> dict[str, float]:
    async def main() -> list[float]:
        await one_run()  # warm up
        return list(await asyncio.gather(*[one_run() for _ in range(runs)]))

    cpu = time.process_time()
    latencies = sorted(asyncio.run(main()))
    cpu = time.process_time() - cpu
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "cpu_ms_per_run": cpu / (runs + 1) * 1000,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
