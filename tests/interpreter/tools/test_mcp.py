"""interpreter/tools/mcp.py: MCP tools against real servers (the demo FastMCP server over
stdio, streamable HTTP and SSE; the published mcp-server-time), as a scripted agent uses them."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from agno_dsl.errors import SpecError
from agno_dsl.interpreter.agents.run_loop import LoopTool, tool_schemas
from agno_dsl.interpreter.agents.tool_calls import UNKNOWN_TOOL
from agno_dsl.interpreter.tools.mcp import McpServerPlan, McpServers

from .mcp_helpers import (
    DEMO,
    MALFORMED,
    PYTHON,
    call,
    completed_results,
    gone,
    live_children,
    remote_demo,
    run_and_look,
    run_spec,
    stdio_demo,
    tool_events,
    tool_messages,
    write_spec,
)

AGENT = "agents:\n  helper: {model: fake, tools: [demo]}\n"
DONE = {"content": "done"}


def write(tmp_path: Path, responses: list, tools: dict, agents: str = AGENT) -> Path:
    return write_spec(tmp_path, responses, tools, agents)


@pytest.fixture(autouse=True)
def _no_orphans():  # type: ignore[no-untyped-def]
    """No test leaves a server process running."""
    yield
    left = live_children()
    assert gone([p.pid for p in left]), [p.cmdline() for p in left]


def test_tools_are_named_described_and_shaped_as_the_server_lists_them() -> None:
    async def listing() -> tuple[list, list]:
        from mcp import ClientSession, StdioServerParameters
        from mcp.client.stdio import stdio_client

        params = StdioServerParameters(command=PYTHON, args=[str(DEMO)])
        async with stdio_client(params) as streams, ClientSession(*streams) as session:
            await session.initialize()
            listed = (await session.list_tools()).tools
        servers = McpServers()
        try:
            plans = await servers.tools(
                McpServerPlan(name="demo", where="-", command=(PYTHON, str(DEMO)))
            )
        finally:
            await servers.aclose()
        return listed, list(plans)

    listed, plans = asyncio.run(listing())
    assert [(p.name, p.description, p.parameters) for p in plans] == [
        (t.name, t.description, t.input_schema) for t in listed
    ]
    assert plans[0].parameters["title"] == "addArguments"  # untouched, title and all
    shout = next(p for p in plans if p.name == "shout")
    assert shout.description == ""  # no docstring: the server says "", and so do we
    # A server may give no description at all: the model then gets none (agno's to_dict).
    loop_tool = LoopTool(shout.name, None, shout.parameters, shout.function)
    (schema,) = tool_schemas({shout.name: loop_tool}) or []
    assert "description" not in schema["function"]


def test_a_call_returns_the_servers_text_in_tool_call_completed(tmp_path: Path) -> None:
    spec = write(tmp_path, [call("add", a=2, b=3), DONE], {"demo": stdio_demo()})
    output, events = run_spec(spec)
    assert output.status == "completed"
    started, completed = tool_events(events)
    assert (started["event"], completed["event"]) == ("ToolCallStarted", "ToolCallCompleted")
    assert completed["tool"]["result"] == "5"
    assert completed["tool"]["tool_args"] == {"a": 2, "b": 3}
    assert completed["tool"]["tool_call_error"] is False  # a call that answered
    assert output.tools[0]["result"] == "5"
    # The model reads the server's text itself: a string, not converted again.
    (message,) = [m for m in output.messages if m.role == "tool"]
    assert message.content == "5"


def test_results_convert_like_agnos_mcp_tools(tmp_path: Path) -> None:
    responses = [
        {"tool_calls": [{"name": "weather", "arguments": {"city": "Oslo"}}]},
        call("picture"),
        call("fail", reason="boom"),
        DONE,
    ]
    spec = write(tmp_path, responses, {"demo": stdio_demo()})
    _, events = run_spec(spec)
    results = completed_results(events)
    assert json.loads(results[0]) == {"city": "Oslo", "temperature": 21.5}
    assert results[1].splitlines() == [
        "Image has been generated and added to the response.",
        '[Embedded resource: {"uri":"memo://note","mimeType":"text/plain","_meta":null,'
        '"text":"a note"}]',
    ]
    # An error result is text for the model, as agno gives it: a completed call.
    assert results[2] == (
        "Error from MCP tool 'fail': [TextContent(type='text', text='Error executing tool fail',"
        " annotations=None, meta=None)]"
    )


def test_include_exclude_and_prefix_decide_what_the_model_sees(tmp_path: Path) -> None:
    tools = {
        "demo": stdio_demo(
            include_tools=["add", "fail"], exclude_tools=["fail"], tool_name_prefix="calc"
        )
    }
    spec = write(tmp_path, [call("calc_add", a=1, b=1), call("add", a=1, b=1), DONE], tools)
    output, events = run_spec(spec)
    (first,) = [e["tool"] for e in tool_events(events) if e["event"] == "ToolCallCompleted"]
    assert (first["tool_name"], first["result"]) == ("calc_add", "2")
    # The unprefixed name is no tool: agno tells the model so, with no event.
    assert [e["event"] for e in tool_events(events)] == ["ToolCallStarted", "ToolCallCompleted"]
    assert tool_messages(output) == ["2", UNKNOWN_TOOL]


def test_one_session_per_server_shared_by_every_agent_of_the_run(tmp_path: Path) -> None:
    agents = (
        "agents:\n  one: {model: fake, tools: [demo]}\n  two: {model: fake, tools: [demo]}\n"
        "  three: {model: fake, tools: [demo]}\n"
        "workflows:\n  w:\n    steps:\n"
        "      - parallel: {name: both, steps: [{agent: one}, {agent: two}]}\n"
        "      - {name: after, agent: three}\n"
    )
    spec = write(tmp_path, [call("process_id"), DONE], {"demo": stdio_demo()}, agents)
    _, events, alive = run_and_look(spec)
    pids = completed_results(events)
    assert len(pids) == 3
    assert len(set(pids)) == 1  # two agents at once, one after: one server
    assert alive == []  # and it stopped with the run


def test_a_call_past_the_timeout_is_an_error_result_and_a_warning(tmp_path: Path, caplog) -> None:
    spec = write(
        tmp_path,
        [call("hang", seconds=30), call("add", a=1, b=2), DONE],
        {"demo": stdio_demo(timeout="500ms")},
    )
    with caplog.at_level(logging.WARNING, logger="agno_dsl"):
        output, events = run_spec(spec)
    assert output.status == "completed"
    hung, after = completed_results(events)
    assert hung == (
        "MCP tool 'hang' failed: Request 'tools/call' timed out. "
        "The MCP server may be unreachable or the request timed out."
    )
    assert after == "3"  # the session survives a timed-out call
    (line,) = caplog.messages
    assert line.startswith(f"{spec}:5:9: MCP server 'demo' (")
    assert line.endswith("): hang failed: Request 'tools/call' timed out")


def test_a_server_that_exits_mid_call_gives_the_model_an_error(tmp_path: Path, caplog) -> None:
    spec = write(tmp_path, [call("die"), call("add", a=1, b=2), DONE], {"demo": stdio_demo()})
    with caplog.at_level(logging.DEBUG, logger="agno_dsl"):
        output, events = run_spec(spec)
    assert output.status == "completed"
    died, after = completed_results(events)
    assert died.startswith("MCP tool 'die' failed: Connection closed.")
    assert after.startswith("MCP tool 'add' failed: Connection closed.")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings[0].endswith("die failed: Connection closed")
    # The server's stderr is kept for --debug.
    assert any("demo server: exiting on purpose" in m for m in caplog.messages)


def test_a_malformed_result_is_an_error_result(tmp_path: Path, caplog) -> None:
    tools = {"demo": {"mcp": {"command": [PYTHON, str(MALFORMED)]}}}
    spec = write(tmp_path, [call("broken"), DONE], tools)
    with caplog.at_level(logging.WARNING, logger="agno_dsl"):
        _, events = run_spec(spec)
    (result,) = completed_results(events)
    assert result.startswith("Error: 2 validation errors for CallToolResult")
    (line,) = caplog.messages
    assert line.endswith("broken failed: 2 validation errors for CallToolResult")


def test_a_command_missing_from_path_is_a_spec_error_at_its_line(tmp_path: Path) -> None:
    spec = write(tmp_path, [DONE], {"demo": {"mcp": {"command": "no-such-mcp-server --flag"}}})
    with pytest.raises(SpecError) as caught:
        run_spec(spec)
    assert str(caught.value.problems[0]).startswith(
        f"{spec}:5:29: tool 'demo': MCP server command 'no-such-mcp-server' not found"
    )


def test_a_server_that_cannot_start_leaves_the_agent_without_its_tools(
    tmp_path: Path, caplog
) -> None:
    tools = {"demo": {"mcp": {"command": [PYTHON, "-c", "import sys; sys.exit(4)"]}}}
    spec = write(tmp_path, [call("add", a=1, b=2), DONE], tools)
    with caplog.at_level(logging.WARNING, logger="agno_dsl"):
        output, events = run_spec(spec)
    assert output.status == "completed"  # agno runs the agent without the server's tools
    assert tool_events(events) == []  # agno: a call to a tool that is not there has no event
    assert tool_messages(output) == [UNKNOWN_TOOL]
    (line,) = caplog.messages
    assert line.startswith(f"{spec}:5:9: MCP server 'demo' (")
    assert line.endswith(
        "cannot start: the server exited before it answered (run with --debug to see its "
        "stderr); the agent runs without its tools"
    )


def test_include_tools_naming_a_missing_tool_says_which_and_suggests(
    tmp_path: Path, caplog
) -> None:
    spec = write(
        tmp_path, [call("add", a=1, b=2), DONE], {"demo": stdio_demo(include_tools=["ad"])}
    )
    with caplog.at_level(logging.WARNING, logger="agno_dsl"):
        run_spec(spec)
    (line,) = caplog.messages
    assert line.endswith(
        "include_tools names 'ad', which the server does not list; did you mean 'add'?; "
        "the agent runs without its tools"
    )


def test_streamable_http_with_a_header_secret_that_never_shows(
    tmp_path: Path, monkeypatch, caplog
) -> None:
    secret = "tok-9f8e7d6c5b4a3210"
    monkeypatch.setenv("DEMO_TOKEN", secret)
    storage = f"sqlite:///{tmp_path}/runs.db"
    with remote_demo("http", {"DEMO_EXPECTED_AUTH": f"Bearer {secret}"}) as url:
        tools = {
            "demo": {"mcp": {"url": url, "headers": {"Authorization": "Bearer ${DEMO_TOKEN}"}}},
            "down": {
                "mcp": {
                    "url": f"http://127.0.0.1:9/mcp?key={secret}",
                    "headers": {"Authorization": "Bearer ${DEMO_TOKEN}"},
                }
            },
        }
        agents = "agents:\n  helper: {model: fake, tools: [demo, down]}\n"
        spec = write(tmp_path, [call("authorized"), call("fail", reason="x"), DONE], tools, agents)
        with caplog.at_level(logging.DEBUG, logger="agno_dsl"):
            output, events = run_spec(spec, storage=storage)
    results = completed_results(events)
    assert results[0] == "authorized"  # the header reached the server
    assert caplog.messages[0].startswith(f"{spec}:6:9: MCP server 'down' (http://127.0.0.1:9/mcp)")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("runs.db*"))
    everything = json.dumps(events) + output.model_dump_json() + "\n".join(caplog.messages)
    assert secret not in everything
    assert secret.encode() not in stored


def test_sse_transport(tmp_path: Path) -> None:
    with remote_demo("sse") as url:
        tools = {"demo": {"mcp": {"url": url, "transport": "sse"}}}
        spec = write(tmp_path, [call("add", a=20, b=22), DONE], tools)
        _, events = run_spec(spec)
    assert completed_results(events) == ["42"]


def test_get_current_time_of_mcp_server_time(tmp_path: Path) -> None:
    tools = {"clock": {"mcp": {"command": "mcp-server-time"}}}
    agents = "agents:\n  helper: {model: fake, tools: [clock]}\n"
    spec = write(tmp_path, [call("get_current_time", timezone="Asia/Tokyo"), DONE], tools, agents)
    output, events = run_spec(spec)
    (completed,) = completed_results(events)
    answer = json.loads(completed)
    assert answer["timezone"] == "Asia/Tokyo" and answer["datetime"].endswith("+09:00")


def test_a_team_leader_and_its_members_share_one_session(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\nmodels:\n"
        "  lead:\n    provider: scripted\n    responses:\n"
        "      - {tool_calls: [{name: process_id, arguments: {}}]}\n"
        "      - {tool_calls: [{name: delegate_task_to_members, arguments: {task: 'pid?'}}]}\n"
        "      - {content: done}\n"
        "  fake:\n    provider: scripted\n    responses:\n"
        "      - {tool_calls: [{name: process_id, arguments: {}}]}\n"
        "      - {content: mine}\n"
        f"tools:\n  demo: {json.dumps(stdio_demo())}\n"
        "agents:\n  one: {model: fake, tools: [demo]}\n  two: {model: fake, tools: [demo]}\n"
        "teams:\n  crew: {mode: broadcast, model: lead, members: [one, two], tools: [demo]}\n"
    )
    output, events, alive = run_and_look(spec)
    assert output.status == "completed", output.error
    pids = [
        e["tool"]["result"]
        for e in events
        if e["event"].endswith("ToolCallCompleted") and e["tool"]["tool_name"] == "process_id"
    ]
    assert len(pids) == 3 and len(set(pids)) == 1  # leader and both members: one server
    assert alive == []
