"""What every command module of the CLI shares: exit codes, loading a spec or
exiting with its problems, the `--storage` option.

Command modules (`cli_run`, `cli_runs`, …) import from here and `cli.py`
registers their commands on the `agno-dsl` group, so imports go one way.
"""

from __future__ import annotations

import sys
from typing import Any

import click

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PAUSED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


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
