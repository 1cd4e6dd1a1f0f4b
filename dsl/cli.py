"""The `agno-dsl` command line.

Imports are made inside commands so that `agno-dsl --help` and `validate`
do not pay for the interpreter, rich or providers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PAUSED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
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
            click.echo(
                f"error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True
            )
            sys.exit(EXIT_FAILED)


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(package_name="agno-dsl")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Declarative YAML agents, teams and workflows, run like agno."""
    ctx.obj = {"debug": debug}


def _load_or_exit(path: str, exit_code: int) -> Any:
    from .errors import SpecError
    from .loader import load_document

    try:
        return load_document(path)
    except SpecError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(exit_code)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Check spec files; print every problem as file:line:col: message."""
    from .errors import SpecError
    from .loader import load_document

    failed = False
    for file in files:
        try:
            document = load_document(file)
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
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@main.command()
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
def graph(file: str, fmt: str, workflow: str | None) -> None:
    """Draw the workflows of a spec; blocks are drawn as subgraphs."""
    from .graph import to_dot, to_mermaid

    document = _load_or_exit(file, EXIT_FAILED)
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
    target.write_text(text, encoding="utf-8")
    schema_file = target.parent / "agno-dsl.schema.json"
    schema_file.write_text(json.dumps(language_schema(), indent=2) + "\n", encoding="utf-8")
    click.echo(f"wrote {output} and {schema_file}; try: agno-dsl validate {output}")


def _parse_inputs(message: str | None, pairs: tuple[str, ...], input_file: str | None) -> Any:
    """MESSAGE alone is a string input; -i and --input-file build an object."""
    if message is not None and (pairs or input_file):
        raise click.UsageError("give either MESSAGE or -i/--input-file, not both")
    if message is not None:
        return message
    value: Any = None
    if input_file is not None:
        try:
            value = json.loads(Path(input_file).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise click.UsageError(f"--input-file {input_file}: {exc}") from None
    if pairs:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise click.UsageError("-i needs --input-file to hold a JSON object")
        for pair in pairs:
            key, sep, raw = pair.partition("=")
            if not sep or not key:
                raise click.UsageError(f"-i {pair!r}: write key=value")
            try:
                value[key] = json.loads(raw)
            except json.JSONDecodeError:
                value[key] = raw
    return value


def _parse_models(values: tuple[str, ...]) -> dict[str, str]:
    overrides = {}
    for value in values:
        name, sep, target = value.partition("=")
        if not sep or ":" not in target and target not in ("echo",):
            raise click.UsageError(f"--model {value!r}: write NAME=PROVIDER:ID (e.g. fast=echo:)")
        overrides[name] = target
    return overrides


def _print_content(content: Any) -> None:
    if content is None:
        return
    if isinstance(content, str):
        click.echo(content)
    else:
        click.echo(json.dumps(content, indent=2, ensure_ascii=False, default=str))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("message", required=False)
@click.option(
    "-i",
    "--input",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="An input field (values are parsed as JSON when they can be).",
)
@click.option("--input-file", type=click.Path(dir_okay=False), help="JSON file with the input.")
@click.option("--workflow", "-w", help="Workflow to run.")
@click.option("--agent", "-a", help="Agent to run.")
@click.option("--team", "-t", help="Team to run.")
@click.option("--session", "session_id", help="Session id (history and state).")
@click.option("--json", "as_json", is_flag=True, help="Print the run output as JSON.")
@click.option(
    "--events",
    "events_path",
    type=click.Path(dir_okay=False),
    help="Write every event to this JSON Lines file.",
)
@click.option(
    "--model",
    "model_overrides",
    multiple=True,
    metavar="NAME=PROVIDER:ID",
    help="Replace a model of the spec for this run.",
)
@click.option("--max-concurrency", type=click.IntRange(min=1), help="Most steps at once.")
def run(
    file: str,
    message: str | None,
    pairs: tuple[str, ...],
    input_file: str | None,
    workflow: str | None,
    agent: str | None,
    team: str | None,
    session_id: str | None,
    as_json: bool,
    events_path: str | None,
    model_overrides: tuple[str, ...],
    max_concurrency: int | None,
) -> None:
    """Run a workflow, agent or team of FILE."""
    import asyncio

    from .api import UsageError, arun
    from .errors import SpecError
    from .interpreter.context import new_id
    from .interpreter.errors import InputCheckError

    document = _load_or_exit(file, EXIT_USAGE)
    value = _parse_inputs(message, pairs, input_file)
    overrides = _parse_models(model_overrides)
    run_id = new_id()
    listeners: list[Any] = []
    events_file = None
    if events_path:
        from .interpreter.sinks import JsonlSink

        events_file = open(events_path, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        listeners.append(JsonlSink(events_file))
    live = None
    if not as_json and sys.stderr.isatty() and sys.stdout.isatty():
        from .console import LiveView

        live = LiveView()
        listeners.append(live)

    def on_event(event: Any) -> None:
        for listener in listeners:
            listener(event)

    async def main_task() -> Any:
        import signal

        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, task.cancel)
        document.spec._document = document
        return await arun(
            document.spec,
            value,
            workflow=workflow,
            agent=agent,
            team=team,
            session_id=session_id,
            max_concurrency=max_concurrency,
            models=overrides,
            run_id=run_id,
            on_event=on_event,
        )

    try:
        if live is not None:
            with live:
                output = asyncio.run(main_task())
        else:
            output = asyncio.run(main_task())
    except (asyncio.CancelledError, KeyboardInterrupt):
        click.echo(f"run {run_id} cancelled", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except SpecError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_USAGE)
    except (UsageError, InputCheckError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    finally:
        if events_file is not None:
            events_file.close()
    if as_json:
        click.echo(output.model_dump_json(indent=2))
    elif output.status == "completed":
        _print_content(output.content)
    if output.status != "completed":
        if not as_json:
            click.echo(f"error: {_failure_line(output)}", err=True)
        sys.exit(EXIT_FAILED)


def _failure_line(output: Any) -> str:
    return str(output.error or f"run {output.status}")


if __name__ == "__main__":  # pragma: no cover
    main()
