"""agno-dsl: declarative YAML agents, teams and workflows with an agno-compatible runtime.

Public API:

    spec = agno_dsl.load("flow.yaml")
    output = agno_dsl.run("flow.yaml", {"topic": "tides"})
    output = await agno_dsl.arun(spec, "hello")
    async for event in agno_dsl.stream("flow.yaml", "hello"): ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import Location, Problem, SpecError

if TYPE_CHECKING:
    from .api import arun, load, run, stream

__all__ = ["Location", "Problem", "SpecError", "arun", "load", "run", "stream"]


def __getattr__(name: str) -> Any:
    # The runtime is imported on first use, so `import agno_dsl` stays cheap.
    if name in ("load", "run", "arun", "stream"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'agno_dsl' has no attribute {name!r}")
