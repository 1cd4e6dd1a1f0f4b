"""What every command module of the CLI shares: exit codes, loading a spec or
exiting with its problems, the `--storage`, `--spec` and `--debug` options.

Command modules (`cli_run`, `cli_runs`, …) import from here and `cli.py`
registers their commands on the `agno-dsl` group, so imports go one way.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .storage_choice import StorageChoice, choose_storage

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PAUSED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
STORAGE_SCHEMES = ("sqlite", "postgresql", "postgres", "redis", "rediss")


def load_or_exit(path: str, exit_code: int, allow_python: tuple[str, ...] = ()) -> Any:
    """The loaded document of `path`, or every problem on stderr and exit."""
    from .errors import SpecError
    from .loader import load_document

    try:
        return load_document(path, allow_python=allow_python)
    except SpecError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(exit_code)


def allow_python_option(function: Any) -> Any:
    """--allow-python MODULE[:CALLABLE], repeatable: widen the spec's Python policy."""
    return click.option(
        "--allow-python",
        "allow_python",
        multiple=True,
        metavar="MODULE[:CALLABLE]",
        help="Let the spec reference this Python module or callable (see python_allow:).",
    )(function)


def storage_option(function: Any) -> Any:
    return click.option(
        "--storage",
        help="Storage URL (default: AGNO_DSL_STORAGE, the spec's "
        "storage:, or sqlite:///.agno-dsl/agno.db).",
    )(function)


def spec_option(function: Any) -> Any:
    return click.option(
        "--spec",
        type=click.Path(dir_okay=False),
        help="Use the storage this spec's storage: names (as `run FILE` did).",
    )(function)


def _turn_on_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        root = ctx.find_root()
        root.obj = {**(root.obj or {}), "debug": True}
        import logging  # lazy: only with --debug

        # The group set the run's warnings up before this command's options were read;
        # --debug after the command shows the details too (an MCP server's stderr).
        logging.getLogger("agno_dsl").setLevel(logging.DEBUG)


def debug_option(function: Any) -> Any:
    """`--debug` after the command name too: `agno-dsl run spec.yaml --debug`."""
    return click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_turn_on_debug,
        help="Show tracebacks of unexpected errors.",
    )(function)


def check_storage_url(url: str) -> None:
    """A URL whose scheme no backend reads is a usage error (exit 2), before anything runs."""
    from .interpreter.storage import redact_url

    scheme = url.split(":", 1)[0] if "://" in url else ""
    if scheme not in STORAGE_SCHEMES:
        raise click.UsageError(
            f"unsupported storage URL {redact_url(url)}; "
            "use sqlite:///path, postgresql://host/db or redis://host"
        )


def storage_choice_for(storage: str | None, spec: str | None) -> StorageChoice:
    """--storage, AGNO_DSL_STORAGE, --spec's storage: or the default, checked."""
    document = load_or_exit(spec, EXIT_USAGE) if spec else None
    choice = choose_storage(storage, document, spec_file=spec)
    check_storage_url(choice.url)
    return choice


def with_storage(url: str | None, action: Any) -> Any:
    """`action(storage)` on the storage of --storage (or its defaults); its error as one line."""
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


def parse_models(values: tuple[str, ...]) -> dict[str, str]:
    """--model NAME=PROVIDER:ID, repeatable: the model swaps of a run or batch."""
    overrides = {}
    for value in values:
        name, sep, target = value.partition("=")
        if not sep or (":" not in target and target != "echo"):
            raise click.UsageError(f"--model {value!r}: write NAME=PROVIDER:ID (e.g. fast=echo:)")
        overrides[name] = target
    return overrides
