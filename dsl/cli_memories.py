"""`agno-dsl memories …`: the user memories kept in storage (agno's user memories).

`list` shows the users with memories, or with `--user` that user's
memories; `show` prints one memory whole; `clear` removes all of a user's.
A user with no memories is an error (one line, exit 1): a mistyped id then
does not look like an empty memory.
"""

from __future__ import annotations

import datetime
import json
import sys
from typing import Any

import click

from .cli_shared import EXIT_FAILED, storage_option, with_storage


def _when(epoch: float | None) -> str:
    if not epoch:
        return ""
    return datetime.datetime.fromtimestamp(epoch).isoformat(" ", "seconds")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_FAILED)


def _user_memories(storage: str | None, user_id: str) -> list[dict[str, Any]]:
    memories: list[dict[str, Any]] = with_storage(storage, lambda s: s.get_user_memories(user_id))
    if not memories:
        _fail(f"no memories for user '{user_id}' (see `agno-dsl memories list`)")
    return memories


@click.group()
def memories() -> None:
    """User memories (agents with update_memory_on_run or enable_agentic_memory)."""


@memories.command("list")
@click.option("--user", "user_id", help="List this user's memories (default: the users).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@storage_option
def list_memories(user_id: str | None, limit: int, as_json: bool, storage: str | None) -> None:
    """The users with memories (most recent first), or one user's memories (oldest first)."""
    from rich.console import Console
    from rich.table import Table

    if user_id is None:
        users = with_storage(storage, lambda s: s.list_memory_users(limit))
        if as_json:
            click.echo(json.dumps(users, indent=2))
            return
        table = Table("user", "memories", "updated")
        for user in users:
            table.add_row(user["user_id"], str(user["memories"]), _when(user["updated_at"]))
        Console().print(table)
        return
    found = _user_memories(storage, user_id)[:limit]
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    table = Table("memory", "topics", "updated")
    table.add_column("memory id", no_wrap=True, min_width=36)
    for memory in found:
        topics = ", ".join(memory.get("topics") or [])
        table.add_row(
            memory["memory"], topics, _when(memory.get("updated_at")), memory["memory_id"]
        )
    Console().print(table)


@memories.command("show")
@click.argument("memory_id")
@click.option("--user", "user_id", required=True, help="The user the memory belongs to.")
@storage_option
def show_memory(memory_id: str, user_id: str, storage: str | None) -> None:
    """One memory of a user, whole, as JSON."""
    for memory in _user_memories(storage, user_id):
        if memory["memory_id"] == memory_id:
            click.echo(json.dumps(memory, indent=2))
            return
    _fail(f"user '{user_id}' has no memory {memory_id}")


@memories.command("clear")
@click.option("--user", "user_id", required=True, help="The user whose memories go.")
@storage_option
def clear_memories(user_id: str, storage: str | None) -> None:
    """Remove every memory of a user."""
    count = with_storage(storage, lambda s: s.clear_user_memories(user_id))
    if not count:
        _fail(f"no memories for user '{user_id}' (see `agno-dsl memories list`)")
    click.echo(f"cleared {count} memories of user '{user_id}'")
