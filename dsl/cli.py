"""The `agno-dsl` command line.

Imports are made inside commands so that `agno-dsl --help` and `validate`
do not pay for the interpreter, rich or providers. Commands that need more
room live in `cli_*.py` modules and are registered here.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import click

from . import cli_batch, cli_knowledge, cli_memories, cli_run, cli_runs, cli_tools
from .cli_shared import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    allow_python_option,
    debug_option,
    load_or_exit,
)

STARTERS = ("workflow", "agent", "graph")


class _Group(click.Group):
    """Shows one clear line for unexpected errors; --debug shows the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            from .interpreter.errors import without_url_passwords

            message = without_url_passwords(str(exc))
            click.echo(
                f"error: {type(exc).__name__}: {message} (add --debug for details)", err=True
            )
            sys.exit(EXIT_FAILED)


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(package_name="agno-dsl")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Declarative YAML agents, teams and workflows, run like agno."""
    ctx.obj = {"debug": debug}
    show_warnings(debug)


def show_warnings(debug: bool) -> None:
    """Warnings of a run (an MCP server that failed, say) reach the user as one line each,
    `warning: …` on stderr; --debug adds the details (a server's stderr)."""
    import logging  # lazy: ~4 ms that `validate` and `--help` do not need

    class EchoHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            prefix = "warning: " if record.levelno >= logging.WARNING else ""
            click.echo(prefix + record.getMessage(), err=True)

    logger = logging.getLogger("agno_dsl")
    logger.handlers = [EchoHandler()]
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    logger.propagate = False


@main.command()
@debug_option
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@allow_python_option
@click.option(
    "--connect",
    is_flag=True,
    help="Also start each MCP server, list its tools and check the names the spec uses.",
)
def validate(files: tuple[str, ...], allow_python: tuple[str, ...], connect: bool) -> None:
    """Check spec files; print every problem as file:line:col: message (invalid: exit 1)."""
    from .errors import SpecError
    from .loader import load_document

    failed = False
    for file in files:
        try:
            document = load_document(file, allow_python=allow_python)
        except SpecError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            continue
        spec = document.spec
        counts = ", ".join(
            f"{len(getattr(spec, s))} {s}"
            for s in ("workflows", "agents", "teams", "models")
            if getattr(spec, s)
        )
        click.echo(f"{file}: valid ({counts or 'no definitions'})")
        if connect:
            for line in cli_tools.connect_problems(document):
                failed = True
                click.echo(line, err=True)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@main.command()
@debug_option
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to a file.")
def schema(output: str | None) -> None:
    """Print the JSON Schema of the language (for yaml-language-server and editors)."""
    from .jsonschema import language_schema

    text = json.dumps(language_schema(), indent=2) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)


@main.command()
@debug_option
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Diagram language.",
)
@click.option("--workflow", "-w", help="Draw only this workflow.")
@allow_python_option
def graph(file: str, fmt: str, workflow: str | None, allow_python: tuple[str, ...]) -> None:
    """Draw the workflows of a spec; blocks are drawn as subgraphs (invalid spec: exit 2)."""
    from .graph import to_dot, to_mermaid

    document = load_or_exit(file, EXIT_USAGE, allow_python)
    outlines = list(document.outlines.values())
    if workflow is not None:
        if workflow not in document.outlines:
            from .schemas.base import unknown_name_message

            raise click.UsageError(
                unknown_name_message("workflow", workflow, set(document.outlines))
            )
        outlines = [document.outlines[workflow]]
    if not outlines:
        raise click.UsageError(f"{file} defines no workflows")
    click.echo((to_mermaid if fmt == "mermaid" else to_dot)(outlines), nl=False)


@main.command()
@debug_option
@click.argument("template", type=click.Choice(STARTERS), default="workflow")
@click.option(
    "--output",
    "-o",
    default="agno.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Spec file to write.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(template: str, output: str, force: bool) -> None:
    """Write a starter spec (and its JSON Schema for editors) that validates and runs."""
    from importlib.resources import files

    from .jsonschema import language_schema

    target = Path(output)
    if target.exists() and not force:
        raise click.UsageError(f"{output} exists; pass --force to overwrite it")
    text = files("agno_dsl").joinpath("starters", f"{template}.yaml").read_text("utf-8")
    # The starter's comments show how to run it: with the name it was written under.
    text = text.replace("agno-dsl run agno.yaml", f"agno-dsl run {shlex.quote(output)}")
    target.write_text(text, encoding="utf-8")
    schema_file = target.parent / "agno-dsl.schema.json"
    schema_file.write_text(json.dumps(language_schema(), indent=2) + "\n", encoding="utf-8")
    click.echo(f"wrote {output} and {schema_file}; try: agno-dsl validate {output}")


# The run and record commands live in their own modules.
main.add_command(cli_run.run)
main.add_command(cli_run.resume)
main.add_command(cli_runs.runs)
main.add_command(cli_runs.sessions)
main.add_command(cli_tools.tools)
main.add_command(cli_memories.memories)
main.add_command(cli_knowledge.knowledge)
main.add_command(cli_batch.batch)
