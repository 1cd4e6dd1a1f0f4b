"""Workflow pairs (sequential steps; blocks are added by the workflow work)."""

from __future__ import annotations

from agno.agent import Agent
from agno.workflow import Step, Workflow

from ..harness import Models, pair


@pair("tea")
def workflow_two_steps(models: Models) -> Workflow:
    researcher = Agent(name="researcher", model=models["fake"])
    writer = Agent(name="writer", model=models["fake"])
    return Workflow(
        name="brief",
        steps=[Step(name="research", agent=researcher), Step(name="write", agent=writer)],
    )
