"""A FastMCP server for the tests (mcp 2 calls FastMCP `MCPServer`): stdio by default,
`http PORT` for streamable HTTP, `sse PORT` for SSE, on 127.0.0.1."""

from __future__ import annotations

import base64
import os
import sys

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import EmbeddedResource, ImageContent, TextResourceContents
from pydantic import BaseModel

server = MCPServer("demo")
PIXEL = base64.b64encode(b"\x89PNG\r\n\x1a\n fake image bytes").decode()


class Weather(BaseModel):
    city: str
    temperature: float


@server.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@server.tool()
def weather(city: str) -> Weather:
    """The weather in a city."""
    return Weather(city=city, temperature=21.5)


@server.tool()
def process_id() -> int:
    """The server's process id."""
    return os.getpid()


@server.tool()
def fail(reason: str) -> str:
    """Always fails."""
    raise ValueError(reason)


@server.tool()
def die() -> str:
    """Exits the server in the middle of the call."""
    print("demo server: exiting on purpose", file=sys.stderr, flush=True)
    os._exit(3)


@server.tool()
async def hang(seconds: float = 60) -> str:
    """Sleeps, then answers."""
    await anyio.sleep(seconds)
    return "woke up"


@server.tool()
def picture() -> list[ImageContent | EmbeddedResource]:
    """An image and an embedded resource."""
    return [
        ImageContent(type="image", data=PIXEL, mime_type="image/png"),
        EmbeddedResource(
            type="resource",
            resource=TextResourceContents(uri="memo://note", text="a note", mime_type="text/plain"),
        ),
    ]


@server.tool()
def memo() -> list[EmbeddedResource]:
    """An embedded resource alone (no media, so agno adds no media message)."""
    return [
        EmbeddedResource(
            type="resource",
            resource=TextResourceContents(uri="memo://note", text="a note", mime_type="text/plain"),
        )
    ]


@server.tool()
def shout(text: str) -> str:
    return text.upper()


@server.tool()
def authorized(ctx: Context) -> str:
    """Whether the request carried the expected Authorization header (never echoes it)."""
    expected = os.environ.get("DEMO_EXPECTED_AUTH")
    headers = ctx.headers or {}
    return "authorized" if expected and headers.get("authorization") == expected else "denied"


if __name__ == "__main__":
    print("demo server: starting", file=sys.stderr, flush=True)
    if len(sys.argv) == 3 and sys.argv[1] in ("http", "sse"):
        transport = "streamable-http" if sys.argv[1] == "http" else "sse"
        server.run(transport, host="127.0.0.1", port=int(sys.argv[2]))  # type: ignore[call-overload]
    else:
        server.run()
