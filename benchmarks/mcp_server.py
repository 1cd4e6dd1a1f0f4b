"""The MCP server both systems call in W9 (the MCP SDK's FastMCP, `MCPServer` since mcp 2):
stdio by default, `http PORT` for streamable HTTP on 127.0.0.1."""

import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("bench")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
