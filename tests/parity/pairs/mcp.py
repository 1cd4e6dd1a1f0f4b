"""MCP pairs: agno's MCPTools beside an `mcp:` tool, on the same FastMCP servers over stdio.

agno is given the servers as its users give them: `MCPTools("python server.py", …)`,
with the same options as the spec. Commands are absolute on agno's side (agno runs them
from wherever the test runs; agno-dsl from the spec's directory, as the spec says).
"""

from __future__ import annotations

import sys
from pathlib import Path

from agno.agent import Agent
from agno.tools.mcp import MCPTools
from mcp import StdioServerParameters

from ..harness import SPECS, Models, pair

TESTS = SPECS.parent.parent
COOKBOOK = TESTS.parent / "cookbook"
DEMO = TESTS / "interpreter" / "tools" / "mcp_servers" / "demo.py"
MALFORMED = TESTS / "interpreter" / "tools" / "mcp_servers" / "malformed.py"
PYTHON = sys.executable
# The published server, installed beside our Python (where agno-dsl finds it too).
TIME_SERVER = str(Path(PYTHON).parent / "mcp-server-time")


def python_server(script: Path, **options: object) -> MCPTools:
    return MCPTools(f"{PYTHON} {script}", **options)  # type: ignore[arg-type]


@pair("What is tomorrow's weather in London, in Fahrenheit too?")
def mcp_stdio_server(models: Models) -> Agent:
    weather = python_server(COOKBOOK / "24_mcp_stdio_server" / "weather_server.py")
    return Agent(
        name="forecaster",
        model=models["fake"],
        instructions="Answer with the weather tools; never guess a forecast.",
        tools=[weather],
    )


@pair("When is standup, in Tokyo and London time?")
def mcp_two_servers(models: Models) -> Agent:
    # agno's command check wants a known runtime or a name on PATH; an installed script
    # outside an activated environment goes through server_params, as agno users do.
    clock = MCPTools(
        server_params=StdioServerParameters(command=TIME_SERVER), include_tools=["convert_time"]
    )
    notes = python_server(
        COOKBOOK / "25_mcp_two_servers" / "notes_server.py",
        exclude_tools=["delete_note"],
        tool_name_prefix="notes",
    )
    return Agent(
        name="assistant",
        model=models["fake"],
        instructions="Use the notes and the clock; never guess a time.",
        tools=[clock, notes],
    )


@pair("Show me what the demo tools answer.")
def mcp_results(models: Models) -> Agent:
    return Agent(name="helper", model=models["fake"], tools=[python_server(DEMO)])


@pair("Try the fragile tools.")
def mcp_failures(models: Models) -> Agent:
    return Agent(name="helper", model=models["fake"], tools=[python_server(DEMO)])


@pair("Call the broken tool.")
def mcp_malformed_result(models: Models) -> Agent:
    return Agent(name="helper", model=models["fake"], tools=[python_server(MALFORMED)])


@pair("Add 1 and 2.")
def mcp_server_cannot_start(models: Models) -> Agent:
    missing = python_server(SPECS / "no_such_server.py")
    return Agent(name="helper", model=models["fake"], tools=[missing])


@pair("Add 1 and 2.")
def mcp_include_unknown(models: Models) -> Agent:
    demo = python_server(DEMO, include_tools=["ad"])
    return Agent(name="helper", model=models["fake"], tools=[demo])
