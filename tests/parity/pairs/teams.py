"""Team pairs: agno's four modes (coordinate, route, broadcast, tasks), streamed and not,
nested teams, a failing member, the leader's own tools, session state and history, and
the members' metrics kept in member_responses."""

from __future__ import annotations

from agno.agent import Agent
from agno.team import Team
from agno.team.mode import TeamMode

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


@pair("Write a one-line pitch for solar bikes")
def team_coordinate_streamed(models: Models) -> Team:
    return team_coordinate(models)


def _languages(models: Models) -> Team:
    french = Agent(name="french", model=models["members"], role="Answers in French")
    german = Agent(name="german", model=models["members"], role="Answers in German")
    return Team(
        name="languages", mode=TeamMode.route, model=models["leader"], members=[french, german]
    )


@pair("Bonjour! Comment ça va?")
def team_route(models: Models) -> Team:
    return _languages(models)


@pair("Bonjour! Comment ça va?")
def team_route_streamed(models: Models) -> Team:
    return _languages(models)


@pair("Is remote work good for teams?")
def team_broadcast(models: Models) -> Team:
    optimist = Agent(name="optimist", model=models["members"], description="Sees the upside")
    skeptic = Agent(name="skeptic", model=models["members"], description="Sees the risks")
    return Team(
        name="panel",
        mode=TeamMode.broadcast,
        model=models["leader"],
        members=[optimist, skeptic],
    )


@pair("Tell me about bees")
def team_tasks(models: Models) -> Team:
    researcher = Agent(name="researcher", model=models["members"], role="Finds facts")
    return Team(name="planner", mode=TeamMode.tasks, model=models["leader"], members=[researcher])


@pair("A slogan for our tea, please")
def team_nested(models: Models) -> Team:
    poet = Agent(name="poet", model=models["members"], description="Writes short lines")
    analyst = Agent(name="analyst", model=models["members"], description="Checks numbers")
    writers = Team(
        name="writers", model=models["leader"], description="Writes copy", members=[poet]
    )
    return Team(name="company", model=models["leader"], members=[writers, analyst])


@pair("What does a kilo of coffee cost?")
def team_member_fails(models: Models) -> Team:
    flaky = Agent(name="flaky", model=models["broken"], description="Fetches prices")
    return Team(name="desk", model=models["leader"], members=[flaky])


@pair("What is 2 + 3?")
def team_tools(models: Models) -> Team:
    helper = Agent(name="helper", model=models["members"], description="Helps")
    return Team(
        name="calc",
        model=models["leader"],
        tools=[models.function("parity_tools:add")],
        members=[helper],
    )


@pair("Put milk on the list")
def team_session_state(models: Models) -> Team:
    helper = Agent(name="helper", model=models["members"], description="Helps")
    return Team(
        name="shoppers",
        model=models["leader"],
        tools=[models.function("parity_tools:add_item")],
        members=[helper],
        session_state={"items": ["bread"]},
    )


@pair("My name is Ada.", "What is my name?", session_id="team-history-session")
def team_history(models: Models) -> Team:
    helper = Agent(name="helper", model=models["members"], description="Helps")
    return Team(
        name="friends", model=models["leader"], add_history_to_context=True, members=[helper]
    )


@pair("Add 2 and 3 and name the result")
def team_member_metrics(models: Models) -> Team:
    calculator = Agent(
        name="calculator",
        model=models["members"],
        role="Does arithmetic",
        tools=[models.function("parity_tools:add")],
    )
    writer = Agent(name="writer", model=models["members"], role="Writes words")
    return Team(name="office", model=models["leader"], members=[calculator, writer])


@pair("Good morning")
def team_verbatim_input(models: Models) -> Team:
    translator = Agent(name="translator", model=models["members"], role="Translates to German")
    return Team(
        name="desk",
        model=models["leader"],
        determine_input_for_members=False,
        members=[translator],
    )


@pair("A line about boiling water")
def team_shared_interactions(models: Models) -> Team:
    researcher = Agent(name="researcher", model=models["members"], role="Finds facts")
    writer = Agent(name="writer", model=models["members"], role="Writes lines")
    return Team(
        name="studio",
        model=models["leader"],
        share_member_interactions=True,
        members=[researcher, writer],
    )


@pair("Hello", "Do you remember me?", session_id="team-members-history")
def team_history_to_members(models: Models) -> Team:
    helper = Agent(name="helper", model=models["members"], role="Answers")
    return Team(
        name="front",
        model=models["leader"],
        add_team_history_to_members=True,
        members=[helper],
    )


@pair("Write a short post on tea")
def team_tasks_dependencies(models: Models) -> Team:
    writer = Agent(name="writer", model=models["members"], role="Writes")
    checker = Agent(name="checker", model=models["members"], role="Checks facts")
    return Team(
        name="editorial", mode=TeamMode.tasks, model=models["leader"], members=[writer, checker]
    )


@pair("What is new in fusion power?")
def team_member_names(models: Models) -> Team:
    researcher = Agent(
        name="Web Researcher",
        role="Searches the web",
        description="Finds recent news",
        model=models["members"],
    )
    analyst = Agent(
        name="Data Analyst", model=models["members"], tools=[models.function("parity_tools:add")]
    )
    return Team(
        name="newsroom",
        model=models["leader"],
        role="Editor in chief",
        add_member_tools_to_context=True,
        members=[researcher, analyst],
    )


@pair("What is the capital of France, and how many live there?")
def team_output_schema(models: Models) -> Team:
    from .agents import CENSUS_SCHEMA

    geographer = Agent(name="geographer", model=models["members"], role="Knows places")
    return Team(
        name="atlas",
        model=models["leader"],
        expected_output="The capital and its population.",
        members=[geographer],
        output_schema=CENSUS_SCHEMA,
    )


@pair("How did revenue do?")
def team_hooks(models: Models) -> Team:
    helper = Agent(name="helper", model=models["members"], role="Helps")
    return Team(
        name="finance",
        model=models["leader"],
        members=[helper],
        pre_hooks=[models.function("parity_hooks:on_topic")],
        post_hooks=[models.function("parity_hooks:sign_answer")],
    )
