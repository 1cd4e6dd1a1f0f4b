"""Python callables used by interpreter tests as function steps."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from agno_dsl import StepInput, StepOutput

BARRIER: asyncio.Barrier | None = None
ACTIVE = 0
PEAK = 0


def reset(parties: int) -> None:
    global BARRIER, ACTIVE, PEAK
    BARRIER = asyncio.Barrier(parties)
    ACTIVE = PEAK = 0


async def meet(step_input: StepInput) -> str:
    """Finishes only when every party has arrived: proves the branches run together."""
    assert BARRIER is not None
    await asyncio.wait_for(BARRIER.wait(), timeout=5)
    return f"met {step_input.input}"


async def count_active(step_input: StepInput) -> int:
    """Records how many of these run at the same moment."""
    global ACTIVE, PEAK
    ACTIVE += 1
    PEAK = max(PEAK, ACTIVE)
    for _ in range(5):
        await asyncio.sleep(0)
    ACTIVE -= 1
    return PEAK


def boom(step_input: StepInput) -> str:
    raise ValueError("the function broke")


def flaky(step_input: StepInput) -> str:
    """Fails until it has been called `input` times; counts calls in a file."""
    counter = Path(os.environ["AGNO_DSL_TEST_COUNTER"])
    calls = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(calls))
    if calls < int(step_input.input):
        raise RuntimeError(f"attempt {calls} failed")
    return f"ok after {calls}"


async def slow_then_mark(step_input: StepInput) -> str:
    await asyncio.sleep(2)
    Path(os.environ["AGNO_DSL_TEST_COUNTER"]).write_text("finished")
    return "slow"


async def fail_fast(step_input: StepInput) -> str:
    await asyncio.sleep(0.01)
    raise RuntimeError("fast failure")


def stop_here(step_input: StepInput) -> StepOutput:
    return StepOutput(content="stopping", stop=True)


async def stop_at_once(step_input: StepInput) -> StepOutput:
    """Stops the run without ever suspending: done before any sibling starts."""
    return StepOutput(content="stopping", stop=True)


async def delayed(step_input: StepInput) -> object:
    """Sleeps `input` hundredths of a second and returns the input."""
    await asyncio.sleep(float(step_input.input) / 100)
    return step_input.input


def made_output(step_input: StepInput) -> StepOutput:
    return StepOutput(content="built by a function", step_name="something else")
