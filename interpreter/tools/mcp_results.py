"""What the model gets back from an MCP tool call: agno's MCPTools conversion, text for text.

agno 3.1.10 (`agno/utils/mcp.py`, `get_entrypoint_for_tool`) turns a
`CallToolResult` into one string: text items line by line (a text item that
is a JSON `{"type": "image", "data": …}` counts as an image), a sentence for
each image or audio item, embedded resources as their JSON, structured
content as sorted JSON when there is no text at all. An error result, an
MCP error and any other failure also come back as text, never as a raised
error, so the loop reports them as completed calls, as agno does.

The media themselves (agno attaches them to the run output) are not kept:
only the sentence standing for them reaches the model, as in agno's text.
"""

from __future__ import annotations

import json
from typing import Any

IMAGE_NOTE = "Image has been generated and added to the response."
AUDIO_NOTE = "Audio has been generated and added to the response."


def result_text(tool_name: str, result: Any) -> str:
    """The string agno's MCP entrypoint returns for this `CallToolResult`."""
    if result.is_error:
        # agno formats the content list itself: the pydantic reprs of the items.
        return f"Error from MCP tool '{tool_name}': {result.content}"
    text = ""
    for item in result.content:
        kind = getattr(item, "type", None)
        if kind == "text":
            text += (IMAGE_NOTE if _is_json_image(item.text) else item.text) + "\n"
        elif kind == "image":
            text += IMAGE_NOTE + "\n"
        elif kind == "audio":
            decodes = _decodes(getattr(item, "data", None))
            text += (AUDIO_NOTE if decodes else "[Audio content could not be decoded]") + "\n"
        elif kind == "resource":
            text += f"[Embedded resource: {item.resource.model_dump_json(by_alias=True)}]\n"
        else:
            text += f"[Unsupported content type: {kind}]\n"
    if not text.strip():
        text = _structured_text(result) or ""
    return text.strip()


def mcp_error_text(tool_name: str, error: Exception) -> str:
    """agno's text for an `MCPError` (the connection closed, the request timed out)."""
    return (
        f"MCP tool '{tool_name}' failed: {error}. "
        "The MCP server may be unreachable or the request timed out."
    )


def other_error_text(error: Exception) -> str:
    """agno's text for any other failure of the call (a malformed answer, for one)."""
    return f"Error: {error}"


def _is_json_image(text: str) -> bool:
    """agno's custom image format: a text item holding {"type": "image", "data": base64}."""
    try:
        parsed = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return False
    if not (isinstance(parsed, dict) and parsed.get("type") == "image" and "data" in parsed):
        return False
    return _decodes(parsed.get("data"))


def _decodes(data: Any) -> bool:
    if not data or not isinstance(data, str):
        return False
    import base64  # lazy: only results with media need it
    import binascii

    try:
        return bool(base64.b64decode(data))
    except (binascii.Error, ValueError):
        return False


def _structured_text(result: Any) -> str | None:
    structured = getattr(result, "structured_content", None)
    if structured is None:
        return None
    try:
        return json.dumps(structured, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(structured)
