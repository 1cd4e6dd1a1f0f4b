"""Function steps, evaluators and selectors shared by both sides of the workflow pairs.

Each function object is used by agno and by agno-dsl alike. Where a function
returns a StepOutput, it builds the one of the side that called it (agno's
dataclass or agno-dsl's model), told apart by the StepInput it received.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

_ATTEMPTS: dict[str, int] = {}


def _output(step_input: Any, **fields: Any) -> Any:
    """A StepOutput of the caller's kind."""
    if type(step_input).__module__.startswith("agno.workflow"):
        from agno.workflow.types import StepOutput as AgnoStepOutput

        return AgnoStepOutput(**fields)
    from agno_dsl import StepOutput

    return StepOutput(**fields)


# --- accessors ---------------------------------------------------------------------------


def accessors(step_input: Any) -> str:
    """Every StepInput accessor a function step uses, as one JSON text."""
    research = step_input.get_step_output("research")
    return json.dumps(
        {
            "input": step_input.input,
            "input_as_string": step_input.get_input_as_string(),
            "previous_step_content": step_input.previous_step_content,
            "previous_names": sorted(step_input.previous_step_outputs or {}),
            "research_content": step_input.get_step_content("research"),
            "research_output": research.content if research else None,
            "research_name": research.step_name if research else None,
            "missing": step_input.get_step_content("nope"),
            "last": step_input.get_last_step_content(),
            "all": step_input.get_all_previous_content(),
            "additional_data": step_input.additional_data,
        },
        sort_keys=True,
    )


def nested_lookup(step_input: Any) -> str:
    """get_step_output finds steps inside blocks; get_step_content of a parallel is a mapping."""
    inner = step_input.get_step_output("pros")
    return json.dumps(
        {
            "inner": inner.content if inner else None,
            "parallel": step_input.get_step_content("views"),
            "previous": step_input.previous_step_content,
        },
        sort_keys=True,
    )


def nested_lookup2(step_input: Any) -> str:
    """Accessors across a parallel block holding a Steps branch."""
    write = step_input.get_step_output("write")
    return json.dumps(
        {
            "write": write.content if write else None,
            "work": step_input.get_step_content("work"),
            "pipeline": step_input.get_step_content("pipeline"),
            "previous": step_input.previous_step_content,
            "all": step_input.get_all_previous_content(),
        },
        sort_keys=True,
    )


def shout(step_input: Any) -> str:
    return str(step_input.previous_step_content or step_input.input).upper()


async def async_shout(step_input: Any) -> str:
    await asyncio.sleep(0.01)
    return str(step_input.previous_step_content or step_input.input).upper()


def count_words(step_input: Any) -> dict[str, int]:
    """A plain (non-StepOutput) value: agno makes it the step's content with str()."""
    text = str(step_input.input)
    return {"words": len(text.split())}


def structured(step_input: Any) -> Any:
    """A StepOutput keeps its content as it is."""
    return _output(step_input, content={"topic": step_input.input, "words": 2})


def wrap(step_input: Any) -> Any:
    return _output(step_input, content=f"[{step_input.get_last_step_content()}]")


def stop_here(step_input: Any) -> Any:
    return _output(step_input, content="stopping early", stop=True)


async def stop_here_async(step_input: Any) -> Any:
    """On the event loop (a sync function runs in a worker thread in agno-dsl, inline in
    agno), so both sides finish it before a parallel sibling starts."""
    return _output(step_input, content="stopping early", stop=True)


def stop_on_second(step_input: Any, run_context: Any) -> Any:
    """Stops the workflow on its second call in a run (counted in the session state)."""
    state = run_context.session_state
    state["calls"] = state.get("calls", 0) + 1
    return _output(step_input, content=f"call {state['calls']}", stop=state["calls"] == 2)


def always_fails(step_input: Any) -> str:
    raise ValueError(f"cannot handle {step_input.input}")


def fails_twice(step_input: Any) -> str:
    """Fails on its first two attempts of a run, then succeeds (counted per input)."""
    key = f"fails_twice:{step_input.input}"
    _ATTEMPTS[key] = _ATTEMPTS.get(key, 0) + 1
    if _ATTEMPTS[key] % 3 != 0:
        raise RuntimeError(f"flaky attempt {_ATTEMPTS[key] % 3}")
    return "third time lucky"


def reports_failure(step_input: Any) -> Any:
    return _output(step_input, content="not good", success=False, error="bad data")


# --- session state and run context ----------------------------------------------------------


def count_visit(step_input: Any, run_context: Any) -> str:
    state = run_context.session_state
    state["visits"] = state.get("visits", 0) + 1
    state.setdefault("seen", []).append(str(step_input.input))
    return f"visit {state['visits']}"


def read_state(step_input: Any, run_context: Any) -> str:
    state = run_context.session_state
    return f"visits={state.get('visits')} seen={state.get('seen')}"


# --- streaming function steps -----------------------------------------------------------------


def stream_words(step_input: Any):  # type: ignore[no-untyped-def]
    for word in str(step_input.input).split():
        yield word + " "


async def astream_words(step_input: Any):  # type: ignore[no-untyped-def]
    for word in str(step_input.input).split():
        await asyncio.sleep(0)
        yield word.upper() + " "


def _event(step_input: Any, **fields: Any) -> Any:
    """A custom event of the caller's kind."""
    if type(step_input).__module__.startswith("agno.workflow"):
        from agno.run.workflow import CustomEvent as AgnoCustomEvent

        return AgnoCustomEvent(**fields)
    from agno_dsl import CustomEvent

    return CustomEvent(**fields)


def with_progress(step_input: Any):  # type: ignore[no-untyped-def]
    """A streaming step that reports its progress with custom events."""
    yield _event(step_input, stage="fetching", percent=50)
    yield "half "
    yield _event(step_input, stage="done", percent=100)
    yield "whole"


def stream_then_output(step_input: Any):  # type: ignore[no-untyped-def]
    yield "partial "
    yield _output(step_input, content="final answer")


# --- evaluators, selectors, end conditions ------------------------------------------------------


def is_urgent(step_input: Any) -> bool:
    return "urgent" in str(step_input.input)


async def is_long(step_input: Any) -> bool:
    return len(str(step_input.previous_step_content or "")) > 20


def pick_route(step_input: Any) -> str:
    return "tech" if "code" in str(step_input.input) else "general"


def pick_both(step_input: Any) -> list[str]:
    return ["tech", "general"]


def approved(outputs: list[Any]) -> bool:
    return any("APPROVED" in str(output.content) for output in outputs)


def count_iteration(step_input: Any) -> str:
    """Shows what a loop iteration received: the previous step's output, or the input."""
    return f"{step_input.previous_step_content or step_input.input}+"


def number_iteration(step_input: Any, run_context: Any) -> str:
    state = run_context.session_state
    state["n"] = state.get("n", 0) + 1
    return f"iteration {state['n']}"
