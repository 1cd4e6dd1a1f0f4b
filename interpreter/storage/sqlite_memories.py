"""SQLite's user memories: one row per memory in `agno_dsl_memories`, rowid order."""

from __future__ import annotations

import json
import time
from typing import Any

from .base import encode
from .memories import MemoryStore, memory_summary

TABLE = """
CREATE TABLE IF NOT EXISTS agno_dsl_memories (
    memory_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, updated_at REAL NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS agno_dsl_memories_user ON agno_dsl_memories (user_id);
"""


class SqliteMemories(MemoryStore):
    """Mixed into SqliteStorage: uses its worker thread (`_call`) and connection (`db`)."""

    db: Any

    async def _call(self, function: Any, *args: Any) -> Any:
        raise NotImplementedError  # SqliteStorage's

    async def get_user_memories(self, user_id: str) -> list[dict[str, Any]]:
        rows = await self._call(
            lambda: self.db.execute(
                "SELECT data FROM agno_dsl_memories WHERE user_id = ? ORDER BY rowid", (user_id,)
            ).fetchall()
        )
        return [json.loads(row[0]) for row in rows]

    async def upsert_user_memory(self, memory: dict[str, Any]) -> None:
        # ON CONFLICT … UPDATE (not REPLACE) keeps the row, so its place in the order
        await self._call(
            lambda: self.db.execute(
                "INSERT INTO agno_dsl_memories VALUES (?, ?, ?, ?) ON CONFLICT (memory_id) "
                "DO UPDATE SET user_id = excluded.user_id, updated_at = excluded.updated_at, "
                "data = excluded.data",
                (memory["memory_id"], memory["user_id"], time.time(), encode(memory)),
            )
        )

    async def delete_user_memory(self, memory_id: str, user_id: str) -> bool:
        cursor = await self._call(
            lambda: self.db.execute(
                "DELETE FROM agno_dsl_memories WHERE memory_id = ? AND user_id = ?",
                (memory_id, user_id),
            )
        )
        return bool(cursor.rowcount)

    async def clear_user_memories(self, user_id: str) -> int:
        cursor = await self._call(
            lambda: self.db.execute("DELETE FROM agno_dsl_memories WHERE user_id = ?", (user_id,))
        )
        return int(cursor.rowcount)

    async def list_memory_users(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = await self._call(
            lambda: self.db.execute(
                "SELECT user_id, COUNT(*), MAX(updated_at) FROM agno_dsl_memories "
                "GROUP BY user_id ORDER BY MAX(updated_at) DESC LIMIT ?",
                (limit,),
            ).fetchall()
        )
        return [
            {**memory_summary(user_id, []), "memories": count, "updated_at": int(updated)}
            for user_id, count, updated in rows
        ]
