"""PostgreSQL's user memories: one row per memory in `agno_dsl_memories`, in insertion order."""

from __future__ import annotations

import json
import time
from typing import Any

from .base import encode
from .memories import MemoryStore

TABLE = """
CREATE TABLE IF NOT EXISTS agno_dsl_memories (
    memory_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, seq BIGSERIAL,
    updated_at DOUBLE PRECISION NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS agno_dsl_memories_user ON agno_dsl_memories (user_id, seq);
"""


class PostgresMemories(MemoryStore):
    """Mixed into PostgresStorage: each call is one transaction of its `_run`."""

    async def _run(self, work: Any) -> Any:
        raise NotImplementedError  # PostgresStorage's

    async def get_user_memories(self, user_id: str) -> list[dict[str, Any]]:
        async def work(db: Any) -> Any:
            cursor = await db.execute(
                "SELECT data FROM agno_dsl_memories WHERE user_id = %s ORDER BY seq", (user_id,)
            )
            return await cursor.fetchall()

        return [json.loads(row[0]) for row in await self._run(work)]

    async def upsert_user_memory(self, memory: dict[str, Any]) -> None:
        await self._run(
            lambda db: db.execute(
                "INSERT INTO agno_dsl_memories (memory_id, user_id, updated_at, data) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (memory_id) DO UPDATE SET "
                "user_id = excluded.user_id, updated_at = excluded.updated_at, "
                "data = excluded.data",
                (memory["memory_id"], memory["user_id"], time.time(), encode(memory)),
            )
        )

    async def delete_user_memory(self, memory_id: str, user_id: str) -> bool:
        async def work(db: Any) -> int:
            cursor = await db.execute(
                "DELETE FROM agno_dsl_memories WHERE memory_id = %s AND user_id = %s",
                (memory_id, user_id),
            )
            return int(cursor.rowcount)

        return bool(await self._run(work))

    async def clear_user_memories(self, user_id: str) -> int:
        async def work(db: Any) -> int:
            cursor = await db.execute(
                "DELETE FROM agno_dsl_memories WHERE user_id = %s", (user_id,)
            )
            return int(cursor.rowcount)

        return int(await self._run(work))

    async def list_memory_users(self, limit: int = 50) -> list[dict[str, Any]]:
        async def work(db: Any) -> Any:
            cursor = await db.execute(
                "SELECT user_id, COUNT(*), MAX(updated_at) FROM agno_dsl_memories "
                "GROUP BY user_id ORDER BY MAX(updated_at) DESC LIMIT %s",
                (limit,),
            )
            return await cursor.fetchall()

        return [
            {"user_id": user_id, "memories": count, "updated_at": int(updated)}
            for user_id, count, updated in await self._run(work)
        ]
