"""User-memory pairs: agno's MemoryManager (memories in agno's SqliteDb) beside agno-dsl's.

Each agno side keeps its memories in a SqliteDb of its own in a temporary
directory; each agno-dsl side in its storage. Every turn runs for the same user.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from agno.agent import Agent
from agno.db.sqlite import SqliteDb
from agno.memory import MemoryManager

from ..harness import Models, pair


def _db() -> SqliteDb:
    return SqliteDb(db_file=str(Path(tempfile.mkdtemp(prefix="parity-memory-")) / "agno.db"))


def _remembering(models: Models, name: str, **memory: bool) -> Agent:
    """An agent whose MemoryManager uses the spec's `memorizer` model."""
    manager = MemoryManager(model=models["memorizer"])
    return Agent(name=name, model=models["fake"], db=_db(), memory_manager=manager, **memory)


@pair("My name is Ada.", "I love green tea.", user_id="ada")
def memory_update_on_run(models: Models) -> Agent:
    return _remembering(models, "friend", update_memory_on_run=True)


@pair("Remember that my favourite colour is teal.", "What is my favourite colour?", user_id="bo")
def memory_agentic(models: Models) -> Agent:
    return _remembering(models, "keeper", enable_agentic_memory=True)


@pair("Hi!")
def memory_context_only(models: Models) -> Agent:
    """No memories yet, no user named: agno's "default" user and its words for it."""
    return Agent(
        name="greeter",
        model=models["fake"],
        db=_db(),
        instructions="Greet the user.",
        add_memories_to_context=True,
    )
