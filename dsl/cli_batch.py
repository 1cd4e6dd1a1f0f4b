"""`agno-dsl batch`: one recorded run per row of an inputs file, resumable, with progress."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .cli_shared import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    allow_python_option,
    load_or_exit,
    parse_models,
    storage_option,
)


def _rate(values: tuple[str, ...]) -> dict[str, int]:
    """`--rate 4` (every model) or `--rate NAME=4`."""
    limits = {}
    for value in values:
        name, sep, most = value.rpartition("=") if "=" in value else ("*", "", value)
        if not most.isdigit() or int(most) < 1 or (sep and not name):
            raise click.UsageError(f"--rate {value!r}: write N or MODEL=N (N ≥ 1)")
        limits[name] = int(most)
    return limits


@click.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--inputs",
    type=click.Path(dir_okay=False),
    help="Rows to run: a .jsonl, .csv or .parquet file (one run per row).",
)
@click.option("--workflow", "-w", help="Workflow to run.")
@click.option("--agent", "-a", help="Agent to run.")
@click.option("--team", "-t", help="Team to run.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Write results (JSON Lines, input order) here instead of stdout.",
)
@click.option(
    "--concurrency", type=click.IntRange(min=1), help="Most rows running at once (default 16)."
)
@click.option("--message-field", help="The row field that is the message (agents, teams).")
@click.option(
    "--on-bad-row",
    type=click.Choice(["skip", "stop"]),
    help="A row that cannot be read or fails the input schema: record it as skipped "
    "(default) or stop the batch.",
)
@click.option(
    "--max-failures", type=click.IntRange(min=1), help="Stop once this many rows have failed."
)
@click.option(
    "--model",
    "model_overrides",
    multiple=True,
    metavar="NAME=PROVIDER:ID",
    help="Replace a model of the spec for every row.",
)
@click.option(
    "--rate",
    "rates",
    multiple=True,
    metavar="[MODEL=]N",
    help="Most requests at once to each model (or to MODEL), over its max_concurrency.",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Run rows in this process, or over a Ray cluster (extra: ray).",
)
@click.option("--ray-address", help="Ray cluster to join (default: start a local one).")
@click.option(
    "--ray-workers", type=click.IntRange(min=1), help="Ray actors (default: the cluster's CPUs)."
)
@click.option("--resume", "resume_id", metavar="BATCH_ID", help="Continue this batch.")
@click.option("--force", is_flag=True, help="Resume even if the spec file changed.")
@storage_option
@allow_python_option
def batch(
    file: str | None,
    inputs: str | None,
    workflow: str | None,
    agent: str | None,
    team: str | None,
    out: str | None,
    concurrency: int | None,
    message_field: str | None,
    on_bad_row: str | None,
    max_failures: int | None,
    model_overrides: tuple[str, ...],
    rates: tuple[str, ...],
    executor: str,
    ray_address: str | None,
    ray_workers: int | None,
    resume_id: str | None,
    force: bool,
    storage: str | None,
    allow_python: tuple[str, ...],
) -> None:
    """Run FILE once per row of --inputs; results in input order, the batch resumable."""
    ray = (ray_address, ray_workers) if executor == "ray" else None
    from .batch.driver import BatchSettings
    from .batch.inputs import InputsError

    given = {
        "concurrency": concurrency,
        "message_field": message_field,
        "on_bad_row": on_bad_row,
        "max_failures": max_failures,
        "out": out,
        "rate": _rate(rates) or None,
    }
    if resume_id is not None:
        if file or inputs or workflow or agent or team or model_overrides:
            raise click.UsageError("--resume takes the spec, inputs and target of the batch")
        _execute(resume_id, None, given, storage, force, allow_python, ray)
        return
    if file is None or inputs is None:
        raise click.UsageError("give a spec FILE and --inputs (or --resume BATCH_ID)")
    from .api import UsageError, choose_target
    from .runs import storage_url

    document = load_or_exit(file, EXIT_USAGE, allow_python)
    try:
        kind, target = choose_target(document, workflow, agent, team)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    settings = BatchSettings(models=parse_models(model_overrides))
    for option, value in given.items():
        if value is not None:
            setattr(settings, option, value)
    from .batch.session import new_record

    try:
        record = new_record(document, kind, target, Path(inputs))
    except InputsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    _execute(record, document, settings, storage_url(storage, document), force, allow_python, ray)


def _execute(
    batch: Any,
    document: Any,
    settings: Any,
    storage: str | None,
    force: bool,
    allow_python: tuple[str, ...],
    ray: tuple[str | None, int | None] | None,
) -> None:
    """Run a new batch (a record and its settings) or resume one (its id and the
    options given now); exit with the batch's outcome."""
    import asyncio

    from .batch.driver import BatchAborted, BatchSettings
    from .batch.inputs import InputsError
    from .batch.progress import Tally
    from .batch.ray_executor import RayError
    from .batch.session import BatchStateError, execute_batch, find_batch
    from .errors import SpecError
    from .interpreter.storage import StorageError, open_storage
    from .runs import storage_url

    resuming = isinstance(batch, str)
    url = storage if not resuming else storage_url(storage)
    state: dict[str, Any] = {}

    async def main() -> str:
        import signal

        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, task.cancel)
        opened = await open_storage(url)  # type: ignore[arg-type]
        try:
            nonlocal document, settings
            if resuming:
                record = await find_batch(opened, batch, force)
                document = load_or_exit(record.spec_path, EXIT_USAGE, allow_python)
                stored = BatchSettings.from_json(record.options)
                given = {k: v for k, v in settings.items() if v is not None}
                settings = BatchSettings(**{**stored.to_json(), **given})
            else:
                record = batch
            state["record"] = record
            tally = state["tally"] = Tally(record.total)
            if settings.rate:
                from .interpreter.providers.limits import RATE

                RATE.set(settings.rate)
            show = sys.stderr.isatty() and (settings.out is not None or not sys.stdout.isatty())
            rows = None
            if ray is not None:
                from .batch.ray_executor import RayRows, check_storage, connect

                check_storage(opened.url)
                cluster = connect(ray[0], Path(record.spec_path).parent, Path(record.inputs))
                rows = RayRows.start(cluster, record, opened.url, settings, ray[1], allow_python)
            try:
                return await execute_batch(
                    opened, document, record, settings, resuming, tally, show, rows and rows.run_row
                )
            finally:
                if rows is not None:
                    rows.close()
        finally:
            await opened.close()

    def summary(status: str) -> None:
        record, tally = state.get("record"), state.get("tally")
        if record is not None and tally is not None:
            click.echo(tally.summary(record.batch_id, status, settings.out), err=True)

    try:
        asyncio.run(main())
    except (asyncio.CancelledError, KeyboardInterrupt):
        summary("interrupted")
        batch_id = state["record"].batch_id if "record" in state else batch
        click.echo(f"continue it with: agno-dsl batch --resume {batch_id}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BatchAborted as exc:
        summary("aborted")
        click.echo(f"error: {exc}", err=True)
        record = state["record"]
        click.echo(
            f"fix it, then continue with: agno-dsl batch --resume {record.batch_id}", err=True
        )
        sys.exit(EXIT_FAILED)
    except (BatchStateError, InputsError, RayError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except SpecError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_USAGE)
    except StorageError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    tally = state["tally"]
    summary("completed")
    sys.exit(EXIT_OK if tally.done == tally.completed else EXIT_FAILED)
