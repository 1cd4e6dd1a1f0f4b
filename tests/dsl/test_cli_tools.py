"""dsl/cli_tools.py and tool_catalog.py: `agno-dsl tools list`, `validate --connect`, and
MCP through `agno-dsl run` (warnings as one line, server stderr with --debug)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import read_events, run_cli
from tests.interpreter.tools.mcp_helpers import DEMO, PYTHON, call, spec_text

MATH = '"""Math."""\n\n\ndef add(a: int, b: int) -> int:\n    """Add two numbers."""\n' + (
    "    return a + b\n"
)


def write(tmp_path: Path, responses: list, tools: dict, agents: str) -> Path:
    (tmp_path / "math_tools.py").write_text(MATH)
    path = tmp_path / "spec.yaml"
    path.write_text(spec_text(responses, tools, agents))
    return path


ALL_KINDS = {
    "plus": {"python": "math_tools:add"},
    "weather": {"http": {"url": "http://127.0.0.1:9/w"}},
    "demo": {
        "mcp": {
            "command": [PYTHON, str(DEMO)],
            "include_tools": ["add", "weather"],
            "tool_name_prefix": "demo",
        }
    },
}


def at(spec: Path, text: str) -> str:
    """file:line:col of the first place `text` appears (YAML positions of flow entries)."""
    for number, line in enumerate(spec.read_text().splitlines(), 1):
        if text in line:
            return f"{spec}:{number}:{line.index(text) + 1}"
    raise AssertionError(text)


AGENT = "agents:\n  helper: {model: fake, tools: [plus, weather, demo]}\n"


def test_tools_list_shows_every_tool_with_its_source_and_schema(tmp_path: Path) -> None:
    spec = write(tmp_path, [{"content": "hi"}], ALL_KINDS, AGENT)
    result = run_cli(["tools", "list", str(spec), "--json"])
    assert result.exit_code == 0, result.stderr
    tools = {tool["name"]: tool for tool in json.loads(result.stdout)}
    assert {name: t["source"] for name, t in tools.items()} == {
        "plus": "python",
        "weather": "http",
        "demo_add": "mcp",
        "demo_weather": "mcp",
    }
    assert tools["plus"]["parameters"]["required"] == ["a", "b"]
    assert tools["demo_add"]["parameters"]["title"] == "addArguments"
    assert tools["demo_add"]["origin"].startswith("demo (")
    text = run_cli(["tools", "list", str(spec)]).stdout
    assert "demo_weather  [mcp: demo (" in text and "  The weather in a city." in text


def test_validate_connect_lists_each_server_and_passes(tmp_path: Path) -> None:
    spec = write(tmp_path, [call("demo_add", a=1, b=2), {"content": "3"}], ALL_KINDS, AGENT)
    result = run_cli(["validate", "--connect", str(spec)])
    assert result.exit_code == 0, result.stderr
    listed = f"{spec}:7:9: MCP server 'demo' lists 10 tools: add, weather, process_id"
    assert listed in result.stdout


def test_validate_connect_reports_unknown_names_and_unreachable_servers(tmp_path: Path) -> None:
    tools = {
        "demo": {"mcp": {"command": [PYTHON, str(DEMO)], "include_tools": ["add", "wether"]}},
        "down": {"mcp": {"url": "http://127.0.0.1:9/mcp", "headers": {"X-Key": "secret-1234567"}}},
        "gone": {"mcp": {"command": "no-such-server-here"}},
    }
    agents = "agents:\n  helper: {model: fake, tools: [demo, down, gone]}\n"
    spec = write(tmp_path, [{"content": "hi"}], tools, agents)
    result = run_cli(["validate", "--connect", str(spec)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        at(spec, '"wether"')
        + ": MCP server 'demo': include_tools names 'wether', which the server does "
        "not list; did you mean 'weather'?",
        f"{spec}:6:9: MCP server 'down' (http://127.0.0.1:9/mcp): cannot start: All connection "
        "attempts failed",
        f"{spec}:7:29: tool 'gone': MCP server command 'no-such-server-here' not found (hint: "
        "install it where agno-dsl runs (e.g. pip install it) or give its full path)",
    ]


def test_validate_connect_checks_scripted_tool_calls(tmp_path: Path) -> None:
    responses = [call("demo_ad", a=1, b=2), call("plus", a=1, b=1), {"content": "3"}]
    spec = write(tmp_path, responses, ALL_KINDS, AGENT)
    result = run_cli(["validate", "--connect", str(spec)])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{spec}:3:")
    assert line.endswith(
        "scripted tool call names 'demo_ad', which no tool offers; did you mean 'demo_add'?"
    )
    assert run_cli(["validate", str(spec)]).exit_code == 0  # without --connect: nothing started


def test_run_calls_get_current_time_of_mcp_server_time(tmp_path: Path) -> None:
    tools = {"clock": {"mcp": {"command": "mcp-server-time"}}}
    agents = "agents:\n  helper: {model: fake, tools: [clock]}\n"
    spec = write(
        tmp_path, [call("get_current_time", timezone="Etc/UTC"), {"content": "ok"}], tools, agents
    )
    events = tmp_path / "events.jsonl"
    result = run_cli(["run", str(spec), "what time is it?", "--events", str(events)])
    assert (result.exit_code, result.stdout) == (0, "ok\n"), result.stderr
    (completed,) = [e for e in read_events(events) if e["event"] == "ToolCallCompleted"]
    assert json.loads(completed["tool"]["result"])["timezone"] == "Etc/UTC"


def test_run_says_what_failed_in_one_line_and_debug_shows_the_server_stderr(tmp_path: Path) -> None:
    tools = {"demo": {"mcp": {"command": [PYTHON, str(DEMO)]}}}
    agents = "agents:\n  helper: {model: fake, tools: [demo]}\n"
    spec = write(tmp_path, [call("die"), {"content": "it fell over"}], tools, agents)
    result = run_cli(["run", str(spec), "go"])
    assert result.exit_code == 0
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"warning: {spec}:5:9: MCP server 'demo' (")
    assert line.endswith("): die failed: Connection closed")
    debug = run_cli(["--debug", "run", str(spec), "go"])
    assert "demo server: exiting on purpose" in debug.stderr
    after_the_command = run_cli(["run", str(spec), "go", "--debug"])  # either place (main)
    assert "demo server: exiting on purpose" in after_the_command.stderr
