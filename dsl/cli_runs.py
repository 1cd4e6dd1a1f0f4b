"""`agno-dsl runs …` and `agno-dsl sessions …`: what happened, read from storage.

Both groups find their storage as `run` does (--storage, AGNO_DSL_STORAGE,
--spec FILE's storage:, the default), given on the group or the command, and
only read: a storage that does not exist yet is reported, never created.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .cli_shared import (
    EXIT_FAILED,
    EXIT_USAGE,
    debug_option,
    spec_option,
    storage_choice_for,
    storage_option,
)
from .storage_choice import StorageChoice

RUN_STATUSES = ("running", "interrupted", "completed", "failed", "paused", "cancelled")
_NOTHING = object()  # the storage does not exist: nothing was ever recorded there


def _choice(ctx: click.Context, storage: str | None, spec: str | None) -> StorageChoice:
    """The command's own --storage/--spec, else the group's."""
    group = ctx.parent.params if ctx.parent is not None else {}
    return storage_choice_for(storage or group.get("storage"), spec or group.get("spec"))


def _missing_sqlite(url: str) -> bool:
    if not url.startswith("sqlite:"):
        return False
    from .interpreter.storage.sqlite import sqlite_path

    return not sqlite_path(url).exists()


def _read(choice: StorageChoice, action: Any) -> Any:
    """Run `action(storage)`; _NOTHING when the (SQLite) storage does not exist."""
    import asyncio

    from .interpreter.storage import StorageError, open_storage

    if _missing_sqlite(choice.url):
        return _NOTHING

    async def go() -> Any:
        storage = await open_storage(choice.url)
        try:
            return await action(storage)
        finally:
            await storage.close()

    try:
        return asyncio.run(go())
    except StorageError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)


def _no_run(run_id: str, choice: StorageChoice) -> None:
    from .interpreter.storage import redact_url

    click.echo(
        f"error: no run {run_id} in {redact_url(choice.url)} (a run recorded through a "
        "spec's storage: is found with --spec FILE)",
        err=True,
    )
    sys.exit(EXIT_USAGE)


async def shown_status(storage: Any, record: Any) -> str:
    """The status to show: a `running` run that nobody holds a lease on was cut off."""
    if record.status == "running" and await storage.lease_holder(record.run_id) is None:
        return "interrupted"
    return str(record.status)


@click.group()
@storage_option
@spec_option
@debug_option
def runs(storage: str | None, spec: str | None) -> None:
    """Recorded runs (`interrupted`: its process died while it ran; resume it)."""


@runs.command("list")
@click.option("--status", type=click.Choice(RUN_STATUSES))
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@storage_option
@spec_option
@debug_option
@click.pass_context
def list_runs(
    ctx: click.Context,
    status: str | None,
    limit: int,
    as_json: bool,
    storage: str | None,
    spec: str | None,
) -> None:
    """The newest runs first."""
    choice = _choice(ctx, storage, spec)
    stored = "running" if status == "interrupted" else status

    async def load(s: Any) -> list[tuple[Any, str]]:
        rows = [
            (record, await shown_status(s, record)) for record in await s.list_runs(stored, limit)
        ]
        return [row for row in rows if status is None or row[1] == status]

    rows = _read(choice, load)
    if rows is _NOTHING:
        rows = []
    if as_json:
        payload = [{**record.to_json(), "status": shown} for record, shown in rows]
        click.echo(json.dumps(payload, indent=2, default=str))
    elif rows:
        _print_runs(rows)
    else:
        from .interpreter.storage import redact_url

        which = f"{status} runs" if status else "runs"
        click.echo(f"no {which} recorded in {redact_url(choice.url)}", err=True)


def _print_runs(rows: list[tuple[Any, str]]) -> None:
    """One line per run, readable at 80 columns: the run id (never wrapped or cut: it is
    what `resume` needs), status, start, target; a run's error on a line of its own."""
    import datetime
    import shutil

    width = shutil.get_terminal_size().columns

    def fit(text: str) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    click.echo(fit(f"{'run id':36}  {'status':11}  {'started':11}  target"))
    for record, shown in rows:
        started = datetime.datetime.fromtimestamp(record.created_at).strftime("%m-%d %H:%M")
        click.echo(fit(f"{record.run_id:36}  {shown:11}  {started:11}  {record.target}"))
        if record.error:
            click.echo(fit(f"  error: {record.error}"))


@runs.command("show")
@click.argument("run_id")
@storage_option
@spec_option
@debug_option
@click.pass_context
def show_run(ctx: click.Context, run_id: str, storage: str | None, spec: str | None) -> None:
    """A run's steps: status, duration, tokens, error."""
    choice = _choice(ctx, storage, spec)

    async def load(s: Any) -> Any:
        record = await s.get_run(run_id)
        if record is None:
            return None
        return record, await shown_status(s, record), await s.load_events(run_id)

    found = _read(choice, load)
    if found is None or found is _NOTHING:
        _no_run(run_id, choice)
    record, shown, events = found
    from rich.console import Console
    from rich.table import Table

    from .run_steps import step_rows

    console = Console()
    console.print(
        f"run {record.run_id}  {shown}  {record.kind} {record.target}  spec {record.spec_path}",
        markup=False,
    )
    table = Table("step", "kind", "status", "duration", "tokens", "error")
    # A step still `running` in a run that is not running any more was cut off.
    cut_off = "running" if shown == "running" else "interrupted"
    for row in step_rows(events, unfinished=cut_off):
        table.add_row(*row)
    console.print(table)
    if record.error:
        console.print(f"error: {record.error}", markup=False)


@runs.command("events")
@click.argument("run_id")
@storage_option
@spec_option
@debug_option
@click.pass_context
def run_events(ctx: click.Context, run_id: str, storage: str | None, spec: str | None) -> None:
    """A run's events as JSON Lines."""
    choice = _choice(ctx, storage, spec)

    async def load(s: Any) -> Any:
        if await s.get_run(run_id) is None:
            return None
        return await s.load_events(run_id)

    events = _read(choice, load)
    if events is None or events is _NOTHING:
        _no_run(run_id, choice)
    for event in events:
        click.echo(json.dumps(event, ensure_ascii=False, default=str))


@runs.command("trace")
@click.argument("run_id")
@storage_option
@spec_option
@debug_option
@click.pass_context
def run_trace(ctx: click.Context, run_id: str, storage: str | None, spec: str | None) -> None:
    """A traced run's span tree: durations, tokens, errors."""
    choice = _choice(ctx, storage, spec)

    async def load(s: Any) -> Any:
        record = await s.get_run(run_id)
        return None if record is None else (record, await s.load_spans(run_id))

    found = _read(choice, load)
    if found is None or found is _NOTHING:
        _no_run(run_id, choice)
    record, spans = found
    if not spans:
        click.echo(
            f"error: run {run_id} has no spans; trace runs with --trace or a telemetry: section",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    from rich.console import Console

    from .trace_view import span_trees

    console = Console()
    console.print(f"run {record.run_id}  {record.status}  trace {spans[0]['trace_id']}")
    for tree in span_trees(spans):
        console.print(tree)


@click.group()
@storage_option
@spec_option
@debug_option
def sessions(storage: str | None, spec: str | None) -> None:
    """Stored sessions: history and session_state."""


@sessions.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@storage_option
@spec_option
@debug_option
@click.pass_context
def list_sessions(ctx: click.Context, limit: int, storage: str | None, spec: str | None) -> None:
    """Sessions, most recently used first."""
    found = _read(_choice(ctx, storage, spec), lambda s: s.list_sessions(limit))
    for data in [] if found is _NOTHING else found:
        runs = sum(len(history) for history in data.get("history", {}).values())
        click.echo(
            f"{data['session_id']}  state keys: {len(data.get('state', {}))}  agent runs: {runs}"
        )


@sessions.command("show")
@click.argument("session_id")
@storage_option
@spec_option
@debug_option
@click.pass_context
def show_session(
    ctx: click.Context, session_id: str, storage: str | None, spec: str | None
) -> None:
    """A session's state and history as JSON."""
    choice = _choice(ctx, storage, spec)
    data = _read(choice, lambda s: s.get_session(session_id))
    if data is None or data is _NOTHING:
        from .interpreter.storage import redact_url

        click.echo(
            f"error: no session {session_id} in {redact_url(choice.url)} (a session recorded "
            "through a spec's storage: is found with --spec FILE)",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
