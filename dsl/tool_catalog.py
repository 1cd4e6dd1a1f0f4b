"""Every tool a spec offers, as models see them: python, HTTP and MCP (each server opened
to list its tools), and the checks `validate --connect` makes with them.

Opening the MCP servers is what makes this a separate step from `validate`: it
starts processes and reaches the network, so it is asked for with `--connect`
(and done by `agno-dsl tools list`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from .errors import Problem, SpecError
from .interpreter.agents.team import LEADER_TOOL_NAMES
from .interpreter.tools.base import ToolPlan
from .interpreter.tools.mcp import (
    McpConnection,
    McpServerError,
    McpServerPlan,
    select_tools,
    unknown_tool_names,
)
from .loader import Document
from .overrides import compiler_for
from .schemas.base import suggest
from .schemas.models import ScriptedModel
from .schemas.tools import HttpTool, PythonTool


@dataclass(frozen=True)
class CatalogTool:
    """One tool as the model sees it, and where it comes from."""

    name: str
    source: str  # python | http | mcp
    origin: str  # the import path, the request, or the MCP server's spec name and target
    description: str | None
    parameters: dict[str, Any]


@dataclass
class Catalog:
    """Every tool a spec offers, with where it comes from and its schema."""

    tools: list[CatalogTool] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    servers: list[tuple[McpServerPlan, list[str]]] = field(default_factory=list)  # listed names


def build_catalog(document: Document) -> Catalog:
    """Compile every tool of the spec and open every MCP server once to list its tools."""
    catalog = Catalog()
    runners = compiler_for(document, None).runners
    servers: list[McpServerPlan] = []
    for name, config in document.spec.tools.items():
        try:
            plan = runners.tool(name, ("tools", name))
        except SpecError as exc:
            catalog.problems.extend(exc.problems)
            continue
        if isinstance(plan, McpServerPlan):
            servers.append(plan)
        else:
            catalog.tools.append(_entry(plan, config))
    for server, listed in zip(servers, asyncio.run(_list_all(servers)), strict=True):
        _add_server(document, catalog, server, listed)
    return catalog


def _entry(plan: ToolPlan, config: Any) -> CatalogTool:
    if isinstance(config, PythonTool):
        source, origin = "python", config.python
    else:
        assert isinstance(config, HttpTool)
        source, origin = "http", f"{config.http.method} {config.http.url}"
    return CatalogTool(plan.name, source, origin, plan.description, plan.parameters)


async def _list_all(servers: list[McpServerPlan]) -> list[list[Any] | McpServerError]:
    async def listing(server: McpServerPlan) -> list[Any] | McpServerError:
        connection = McpConnection(server)
        try:
            return await connection.open()
        except McpServerError as exc:
            return exc
        finally:
            await connection.aclose()

    return await asyncio.gather(*map(listing, servers))


def _add_server(
    document: Document, catalog: Catalog, server: McpServerPlan, listed: list[Any] | Exception
) -> None:
    at = document.locate(("tools", server.name))
    if isinstance(listed, Exception):
        reason = server.scrub(str(listed))
        catalog.problems.append(
            Problem(f"MCP server '{server.name}' ({server.target}): {reason}", at)
        )
        return
    names = [tool.name for tool in listed]
    catalog.servers.append((server, names))
    problems = unknown_tool_names(server, names)
    for option, index, message in problems:
        where = document.locate(("tools", server.name, "mcp", option, index))
        catalog.problems.append(Problem(f"MCP server '{server.name}': {message}", where))
    if problems:
        return
    origin = f"{server.name} ({server.target})"
    for plan in select_tools(server, listed, None):
        catalog.tools.append(
            CatalogTool(plan.name, "mcp", origin, plan.description, plan.parameters)
        )


def scripted_call_problems(document: Document, catalog: Catalog) -> list[Problem]:
    """Tool calls of scripted models that name no tool of the spec (with did-you-mean)."""
    known = {tool.name for tool in catalog.tools} | LEADER_TOOL_NAMES
    problems = []
    for model_name, model in document.spec.models.items():
        if not isinstance(model, ScriptedModel):
            continue
        for index, response in enumerate(model.responses):
            for position, tool_call in enumerate(response.tool_calls or []):
                if tool_call.name in known:
                    continue
                guess = suggest(tool_call.name, known)
                path = ("models", model_name, "responses", index, "tool_calls", position, "name")
                problems.append(
                    Problem(
                        f"scripted tool call names '{tool_call.name}', which no tool offers"
                        + (f"; did you mean '{guess}'?" if guess else ""),
                        document.locate(path),
                    )
                )
    return problems
