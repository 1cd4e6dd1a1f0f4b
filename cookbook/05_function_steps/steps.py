"""Function steps for the function-steps cookbook scenario."""

import asyncio

from agno_dsl import StepInput, StepOutput


def clean(step_input: StepInput) -> str:
    """Sync: runs in a worker thread."""
    return " ".join(str(step_input.input).split()).lower()


async def count_words(step_input: StepInput) -> StepOutput:
    """Async: awaited on the event loop. A plain value would become the step's text
    (agno: str(value)); a StepOutput keeps the mapping for templates to read."""
    await asyncio.sleep(0)
    text = step_input.get_step_content("clean")
    return StepOutput(content={"words": len(text.split()), "chars": len(text)})


def wrap(step_input: StepInput) -> StepOutput:
    """Returning a StepOutput sets the content explicitly."""
    return StepOutput(content=f"[{step_input.get_last_step_content()}]")
