"""`agno-dsl run` and `agno-dsl resume`: execute, show progress, map outcomes to exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import click

from .cli_inputs import Inputs, ask_until_valid, missing_input_message, parse_inputs
from .cli_shared import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_PAUSED,
    EXIT_USAGE,
    allow_python_option,
    check_storage_url,
    debug_option,
    load_or_exit,
    parse_models,
    spec_option,
    storage_choice_for,
    storage_option,
)
from .storage_choice import StorageChoice, choose_storage


def _print_content(content: Any) -> None:
    if content is None:
        return
    if isinstance(content, str):
        click.echo(content)
    else:
        click.echo(json.dumps(content, indent=2, ensure_ascii=False, default=str))


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty() and sys.stderr.isatty()


class _Session:
    """The listeners of one CLI run (--events file, live view), where the run is recorded,
    and the input as typed (for hints); closed at the end."""

    def __init__(
        self,
        events_path: str | None,
        as_json: bool,
        choice: StorageChoice,
        inputs: Inputs | None = None,
    ) -> None:
        self.choice = choice
        self.inputs = inputs or Inputs()
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
        self.ask = self._ask_on_terminal if _interactive() and not as_json else None

    def on_event(self, event: Any) -> None:
        for listener in self.listeners:
            listener(event)

    async def _ask_on_terminal(self, pending: Any) -> Any:
        """Answer a pause at the terminal instead of exiting with code 3."""
        import asyncio

        from .answers import AnswerError, check_answer

        def problem(values: Any) -> str | None:
            try:
                check_answer("", pending, values)
            except AnswerError as exc:
                return str(exc).removeprefix("run : ")
            return None

        # The live view redraws several times a second; stopped, it leaves what
        # the user types alone.
        if self.live is None:
            return await asyncio.to_thread(ask_until_valid, pending, problem)
        with self.live.paused():
            return await asyncio.to_thread(ask_until_valid, pending, problem)

    def resume_command(self, run_id: str, answer: str = "") -> str:
        return self.choice.command(f"resume {run_id}", answer)

    def execute(self, start: Callable[[], Coroutine[Any, Any, Any]], run_id: str) -> Any:
        import asyncio

        from .answers import AnswerError, answer_flags
        from .errors import SpecError, UsageError
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
                f"run {run_id} cancelled; continue it with: {self.resume_command(run_id)}",
                err=True,
            )
            sys.exit(EXIT_INTERRUPTED)
        except SpecError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(EXIT_USAGE)
        except AnswerError as exc:
            command = self.resume_command(run_id, answer_flags(exc.pending))
            click.echo(
                f"error: {exc}{self.inputs.quoting_hint(str(exc))}; the run is still paused\n"
                f"continue with: {command}",
                err=True,
            )
            sys.exit(EXIT_USAGE)
        except (UsageError, InputCheckError, RunStateError, ConfigurationError) as exc:
            click.echo(f"error: {exc}{self.inputs.quoting_hint(str(exc))}", err=True)
            sys.exit(EXIT_USAGE)
        except StorageError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILED)
        finally:
            if self.events_file is not None:
                self.events_file.close()
            from .telemetry import shutdown_all

            shutdown_all()  # spans and metrics leave before the process does

    def report(self, output: Any, as_json: bool) -> None:
        """Print the outcome and exit with the code design §4 gives it."""
        from .answers import answer_flags
        from .interpreter.durability import Pending

        if as_json:
            click.echo(output.model_dump_json(indent=2))
        elif output.status == "completed":
            _print_content(output.content)
        if output.status == "paused":
            pending = Pending.from_json(output.pending)
            question = f": {pending.question}" if pending.question else ""
            click.echo(
                f"run {output.run_id} paused at step '{pending.step_name}'{question}\n"
                f"continue with: {self.resume_command(output.run_id, answer_flags(pending))}",
                err=True,
            )
            sys.exit(EXIT_PAUSED)
        if output.status != "completed":
            if not as_json:
                click.echo(f"error: {output.error or 'run ' + output.status}", err=True)
            click.echo(
                f"after a fix, resume it with: {self.resume_command(output.run_id)}", err=True
            )
            sys.exit(EXIT_FAILED)


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
@click.option("--user", "user_id", help="User id (the user's memories; agno's 'default').")
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
@allow_python_option
@debug_option
def run(
    file: str,
    message: str | None,
    pairs: tuple[str, ...],
    input_file: str | None,
    workflow: str | None,
    agent: str | None,
    team: str | None,
    session_id: str | None,
    user_id: str | None,
    as_json: bool,
    events_path: str | None,
    model_overrides: tuple[str, ...],
    max_concurrency: int | None,
    record: str | None,
    trace: str | None,
    storage: str | None,
    allow_python: tuple[str, ...],
) -> None:
    """Run a workflow, agent or team of FILE; the run is recorded so it can be resumed."""
    from .api import arun
    from .interpreter.context import new_id

    document = load_or_exit(file, EXIT_USAGE, allow_python)
    document.spec._document = document
    inputs = parse_inputs(message, pairs, input_file)
    overrides = parse_models(model_overrides)
    choice = choose_storage(storage, document, spec_file=file)
    check_storage_url(choice.url)
    if inputs.value is None:
        _require_input(document, workflow, agent, team)
    run_id = new_id()
    session = _Session(events_path, as_json, choice, inputs)
    output = session.execute(
        lambda: arun(
            document.spec,
            inputs.value,
            workflow=workflow,
            agent=agent,
            team=team,
            session_id=session_id,
            max_concurrency=max_concurrency,
            models=overrides,
            run_id=run_id,
            on_event=session.on_event,
            storage=choice.url,
            record=record,
            ask=session.ask,
            trace=trace,
            user_id=user_id,
        ),
        run_id,
    )
    session.report(output, as_json)


def _require_input(
    document: Any, workflow: str | None, agent: str | None, team: str | None
) -> None:
    """A run started without input whose target's schema needs some: say which -i keys."""
    from .api import choose_target
    from .errors import UsageError
    from .interpreter.inputs import input_problem

    try:
        kind, name = choose_target(document, workflow, agent, team)
    except UsageError:
        return  # reported with its own message when the run starts
    schema = getattr(document.spec, kind + "s")[name].input_schema
    if schema is not None and input_problem(schema, None) is not None:
        raise click.UsageError(missing_input_message(f"{kind} '{name}'", schema))


@click.command()
@click.argument("run_id")
@click.option("--approve", is_flag=True, help="Approve the waiting step.")
@click.option("--reject", is_flag=True, help="Reject (skip) the waiting step.")
@click.option(
    "-i",
    "--input",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Input the waiting step asked for (values are parsed as JSON when they can be).",
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
@spec_option
@debug_option
def resume(
    run_id: str,
    approve: bool,
    reject: bool,
    pairs: tuple[str, ...],
    as_json: bool,
    events_path: str | None,
    force: bool,
    trace: str | None,
    storage: str | None,
    spec: str | None,
) -> None:
    """Continue a paused, interrupted, cancelled or failed run; completed steps are not
    run again."""
    from .runs import resume_recorded

    if approve and reject:
        raise click.UsageError("give --approve or --reject, not both; nothing was changed")
    decision = "approve" if approve else "reject" if reject else None
    if decision and pairs:
        raise click.UsageError(
            f"give --{decision} or -i, not both: --approve/--reject answer a confirmation, "
            "-i an input request; nothing was changed"
        )
    inputs = parse_inputs(None, pairs, None) if pairs else Inputs()
    answer: Any = decision or inputs.value
    choice = storage_choice_for(storage, spec)
    session = _Session(events_path, as_json, choice, inputs)
    output = session.execute(
        lambda: resume_recorded(
            run_id,
            url=choice.url,
            decision=answer,
            listeners=[session.on_event],
            ask=session.ask,
            force=force,
            trace=trace,
        ),
        run_id,
    )
    session.report(output, as_json)
