"""interpreter/tools/mcp_results.py: every kind of MCP content turned into agno's text.

The results are the SDK's own `CallToolResult` objects, parsed from what a server
sends; the expected texts are what agno 3.1.10's MCPTools entrypoint returns for them
(the last tests below ask agno's own entrypoint)."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
from agno_dsl.interpreter.tools.mcp_results import mcp_error_text, other_error_text, result_text
from mcp import MCPError
from mcp.types import CallToolResult

PNG = base64.b64encode(b"\x89PNG fake").decode()


def result(*content: dict, structured: object = None, error: bool = False) -> CallToolResult:
    wire = {"content": list(content), "isError": error}
    if structured is not None:
        wire["structuredContent"] = structured
    return CallToolResult.model_validate(wire)


def test_text_items_one_per_line() -> None:
    text = result({"type": "text", "text": "a"}, {"type": "text", "text": "b"})
    assert result_text("t", text) == "a\nb"


def test_a_json_image_in_text_counts_as_an_image_unless_it_does_not_decode() -> None:
    image = json.dumps({"type": "image", "data": PNG, "mimeType": "image/png"})
    broken = json.dumps({"type": "image", "data": ""})
    assert result_text("t", result({"type": "text", "text": image})) == (
        "Image has been generated and added to the response."
    )
    assert result_text("t", result({"type": "text", "text": broken})) == broken


def test_audio_that_decodes_and_audio_that_does_not() -> None:
    good = {"type": "audio", "data": PNG, "mimeType": "audio/wav"}
    bad = {"type": "audio", "data": "", "mimeType": "audio/wav"}
    assert result_text("t", result(good, bad)).splitlines() == [
        "Audio has been generated and added to the response.",
        "[Audio content could not be decoded]",
    ]


def test_a_resource_link_is_an_unsupported_type() -> None:
    link = {"type": "resource_link", "uri": "file:///x", "name": "x"}
    assert result_text("t", result(link)) == "[Unsupported content type: resource_link]"


def test_structured_content_alone_is_sorted_json() -> None:
    assert result_text("t", result(structured={"b": 1, "a": "é"})) == '{"a": "é", "b": 1}'
    assert result_text("t", result()) == ""


def test_an_error_result_shows_its_items() -> None:
    text = result_text("t", result({"type": "text", "text": "no"}, error=True))
    assert text.startswith("Error from MCP tool 't': [TextContent(type='text', text='no'")


# --- agno as the judge ---------------------------------------------------------------------
# agno's own MCP entrypoint, given a session that answers with the result (or raises the
# failure) a server's answer became, returns the text the model reads; ours must be equal.
# The tests/parity MCP pairs compare whole runs on real servers; these cover every content
# kind and failure, including those a pair cannot hold (a call past its timeout: agno's
# timeout also bounds the server's start-up).


class AnsweringSession:
    """What agno's entrypoint calls on a session: ping, then call_tool."""

    def __init__(self, answer: CallToolResult | Exception) -> None:
        self.answer = answer

    async def send_ping(self) -> None:
        return None

    async def call_tool(self, name: str, arguments: dict) -> CallToolResult:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def agno_text(answer: CallToolResult | Exception, name: str = "t") -> str:
    from agno.utils.mcp import get_entrypoint_for_tool
    from mcp.types import Tool

    tool = Tool(name=name, input_schema={"type": "object"})
    entrypoint = get_entrypoint_for_tool(tool, AnsweringSession(answer))  # type: ignore[arg-type]
    return str(asyncio.run(entrypoint()).content)


RESULTS = {
    "text": result({"type": "text", "text": "a"}, {"type": "text", "text": "b"}),
    "json image": result({"type": "text", "text": json.dumps({"type": "image", "data": PNG})}),
    "broken json image": result({"type": "text", "text": json.dumps({"type": "image"})}),
    "image": result({"type": "image", "data": PNG, "mimeType": "image/png"}),
    "audio": result(
        {"type": "audio", "data": PNG, "mimeType": "audio/wav"},
        {"type": "audio", "data": "", "mimeType": "audio/wav"},
    ),
    "resource": result(
        {"type": "resource", "resource": {"uri": "memo://n", "text": "n", "mimeType": "text/plain"}}
    ),
    "resource link": result({"type": "resource_link", "uri": "file:///x", "name": "x"}),
    "structured": result(structured={"b": 1, "a": "é"}),
    "text and structured": result({"type": "text", "text": "7"}, structured={"result": 7}),
    "empty": result(),
    "error": result({"type": "text", "text": "no"}, error=True),
}


@pytest.mark.parametrize("kind", sorted(RESULTS))
def test_each_result_reads_as_agnos_mcp_tools_gives_it(kind: str) -> None:
    assert result_text("t", RESULTS[kind]) == agno_text(RESULTS[kind])


def test_failed_calls_read_as_agnos_mcp_tools_gives_them() -> None:
    timed_out = MCPError(code=408, message="Request 'tools/call' timed out")
    closed = MCPError(code=-32000, message="Connection closed")
    malformed = ValueError("2 validation errors for CallToolResult")
    assert mcp_error_text("hang", timed_out) == agno_text(timed_out, "hang")
    assert mcp_error_text("die", closed) == agno_text(closed, "die")
    assert other_error_text(malformed) == agno_text(malformed)
