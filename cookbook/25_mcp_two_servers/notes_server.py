"""A notes MCP server (the SDK's FastMCP, `MCPServer` since mcp 2) run over stdio."""

from mcp.server.mcpserver import MCPServer

server = MCPServer("notes")

NOTES = {"standup": "Standup moved to 10:30 Tokyo time."}


@server.tool()
def read_note(title: str) -> str:
    """Read a note by its title."""
    return NOTES.get(title, f"no note called {title}")


@server.tool()
def list_notes() -> list[str]:
    """The titles of every note."""
    return sorted(NOTES)


@server.tool()
def delete_note(title: str) -> str:
    """Delete a note (kept away from the agent by exclude_tools)."""
    return f"deleted {title}" if NOTES.pop(title, None) else f"no note called {title}"


if __name__ == "__main__":
    server.run()  # stdio
