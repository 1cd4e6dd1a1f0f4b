"""agno-dsl: declarative YAML agents, teams and workflows with an agno-compatible runtime.

Public API:

    spec = agno_dsl.load("flow.yaml")
    output = agno_dsl.run("flow.yaml", {"topic": "tides"})
    output = await agno_dsl.arun(spec, "hello")
    async for event in agno_dsl.stream("flow.yaml", "hello"): ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from .api import aresume, arun, load, resume, run, stream

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


def __getattr__(name: str) -> Any:
    # The runtime is imported on first use, so `import agno_dsl` stays cheap.
    if name in ("load", "run", "arun", "stream", "resume", "aresume"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'agno_dsl' has no attribute {name!r}")
