"""`agno-dsl run` and `agno-dsl resume`: execute, show progress, map outcomes to exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import click

from .cli_shared import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_PAUSED,
    EXIT_USAGE,
    load_or_exit,
    storage_option,
)


def parse_inputs(message: str | None, pairs: tuple[str, ...], input_file: str | None) -> Any:
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
        if not sep or (":" not in target and target != "echo"):
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


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty() and sys.stderr.isatty()


async def _ask_on_terminal(pending: Any) -> Any:
    """Answer a pause at the terminal instead of exiting with code 3."""
    import asyncio

    def ask() -> Any:
        if pending.kind == "confirm":
            question = pending.question or f"Run step '{pending.step_name}'?"
            return "approve" if click.confirm(question, default=True, err=True) else "reject"
        values: dict[str, Any] = {}
        properties = (pending.schema or {}).get("properties", {})
        for key in properties or {"value": {}}:
            raw = click.prompt(f"{pending.step_name}: {key}", err=True)
            try:
                values[key] = json.loads(raw)
            except json.JSONDecodeError:
                values[key] = raw
        return values

    return await asyncio.to_thread(ask)


class _Session:
    """The listeners of one CLI run: --events file, live view; closed at the end."""

    def __init__(self, events_path: str | None, as_json: bool) -> None:
        self.listeners: list[Callable[[Any], None]] = []
        self.events_file = None
        if events_path:
            from .interpreter.sinks.jsonl import JsonlSink

            self.events_file = open(events_path, "a", encoding="utf-8")  # noqa: SIM115
            self.listeners.append(JsonlSink(self.events_file))
        self.live = None
        if not as_json and sys.stderr.isatty() and sys.stdout.isatty():
            from .console import LiveView

            self.live = LiveView()
            self.listeners.append(self.live)

    def on_event(self, event: Any) -> None:
        for listener in self.listeners:
            listener(event)

    def execute(self, start: Callable[[], Coroutine[Any, Any, Any]], run_id: str) -> Any:
        import asyncio

        from .api import UsageError
        from .errors import SpecError
        from .interpreter.errors import ConfigurationError, InputCheckError
        from .interpreter.storage import StorageError
        from .runs import RunStateError

        async def main_task() -> Any:
            import signal

            loop = asyncio.get_running_loop()
            task = asyncio.current_task()
            assert task is not None
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, task.cancel)
            return await start()

        try:
            if self.live is not None:
                with self.live:
                    return asyncio.run(main_task())
            return asyncio.run(main_task())
        except (asyncio.CancelledError, KeyboardInterrupt):
            click.echo(
                f"run {run_id} cancelled; continue it with: agno-dsl resume {run_id}", err=True
            )
            sys.exit(EXIT_INTERRUPTED)
        except SpecError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(EXIT_USAGE)
        except (UsageError, InputCheckError, RunStateError, ConfigurationError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except StorageError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILED)
        finally:
            if self.events_file is not None:
                self.events_file.close()
            from .telemetry import shutdown_all

            shutdown_all()  # spans and metrics leave before the process does


def _check_trace(_context: Any, _param: Any, value: str | None) -> str | None:
    if value is None or value in ("otlp", "console") or value.endswith(".jsonl"):
        return value
    raise click.BadParameter("write otlp, console or a file name ending in .jsonl")


trace_option = click.option(
    "--trace",
    callback=_check_trace,
    metavar="otlp|console|FILE.jsonl",
    help="Trace the run with OpenTelemetry (OTLP is configured by the OTEL_* variables).",
)


def _report(output: Any, as_json: bool, storage: str | None) -> None:
    """Print the outcome and exit with the code design §4 gives it."""
    if as_json:
        click.echo(output.model_dump_json(indent=2))
    elif output.status == "completed":
        _print_content(output.content)
    if output.status == "paused":
        pending = output.pending or {}
        if pending.get("kind") == "confirm":
            flag = "--approve (or --reject)"
        else:
            fields = list((pending.get("schema") or {}).get("properties") or {"key": {}})
            flag = " ".join(f"-i {field}=..." for field in fields)
        where = f" --storage {storage}" if storage else ""
        question = f": {pending['question']}" if pending.get("question") else ""
        click.echo(
            f"run {output.run_id} paused at step '{pending.get('step_name')}'{question}\n"
            f"continue with: agno-dsl resume {output.run_id} {flag}{where}",
            err=True,
        )
        sys.exit(EXIT_PAUSED)
    if output.status != "completed":
        if not as_json:
            click.echo(f"error: {output.error or 'run ' + output.status}", err=True)
        sys.exit(EXIT_FAILED)


@click.command()
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
    help="Append every event to this JSON Lines file.",
)
@click.option(
    "--model",
    "model_overrides",
    multiple=True,
    metavar="NAME=PROVIDER:ID",
    help="Replace a model of the spec for this run.",
)
@click.option("--max-concurrency", type=click.IntRange(min=1), help="Most steps at once.")
@click.option(
    "--record",
    type=click.Path(dir_okay=False),
    help="Write every model answer to this cassette (a scripted model file).",
)
@trace_option
@storage_option
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
    record: str | None,
    trace: str | None,
    storage: str | None,
) -> None:
    """Run a workflow, agent or team of FILE; the run is recorded so it can be resumed."""
    from .api import arun
    from .interpreter.context import new_id
    from .runs import storage_url

    document = load_or_exit(file, EXIT_USAGE)
    document.spec._document = document
    value = parse_inputs(message, pairs, input_file)
    overrides = _parse_models(model_overrides)
    url = storage_url(storage, document)
    run_id = new_id()
    session = _Session(events_path, as_json)
    ask = _ask_on_terminal if _interactive() and not as_json else None
    output = session.execute(
        lambda: arun(
            document.spec,
            value,
            workflow=workflow,
            agent=agent,
            team=team,
            session_id=session_id,
            max_concurrency=max_concurrency,
            models=overrides,
            run_id=run_id,
            on_event=session.on_event,
            storage=url,
            record=record,
            ask=ask,
            trace=trace,
        ),
        run_id,
    )
    _report(output, as_json, storage)


@click.command()
@click.argument("run_id")
@click.option("--approve", "decision", flag_value="approve", help="Approve the waiting step.")
@click.option("--reject", "decision", flag_value="reject", help="Reject (skip) the waiting step.")
@click.option(
    "-i",
    "--input",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Input the waiting step asked for.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run output as JSON.")
@click.option(
    "--events",
    "events_path",
    type=click.Path(dir_okay=False),
    help="Append every event to this JSON Lines file.",
)
@click.option("--force", is_flag=True, help="Resume even if the spec file changed.")
@trace_option
@storage_option
def resume(
    run_id: str,
    decision: str | None,
    pairs: tuple[str, ...],
    as_json: bool,
    events_path: str | None,
    force: bool,
    trace: str | None,
    storage: str | None,
) -> None:
    """Continue a paused, interrupted or cancelled run; completed steps are not run again."""
    from .runs import resume_recorded, storage_url

    if decision and pairs:
        raise click.UsageError("give --approve/--reject or -i, not both")
    answer: Any = decision or (parse_inputs(None, pairs, None) if pairs else None)
    session = _Session(events_path, as_json)
    ask = _ask_on_terminal if _interactive() and not as_json else None
    output = session.execute(
        lambda: resume_recorded(
            run_id,
            url=storage_url(storage),
            decision=answer,
            listeners=[session.on_event],
            ask=ask,
            force=force,
            trace=trace,
        ),
        run_id,
    )
    _report(output, as_json, storage)
