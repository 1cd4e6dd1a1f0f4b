"""The floor: W3, W4 and W5 in plain asyncio, no framework. Run by run.py.

Each step is the same `bench_steps` body, each parallel block a TaskGroup; what
a framework adds on top of these figures is its own overhead.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_steps  # noqa: E402
from bench_timing import median_after_warmup  # noqa: E402


async def _fan(width: int, body: Any, head_tail: bool) -> float:
    started = time.perf_counter()
    if head_tail:
        await body()
    async with asyncio.TaskGroup() as group:
        for _ in range(width):
            group.create_task(body())
    if head_tail:
        await body()
    return time.perf_counter() - started


def fan(width: int, body: Any, head_tail: bool) -> dict[str, float]:
    return {"seconds_median": median_after_warmup(lambda: _fan(width, body, head_tail))}


def concurrent(runs: int) -> dict[str, float]:
    from bench_concurrency import measure_concurrent

    return measure_concurrent(lambda: _fan(8, bench_steps.sleep50, True), runs)


if __name__ == "__main__":
    workload, arg = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    if workload == "fanout":
        result = fan(8, bench_steps.sleep50, True)
    elif workload == "wide":
        result = fan(200, bench_steps.sleep20, False)
    elif workload == "concurrent":
        result = concurrent(int(arg or 100))
    else:
        raise SystemExit(f"bare: no workload {workload}")
    print(json.dumps(result))
