"""`agno-dsl runs …` and `agno-dsl sessions …`: what happened, read from storage."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .cli_shared import EXIT_FAILED, EXIT_USAGE, storage_option


def _with_storage(url: str | None, action: Any) -> Any:
    import asyncio

    from .interpreter.storage import StorageError, open_storage
    from .runs import storage_url

    async def go() -> Any:
        storage = await open_storage(storage_url(url))
        try:
            return await action(storage)
        finally:
            await storage.close()

    try:
        return asyncio.run(go())
    except StorageError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)


@click.group()
def runs() -> None:
    """Recorded runs."""


@runs.command("list")
@click.option(
    "--status", type=click.Choice(["running", "completed", "failed", "paused", "cancelled"])
)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@storage_option
def list_runs(status: str | None, limit: int, as_json: bool, storage: str | None) -> None:
    """The newest runs first."""
    records = _with_storage(storage, lambda s: s.list_runs(status, limit))
    if as_json:
        click.echo(json.dumps([r.to_json() for r in records], indent=2, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("status", "target", "started", "error")
    # The run id is what `resume` needs: never wrapped or cut.
    table.add_column("run id", no_wrap=True, min_width=36)
    for record in records:
        import datetime

        started = datetime.datetime.fromtimestamp(record.created_at).isoformat(" ", "seconds")
        table.add_row(
            record.status,
            f"{record.kind} {record.target}",
            started,
            (record.error or "")[:60],
            record.run_id,
        )
    Console().print(table)


@runs.command("show")
@click.argument("run_id")
@storage_option
def show_run(run_id: str, storage: str | None) -> None:
    """A run's steps: status, duration, tokens, error."""

    async def load(s: Any) -> Any:
        return await s.get_run(run_id), await s.load_events(run_id)

    record, events = _with_storage(storage, load)
    if record is None:
        click.echo(f"error: no run {run_id}", err=True)
        sys.exit(EXIT_USAGE)
    from rich.console import Console
    from rich.table import Table

    started: dict[str, float] = {}
    rows: dict[str, list[str]] = {}
    for event in events:
        name = event.get("step_name")
        if not name:
            continue
        kind = event["event"]
        if kind == "StepStarted" or kind.endswith("ExecutionStarted"):
            started[name] = event["created_at"]
            rows[name] = [
                name,
                event.get("step_type") or kind.removesuffix("ExecutionStarted").lower(),
                "running",
                "",
                "",
                "",
            ]
        elif name in rows and (kind == "StepCompleted" or kind.endswith("ExecutionCompleted")):
            tokens = (event.get("metrics") or {}).get("total_tokens")
            rows[name][2:] = [
                "skipped" if event.get("skipped") else "completed",
                f"{event['created_at'] - started[name]:.3f}s",
                str(tokens or ""),
                "",
            ]
        elif name in rows and kind == "StepError":
            rows[name][2:] = [
                "failed",
                f"{event['created_at'] - started[name]:.3f}s",
                "",
                str(event.get("error", ""))[:70],
            ]
        elif name in rows and kind == "StepPaused":
            rows[name][2] = "paused"
    console = Console()
    console.print(
        f"run {record.run_id}  {record.status}  {record.kind} {record.target}  "
        f"spec {record.spec_path}"
    )
    table = Table("step", "kind", "status", "duration", "tokens", "error")
    for row in rows.values():
        table.add_row(*row)
    console.print(table)
    if record.error:
        console.print(f"error: {record.error}", markup=False)


@runs.command("events")
@click.argument("run_id")
@storage_option
def run_events(run_id: str, storage: str | None) -> None:
    """A run's events as JSON Lines."""
    for event in _with_storage(storage, lambda s: s.load_events(run_id)):
        click.echo(json.dumps(event, ensure_ascii=False, default=str))


@runs.command("trace")
@click.argument("run_id")
@storage_option
def run_trace(run_id: str, storage: str | None) -> None:
    """A traced run's span tree: durations, tokens, errors."""

    async def load(s: Any) -> Any:
        return await s.get_run(run_id), await s.load_spans(run_id)

    record, spans = _with_storage(storage, load)
    if record is None:
        click.echo(f"error: no run {run_id}", err=True)
        sys.exit(EXIT_USAGE)
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
def sessions() -> None:
    """Stored sessions: history and session_state."""


@sessions.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@storage_option
def list_sessions(limit: int, storage: str | None) -> None:
    """Sessions, most recently used first."""
    for data in _with_storage(storage, lambda s: s.list_sessions(limit)):
        runs = sum(len(history) for history in data.get("history", {}).values())
        click.echo(
            f"{data['session_id']}  state keys: {len(data.get('state', {}))}  agent runs: {runs}"
        )


@sessions.command("show")
@click.argument("session_id")
@storage_option
def show_session(session_id: str, storage: str | None) -> None:
    """A session's state and history as JSON."""
    data = _with_storage(storage, lambda s: s.get_session(session_id))
    if data is None:
        click.echo(f"error: no session {session_id}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
