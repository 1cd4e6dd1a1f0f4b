"""interpreter/tools/mcp_results.py: every kind of MCP content turned into agno's text.

The results are the SDK's own `CallToolResult` objects, parsed from what a server
sends; the expected texts are what agno 3.1.10's MCPTools entrypoint returns for them
(test_mcp_parity.py checks the common ones against agno itself)."""

from __future__ import annotations

import base64
import json

from agno_dsl.interpreter.tools.mcp_results import result_text
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
