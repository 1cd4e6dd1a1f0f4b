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

from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import bench_steps  # noqa: E402
from agno.models.base import Model  # noqa: E402
from agno.models.response import ModelResponse  # noqa: E402
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


@dataclass
class FakeModel(Model):
    """A model answering at once, so only agno's own overhead is measured."""

    id: str = "fake"
    name: str = "fake"
    provider: str = "fake"

    def invoke(self, *args: Any, **kwargs: Any) -> ModelResponse:
        return ModelResponse(role="assistant", content="ok")

    async def ainvoke(self, *args: Any, **kwargs: Any) -> ModelResponse:
        return ModelResponse(role="assistant", content="ok")

    def invoke_stream(self, *args: Any, **kwargs: Any) -> Any:
        yield ModelResponse(role="assistant", content="ok")

    async def ainvoke_stream(self, *args: Any, **kwargs: Any) -> Any:
        yield ModelResponse(role="assistant", content="ok")

    def _parse_provider_response(self, response: Any, **kwargs: Any) -> Any:
        return response

    def _parse_provider_response_delta(self, response: Any) -> Any:
        return response


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
    else:
        result = fan(200, "sleep20", False)
    print(json.dumps(result))
