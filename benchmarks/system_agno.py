"""agno 3.1.10 side of the workloads; prints one JSON result. Run by run.py with a
Python that has agno installed (the `bench` extra, or --agno-python)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("AGNO_TELEMETRY", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_steps  # noqa: E402
from agno.workflow import Parallel, Step, Workflow  # noqa: E402


def _timed(workflow: Workflow, runs: int) -> list[float]:
    async def main() -> list[float]:
        await workflow.arun(input="x")  # warm up
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            await workflow.arun(input="x")
            samples.append(time.perf_counter() - started)
        return samples

    return asyncio.run(main())


def chain(n: int) -> dict[str, float]:
    workflow = Workflow(
        name="w", steps=[Step(name=f"s{i}", executor=bench_steps.noop) for i in range(n)]
    )
    best = min(_timed(workflow, max(3, 20_000 // n)))
    return {"seconds": best, "us_per_step": best / n * 1e6}


def fan(width: int, body: str, head_tail: bool) -> dict[str, float]:
    fn = getattr(bench_steps, body)
    parallel = Parallel(*[Step(name=f"b{i}", executor=fn) for i in range(width)], name="p")
    steps = (
        ([Step(name="first", executor=fn)] if head_tail else [])
        + [parallel]
        + ([Step(name="last", executor=fn)] if head_tail else [])
    )
    samples = sorted(_timed(Workflow(name="w", steps=steps), 5))
    return {"seconds_median": samples[len(samples) // 2]}


if __name__ == "__main__":
    workload, arg = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    if workload == "chain":
        result = chain(int(arg))
    elif workload == "fanout":
        result = fan(8, "sleep50", True)
    else:
        result = fan(200, "sleep20", False)
    print(json.dumps(result))
