"""Compiling an `mcp:` tool into the `McpServerPlan` the run opens.

A stdio command is found before anything runs, as agno's MCPTools checks its
command when it is made: first beside the Python running agno-dsl (the
environment it was installed in, as if activated, so `python` and scripts
installed with it are that environment's), then on PATH. The server runs in
the spec's directory unless `cwd:` says otherwise (relative to the spec too),
as import paths of python tools resolve from there.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

from .interpreter.tools.mcp import DEFAULT_TIMEOUT, McpServerPlan
from .schemas.tools import McpTool
from .source import YamlPath


def mcp_server_plan(compiler: Any, name: str, config: McpTool, path: YamlPath) -> McpServerPlan:
    """The plan of one MCP server; a command that cannot be found is a spec error."""
    server = config.mcp
    at: YamlPath = (*path, "mcp")
    base_dir: Path = compiler.document.base_dir
    cwd = str((base_dir / server.cwd).resolve()) if server.cwd else str(base_dir)
    command: tuple[str, ...] = ()
    if server.command is not None:
        argv = shlex.split(server.command) if isinstance(server.command, str) else server.command
        if not argv:
            raise compiler.fail(f"tool '{name}': the MCP command is empty", (*at, "command"))
        found = find_command(argv[0], cwd, server.env)
        if found is None:
            raise compiler.fail(
                f"tool '{name}': MCP server command '{argv[0]}' not found",
                (*at, "command"),
                "install it where agno-dsl runs (e.g. pip install it) or give its full path",
            )
        command = (found, *argv[1:], *server.args)
    transport = server.transport or ("stdio" if server.url is None else "streamable-http")
    return McpServerPlan(
        name=name,
        where=compiler.where(path),
        command=command,
        env=dict(server.env) or None,
        cwd=cwd,
        url=server.url,
        transport=transport,
        headers=dict(server.headers) or None,
        include_tools=tuple(server.include_tools) if server.include_tools is not None else None,
        exclude_tools=tuple(server.exclude_tools or ()),
        tool_name_prefix=server.tool_name_prefix,
        timeout=config.timeout if config.timeout is not None else DEFAULT_TIMEOUT,
        cache=config.cache,
        requires_confirmation=config.requires_confirmation,
        stop_after_tool_call=config.stop_after_tool_call,
    )


def find_command(command: str, cwd: str, env: dict[str, str]) -> str | None:
    """The executable a server's command names, or None if there is none."""
    if os.sep in command:
        path = Path(cwd) / command
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    search = [str(Path(sys.executable).parent), env.get("PATH") or os.environ.get("PATH", "")]
    return shutil.which(command, path=os.pathsep.join(search))
