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
from bench_timing import median_after_warmup  # noqa: E402
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

    return {"seconds_median": median_after_warmup(lambda: timed(app, 50))}


def concurrent(runs: int) -> dict[str, float]:
    from bench_concurrency import measure_concurrent

    app = fan_graph(8, bench_steps.sleep50, True)
    return measure_concurrent(lambda: timed(app, 50), runs)


def agent_run() -> dict[str, float]:
    """W1: one agent run, a one-node graph calling a chat model that answers at once."""
    from langgraph_models import FakeChat, agent_graph

    app = agent_graph(FakeChat())

    async def main() -> float:
        await app.ainvoke({"messages": [("user", "hi")]})
        started = time.perf_counter()
        for _ in range(500):
            await app.ainvoke({"messages": [("user", "hi")]})
        return (time.perf_counter() - started) / 500

    return {"us_per_run": asyncio.run(main()) * 1e6}


def team_run() -> dict[str, float]:
    """W6: a supervisor graph whose leader delegates to 3 member agents at once."""
    from langchain_core.tools import tool
    from langgraph.graph import MessagesState
    from langgraph.prebuilt import ToolNode, tools_condition
    from langgraph_models import FakeChat, FakeLeader, agent_graph

    members = {f"m{i}": agent_graph(FakeChat(), "") for i in range(3)}

    @tool
    async def delegate_task_to_member(member_id: str, task: str) -> str:
        """Give a member a task; returns its answer."""
        result = await members[member_id].ainvoke({"messages": [("user", task)]})
        return str(result["messages"][-1].content)

    leader = FakeLeader(members=list(members))

    async def lead(state: MessagesState) -> dict[str, Any]:
        return {"messages": [await leader.ainvoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("leader", lead)
    graph.add_node("tools", ToolNode([delegate_task_to_member]))
    graph.add_edge(START, "leader")
    graph.add_conditional_edges("leader", tools_condition)
    graph.add_edge("tools", "leader")
    app = graph.compile()

    async def main() -> float:
        first = await app.ainvoke({"messages": [("user", "go")]})
        assert first["messages"][-1].content == "done"
        assert [m.content for m in first["messages"] if m.type == "tool"] == ["ok"] * 3
        started = time.perf_counter()
        for _ in range(200):
            await app.ainvoke({"messages": [("user", "go")]})
        return (time.perf_counter() - started) / 200

    return {"us_per_run": asyncio.run(main()) * 1e6}


def build(n: int) -> dict[str, float]:
    """W7 for LangGraph: build and compile (which validates) a graph of n agent nodes."""
    from langgraph.graph import MessagesState
    from langgraph_models import FakeChat

    model = FakeChat()
    started = time.perf_counter()
    graph = StateGraph(MessagesState)
    for i in range(n):

        async def step(state: MessagesState, i: int = i) -> dict[str, Any]:
            return {"messages": [await model.ainvoke(state["messages"])]}

        graph.add_node(f"s{i}", step)
    graph.add_edge(START, "s0")
    for i in range(n - 1):
        graph.add_edge(f"s{i}", f"s{i + 1}")
    graph.add_edge(f"s{n - 1}", END)
    graph.compile()
    return {"seconds": time.perf_counter() - started}


def stream(words: int) -> dict[str, float]:
    """W8: tokens/s of a streamed answer, as message chunks reaching the caller."""
    from langgraph_models import FakeChat, agent_graph

    app = agent_graph(FakeChat(content="tok " * words))

    async def once() -> float:
        started, seen = time.perf_counter(), 0
        async for chunk, _ in app.astream({"messages": [("user", "hi")]}, stream_mode="messages"):
            seen += bool(chunk.content)
        elapsed = time.perf_counter() - started
        assert seen == words, seen
        return elapsed

    return {"tokens_per_second": words / median_after_warmup(once)}


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
    elif workload == "agent":
        result = agent_run()
    elif workload == "team":
        result = team_run()
    elif workload == "validate":
        result = build(int(arg or 1000))
    elif workload == "stream":
        result = stream(int(arg or 1000))
    else:
        raise SystemExit(f"langgraph: no workload {workload}")
    print(json.dumps(result))
