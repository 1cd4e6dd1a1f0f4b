"""`agno-dsl tools list SPEC` and what `validate --connect` adds: every tool of a spec with its
source and JSON schema, MCP servers started to list theirs."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .cli_shared import EXIT_FAILED, EXIT_OK, load_or_exit


def connect_problems(document: Any) -> list[str]:
    """Open every MCP server of a valid spec; say what each lists on stdout; return the
    problems (unreachable servers, unknown include/exclude names, scripted tool calls
    naming no tool), one file:line:col line each."""
    from .tool_catalog import build_catalog, scripted_call_problems

    catalog = build_catalog(document)
    for server, names in catalog.servers:
        click.echo(
            f"{server.where}: MCP server '{server.name}' lists {len(names)} tools: "
            + ", ".join(names)
        )
    problems = catalog.problems
    if not problems:  # names are only worth checking once every server answered
        problems = scripted_call_problems(document, catalog)
    return [str(problem) for problem in sorted(problems, key=lambda p: p.sort_key())]


@click.group()
def tools() -> None:
    """The tools of a spec, as models see them."""


@tools.command(name="list")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the tools as a JSON list.")
def list_tools(file: str, as_json: bool) -> None:
    """Each tool of FILE with its source (python, http, mcp) and JSON schema; MCP servers
    are started to list their tools."""
    from dataclasses import asdict

    from .tool_catalog import build_catalog

    document = load_or_exit(file, EXIT_FAILED)
    catalog = build_catalog(document)
    if as_json:
        click.echo(json.dumps([asdict(tool) for tool in catalog.tools], indent=2))
    else:
        for tool in catalog.tools:
            click.echo(f"{tool.name}  [{tool.source}: {tool.origin}]")
            if tool.description:
                click.echo(f"  {tool.description}")
            click.echo(f"  parameters: {json.dumps(tool.parameters, sort_keys=True)}")
    for problem in catalog.problems:
        click.echo(str(problem), err=True)
    sys.exit(EXIT_FAILED if catalog.problems else EXIT_OK)
