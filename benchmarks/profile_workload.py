"""Profile agno-dsl on a workload, the way the notes in README.md were made.

    python benchmarks/profile_workload.py concurrent   # W5: 10 × 100 concurrent 1→8→1 runs
    python benchmarks/profile_workload.py wide         # W4: 30 runs of 200 parallel 20 ms steps
    python benchmarks/profile_workload.py chain        # W2: a 1,000-step chain, 50 runs

Prints the functions where the time went (cProfile, by own time), then the
same restricted to agno-dsl's code. Asyncio's idle wait (`select.epoll.poll`)
tops the first list: what matters is what comes after it.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import system_agno_dsl as ours  # noqa: E402


def _fan_plan(width: int, body: str, head_tail: bool):  # type: ignore[no-untyped-def]
    branches = "".join(
        f'            - {{name: b{i}, function: "bench_steps:{body}"}}\n' for i in range(width)
    )
    steps = (
        (ours._step("first", body) if head_tail else "")
        + "      - parallel:\n          name: p\n          steps:\n"
        + branches
        + (ours._step("last", body) if head_tail else "")
    )
    return ours._plan("version: 1\nworkflows:\n  w:\n    steps:\n" + steps)[1]


def main() -> int:
    from agno_dsl.interpreter.engine.workflow import execute_workflow

    workload = sys.argv[1] if len(sys.argv) > 1 else "concurrent"
    if workload == "concurrent":
        plan, rounds, width = _fan_plan(8, "sleep50", True), 10, 100
    elif workload == "wide":
        plan, rounds, width = _fan_plan(200, "sleep20", False), 30, 1
    elif workload == "chain":
        spec = "version: 1\nworkflows:\n  w:\n    steps:\n" + "".join(
            ours._step(f"s{i}", "noop") for i in range(1000)
        )
        plan, rounds, width = ours._plan(spec)[1], 50, 1
    else:
        print(__doc__, file=sys.stderr)
        return 2

    async def run() -> None:
        await execute_workflow(plan, "x", models={}, listeners=[])  # warm up
        for _ in range(rounds):
            await asyncio.gather(
                *(execute_workflow(plan, "x", models={}, listeners=[]) for _ in range(width))
            )

    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(run())
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("tottime")
    stats.print_stats(20)
    root = str(Path(__file__).resolve().parent.parent)
    stats.print_stats(root.replace("\\", "/"), 20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
