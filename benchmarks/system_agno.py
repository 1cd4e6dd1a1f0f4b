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
from agno_models import FakeLeader, FakeModel  # noqa: E402
from bench_timing import median_after_warmup  # noqa: E402


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


def agent_run() -> dict[str, float]:
    from agno.agent import Agent

    agent = Agent(model=FakeModel(), instructions="Be brief.", telemetry=False)

    async def main() -> float:
        await agent.arun("hi")
        started = time.perf_counter()
        for _ in range(500):
            await agent.arun("hi")
        return (time.perf_counter() - started) / 500

    return {"us_per_run": asyncio.run(main()) * 1e6}


def concurrent(runs: int) -> dict[str, float]:
    from bench_concurrency import measure_concurrent

    parallel = Parallel(
        *[Step(name=f"b{i}", executor=bench_steps.sleep50) for i in range(8)], name="p"
    )
    workflow = Workflow(
        name="w",
        steps=[
            Step(name="first", executor=bench_steps.sleep50),
            parallel,
            Step(name="last", executor=bench_steps.sleep50),
        ],
    )

    async def one() -> float:
        started = time.perf_counter()
        await workflow.arun(input="x")
        return time.perf_counter() - started

    return measure_concurrent(one, runs)


def team_run() -> dict[str, float]:
    """W6: a coordinate team, scripted leader delegating to 3 members at once."""
    from agno.agent import Agent
    from agno.team import Team

    members = [Agent(name=f"m{i}", model=FakeModel(), telemetry=False) for i in range(3)]
    team = Team(
        name="t",
        model=FakeLeader(members=["m0", "m1", "m2"]),
        members=members,
        telemetry=False,
    )

    async def main() -> float:
        first = await team.arun("go")
        assert first.content == "done" and len(first.member_responses) == 3, first
        started = time.perf_counter()
        for _ in range(200):
            await team.arun("go")
        return (time.perf_counter() - started) / 200

    return {"us_per_run": asyncio.run(main()) * 1e6}


def build(n: int) -> dict[str, float]:
    """W7 for agno: build the same 1,000-agent-step workflow in Python (no file to load)."""
    from agno.agent import Agent

    started = time.perf_counter()
    agent = Agent(name="a", model=FakeModel(), telemetry=False)
    Workflow(name="w", steps=[Step(name=f"s{i}", agent=agent) for i in range(n)])
    return {"seconds": time.perf_counter() - started}


def stream(words: int) -> dict[str, float]:
    """W8: tokens/s of a streamed answer, as delta events reaching the caller."""
    from agno.agent import Agent
    from agno.run.agent import RunContentEvent

    agent = Agent(model=FakeModel(content="tok " * words), telemetry=False)

    async def once() -> float:
        started, seen = time.perf_counter(), 0
        async for event in agent.arun("hi", stream=True):
            seen += isinstance(event, RunContentEvent) and bool(event.content)
        elapsed = time.perf_counter() - started
        assert seen == words, seen
        return elapsed

    return {"tokens_per_second": words / median_after_warmup(once)}


def mcp_calls(transport: str) -> dict[str, float]:
    """W9: an agent run of CALLS MCP tool calls through agno's MCPTools, connected
    beforehand (`async with`): µs per call."""
    from contextlib import nullcontext

    from agno.agent import Agent
    from agno.tools.mcp import MCPTools
    from agno_models import FakeToolCaller
    from bench_mcp import CALLS, STDIO_COMMAND, http_server

    with http_server() if transport == "http" else nullcontext() as url:
        toolkit = MCPTools(url=url) if url else MCPTools(" ".join(STDIO_COMMAND))

        async def main() -> float:
            async with toolkit:
                agent = Agent(
                    model=FakeToolCaller(tool="add", calls=CALLS), tools=[toolkit], telemetry=False
                )

                async def once() -> float:
                    started = time.perf_counter()
                    output = await agent.arun("go")
                    assert output.tools is not None and len(output.tools) == CALLS
                    return time.perf_counter() - started

                await once()
                samples = sorted([await once() for _ in range(5)])
                return samples[2]

        return {"us_per_call": asyncio.run(main()) / CALLS * 1e6}


def traced(kind: str) -> dict[str, float]:
    """agno with its tracing on (OpenInference's instrumentation, as `setup_tracing` installs
    it) beside off, for the same agent run or 100-step chain: batch span processor and
    the SDK's in-memory exporter instead of agno's database exporter."""
    from agno.agent import Agent

    n = 100
    agent = Agent(model=FakeModel(), instructions="Be brief.", telemetry=False)
    workflow = Workflow(
        name="w", steps=[Step(name=f"s{i}", executor=bench_steps.noop) for i in range(n)]
    )
    count, unit = (500, 1) if kind == "agent" else (100, n)

    async def run() -> None:
        if kind == "agent":
            await agent.arun("hi")
        else:
            await workflow.arun(input="x")

    async def per_unit() -> float:
        await run()  # warm up
        started = time.perf_counter()
        for _ in range(count):
            await run()
        return (time.perf_counter() - started) / count / unit * 1e6

    off = asyncio.run(per_unit())
    from openinference.instrumentation.agno import AgnoInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(BatchSpanProcessor(exporter))
    AgnoInstrumentor().instrument(tracer_provider=provider)
    on = asyncio.run(per_unit())
    provider.shutdown()
    return {"off_us": off, "on_us": on, "added_us": on - off}


if __name__ == "__main__":
    workload, arg = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    if workload == "chain":
        result = chain(int(arg))
    elif workload == "fanout":
        result = fan(8, "sleep50", True)
    elif workload == "agent":
        result = agent_run()
    elif workload == "concurrent":
        result = concurrent(int(arg or 100))
    elif workload == "team":
        result = team_run()
    elif workload == "validate":
        result = build(int(arg or 1000))
    elif workload == "stream":
        result = stream(int(arg or 1000))
    elif workload == "mcp":
        result = mcp_calls(arg)
    elif workload == "traced":
        result = traced(arg)
    else:
        result = fan(200, "sleep20", False)
    print(json.dumps(result))
