"""Team pairs (the four modes are added by the team work)."""

from __future__ import annotations

from agno.agent import Agent
from agno.team import Team

from ..harness import Models, pair


@pair("Write a one-line pitch for solar bikes")
def team_coordinate(models: Models) -> Team:
    researcher = Agent(
        name="researcher", model=models["members"], description="Finds facts about a topic"
    )
    return Team(
        name="marketing",
        model=models["leader"],
        instructions="Research first, then give the final line.",
        members=[researcher],
    )
