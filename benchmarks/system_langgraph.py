"""LangGraph side of the workloads; prints one JSON result. Run by run.py."""

from __future__ import annotations

import asyncio
import json
import operator
import sys
import time
from pathlib import Path
from typing import Annotated, Any, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_steps  # noqa: E402
from langgraph.graph import END, START, StateGraph  # noqa: E402


class State(TypedDict):
    done: Annotated[int, operator.add]


def node(body: Any) -> Any:
    async def run(state: State) -> dict[str, int]:
        await body()
        return {"done": 1}

    return run


def chain_graph(n: int) -> Any:
    graph = StateGraph(State)
    for i in range(n):
        graph.add_node(f"s{i}", node(bench_steps.noop))
    graph.add_edge(START, "s0")
    for i in range(n - 1):
        graph.add_edge(f"s{i}", f"s{i + 1}")
    graph.add_edge(f"s{n - 1}", END)
    return graph.compile()


def fan_graph(width: int, body: Any, head_tail: bool) -> Any:
    graph = StateGraph(State)
    branches = [f"b{i}" for i in range(width)]
    for name in branches:
        graph.add_node(name, node(body))
    if head_tail:
        graph.add_node("first", node(body))
        graph.add_node("last", node(body))
        graph.add_edge(START, "first")
        for name in branches:
            graph.add_edge("first", name)
        graph.add_edge(branches, "last")
        graph.add_edge("last", END)
    else:
        for name in branches:
            graph.add_edge(START, name)
            graph.add_edge(name, END)
    return graph.compile()


async def timed(app: Any, limit: int) -> float:
    started = time.perf_counter()
    await app.ainvoke({"done": 0}, {"recursion_limit": limit})
    return time.perf_counter() - started


def chain(n: int) -> dict[str, float]:
    app = chain_graph(n)

    async def main() -> float:
        await timed(app, n + 10)
        return min([await timed(app, n + 10) for _ in range(max(3, 2000 // n))])

    best = asyncio.run(main())
    return {"seconds": best, "us_per_step": best / n * 1e6}


def fan(width: int, body: Any, head_tail: bool) -> dict[str, float]:
    app = fan_graph(width, body, head_tail)

    async def main() -> list[float]:
        await timed(app, 50)
        return [await timed(app, 50) for _ in range(5)]

    samples = sorted(asyncio.run(main()))
    return {"seconds_median": samples[len(samples) // 2]}


def concurrent(runs: int) -> dict[str, float]:
    from bench_concurrency import measure_concurrent

    app = fan_graph(8, bench_steps.sleep50, True)
    return measure_concurrent(lambda: timed(app, 50), runs)


if __name__ == "__main__":
    workload, arg = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    if workload == "chain":
        result = chain(int(arg))
    elif workload == "fanout":
        result = fan(8, bench_steps.sleep50, True)
    elif workload == "wide":
        result = fan(200, bench_steps.sleep20, False)
    elif workload == "concurrent":
        result = concurrent(int(arg or 100))
    else:
        raise SystemExit(f"langgraph: no workload {workload}")
    print(json.dumps(result))
