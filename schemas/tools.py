"""Tool configurations: python callables, MCP servers, HTTP endpoints."""

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from .base import Duration, ImportPath, SpecModel


class _ToolOptions(SpecModel):
    description: str | None = Field(None, description="What the tool does, shown to the model.")
    requires_confirmation: bool = Field(
        False, description="Pause the run for human approval before each call."
    )
    timeout: Duration | None = Field(None, description="Timeout of one call.")
    cache: bool = Field(False, description="Cache results per run, keyed by arguments.")
    stop_after_tool_call: bool = Field(
        False, description="End the agent run with this tool's result."
    )


class PythonTool(_ToolOptions):
    """A Python function; its signature and docstring become the JSON schema."""

    python: ImportPath = Field(description="Import path 'module:function'.")


class McpServer(SpecModel):
    """How to reach an MCP server and which of its tools to offer (agno's MCPTools options)."""

    command: str | list[str] | None = Field(
        None, description="Command starting a stdio server (a string is split like a shell would)."
    )
    args: list[str] = Field(default_factory=list, description="Arguments of the command.")
    env: dict[str, str] = Field(
        default_factory=dict, description="Environment of the server, over PATH, HOME and the like."
    )
    cwd: str | None = Field(None, description="Working directory of the server.")
    url: str | None = Field(None, description="URL of a streamable-HTTP or SSE server.")
    transport: Literal["stdio", "streamable-http", "sse"] | None = Field(
        None, description="stdio with `command`, streamable-http with `url` unless sse is named."
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="HTTP headers of a remote server; put secrets in ${ENV} variables.",
    )
    include_tools: list[str] | None = Field(
        None, description="Offer only these tools of the server."
    )
    exclude_tools: list[str] | None = Field(None, description="Never offer these tools.")
    tool_name_prefix: str | None = Field(
        None, description="Prefix of the tool names the model sees (PREFIX_name)."
    )


class McpTool(_ToolOptions):
    """The tools of an MCP server."""

    mcp: McpServer = Field(description="How to reach the MCP server.")

    @model_validator(mode="after")
    def _one_way_to_reach(self) -> "McpTool":
        server = self.mcp
        if (server.command is None) == (server.url is None):
            raise PydanticCustomError(
                "mcp_server", "an MCP server needs exactly one of command (stdio) or url (remote)"
            )
        if server.command is not None and server.transport not in (None, "stdio"):
            raise PydanticCustomError(
                "mcp_server",
                "transport {transport} needs a url, not a command",
                {"transport": server.transport},
            )
        if server.url is not None and server.transport == "stdio":
            raise PydanticCustomError("mcp_server", "transport stdio needs a command, not a url")
        if self.description is not None:
            raise PydanticCustomError(
                "mcp_server", "an MCP server's tools keep the descriptions the server gives them"
            )
        if server.headers and server.url is None:
            raise PydanticCustomError("mcp_server", "headers are sent to remote servers only (url)")
        return self


class HttpRequest(SpecModel):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = Field(
        "GET", description="HTTP method."
    )
    url: str = Field(description="URL template; `args` holds the call's arguments.")
    headers: dict[str, str] = Field(default_factory=dict, description="Request headers.")
    body: Any = Field(None, description="JSON body template.")
    parameters: dict[str, Any] | None = Field(
        None, description="JSON Schema of the arguments the model passes."
    )


class HttpTool(_ToolOptions):
    """An HTTP endpoint called with the model's arguments."""

    http: HttpRequest = Field(description="The request to send.")


_TOOL_KINDS = ("python", "mcp", "http")


def _tool_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        found = [kind for kind in _TOOL_KINDS if kind in value]
        return "tool:" + found[0] if len(found) == 1 else None
    fields = getattr(type(value), "model_fields", {})
    for kind in _TOOL_KINDS:
        if kind in fields:
            return "tool:" + kind
    return None


ToolConfig = Annotated[
    Annotated[PythonTool, Tag("tool:python")]
    | Annotated[McpTool, Tag("tool:mcp")]
    | Annotated[HttpTool, Tag("tool:http")],
    Discriminator(
        _tool_kind,
        custom_error_type="tool_kind",
        custom_error_message="a tool needs exactly one of the keys: python, mcp, http",
    ),
]
