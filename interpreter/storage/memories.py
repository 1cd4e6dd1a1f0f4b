"""User memories: what every storage keeps about a user, apart from runs and sessions.

A memory is agno's UserMemory as a JSON document: `memory_id`, `memory`,
`topics`, `user_id`, `input` (the message it came from), `agent_id`,
`team_id`, `created_at` and `updated_at` (epoch seconds). Backends keep
them in a table (or keys) of their own; a user's memories come back in the
order they were first added, as agno's databases return them.

`InProcessMemories` is the store of a run kept nowhere (no storage): the
memories live as long as the process, as agno's InMemoryDb does.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from typing import Any


def memory_summary(user_id: str, memories: list[dict[str, Any]]) -> dict[str, Any]:
    """One line of `memories list`: the user, how many memories, when last changed."""
    return {
        "user_id": user_id,
        "memories": len(memories),
        "updated_at": max((m.get("updated_at") or 0 for m in memories), default=None),
    }


class MemoryStore(ABC):
    """Async access to user memories (every Storage is one)."""

    @abstractmethod
    async def get_user_memories(self, user_id: str) -> list[dict[str, Any]]:
        """The user's memories, oldest first."""

    @abstractmethod
    async def upsert_user_memory(self, memory: dict[str, Any]) -> None:
        """Insert, or replace the memory with the same `memory_id` (keeping its place)."""

    @abstractmethod
    async def delete_user_memory(self, memory_id: str, user_id: str) -> bool:
        """Remove one memory of the user; False when the user has no such memory."""

    @abstractmethod
    async def clear_user_memories(self, user_id: str) -> int:
        """Remove every memory of the user; how many there were."""

    @abstractmethod
    async def list_memory_users(self, limit: int = 50) -> list[dict[str, Any]]:
        """Users with memories, most recently changed first (see `memory_summary`)."""


class InProcessMemories(MemoryStore):
    """Memories of runs without storage: kept for the life of the process."""

    def __init__(self) -> None:
        self._by_user: dict[str, dict[str, dict[str, Any]]] = {}

    async def get_user_memories(self, user_id: str) -> list[dict[str, Any]]:
        return [dict(m) for m in self._by_user.get(user_id, {}).values()]

    async def upsert_user_memory(self, memory: dict[str, Any]) -> None:
        self._by_user.setdefault(memory["user_id"], {})[memory["memory_id"]] = dict(memory)

    async def delete_user_memory(self, memory_id: str, user_id: str) -> bool:
        return self._by_user.get(user_id, {}).pop(memory_id, None) is not None

    async def clear_user_memories(self, user_id: str) -> int:
        return len(self._by_user.pop(user_id, {}))

    async def list_memory_users(self, limit: int = 50) -> list[dict[str, Any]]:
        users = [memory_summary(u, list(m.values())) for u, m in self._by_user.items() if m]
        users.sort(key=lambda u: u["updated_at"] or 0, reverse=True)
        return users[:limit]


PROCESS_MEMORIES = InProcessMemories()


def now_epoch_s() -> int:
    return int(time.time())
