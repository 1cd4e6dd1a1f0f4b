"""agno-dsl: declarative YAML agents, teams and workflows with an agno-compatible runtime.

Public API:

    spec = agno_dsl.load("flow.yaml")
    output = agno_dsl.run("flow.yaml", {"topic": "tides"})
    output = await agno_dsl.arun(spec, "hello")
    async for event in agno_dsl.stream("flow.yaml", "hello"): ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import aresume, arun, load, resume, run, stream
    from .errors import Location, Problem, SpecError, UsageError
    from .interpreter.errors import (
        InputCheckError,
        ModelProviderError,
        ModelRateLimitError,
        OutputCheckError,
        RetryAgentRun,
        RunCancelledException,
        StopAgentRun,
    )
    from .interpreter.functions import CustomEvent, StepInput
    from .interpreter.tools.base import RunContext
    from .schemas.outputs import RunOutput, StepOutput, WorkflowRunOutput

__all__ = [
    "CustomEvent",
    "InputCheckError",
    "Location",
    "ModelProviderError",
    "ModelRateLimitError",
    "OutputCheckError",
    "Problem",
    "RetryAgentRun",
    "RunCancelledException",
    "RunContext",
    "RunOutput",
    "SpecError",
    "StepInput",
    "StepOutput",
    "StopAgentRun",
    "UsageError",
    "WorkflowRunOutput",
    "aresume",
    "arun",
    "load",
    "resume",
    "run",
    "stream",
]


# Where each public name lives. Everything is imported on first use, so that
# `import agno_dsl` (and `agno-dsl --help`) does not load pydantic or the runtime.
_HOMES = {
    **dict.fromkeys(("load", "run", "arun", "stream", "resume", "aresume"), ".api"),
    **dict.fromkeys(("Location", "Problem", "SpecError", "UsageError"), ".errors"),
    **dict.fromkeys(
        (
            "InputCheckError",
            "ModelProviderError",
            "ModelRateLimitError",
            "OutputCheckError",
            "RetryAgentRun",
            "RunCancelledException",
            "StopAgentRun",
        ),
        ".interpreter.errors",
    ),
    **dict.fromkeys(("CustomEvent", "StepInput"), ".interpreter.functions"),
    "RunContext": ".interpreter.tools.base",
    **dict.fromkeys(("RunOutput", "StepOutput", "WorkflowRunOutput"), ".schemas.outputs"),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'agno_dsl' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(home, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value
