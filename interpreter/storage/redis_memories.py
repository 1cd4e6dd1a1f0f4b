"""Redis's user memories: per user a hash (memory id → JSON) and a sorted set of ids
scored by when each was first added (the order), plus a sorted set of users."""

from __future__ import annotations

import json
import time
from typing import Any

from .base import encode
from .memories import MemoryStore


class RedisMemories(MemoryStore):
    """Mixed into RedisStorage: uses its key naming (`_key`) and client calls (`_call`)."""

    def _key(self, *parts: str) -> str:
        raise NotImplementedError  # RedisStorage's

    async def _call(self, work: Any) -> Any:
        raise NotImplementedError  # RedisStorage's

    async def get_user_memories(self, user_id: str) -> list[dict[str, Any]]:
        async def work(r: Any) -> list[dict[str, Any]]:
            ids = await r.zrange(self._key("memorder", user_id), 0, -1)
            values = await r.hmget(self._key("memories", user_id), ids) if ids else []
            return [json.loads(v) for v in values if v]

        return await self._call(work)  # type: ignore[no-any-return]

    async def upsert_user_memory(self, memory: dict[str, Any]) -> None:
        user_id, now = memory["user_id"], time.time()

        async def work(r: Any) -> None:
            async with r.pipeline(transaction=True) as pipe:
                pipe.hset(self._key("memories", user_id), memory["memory_id"], encode(memory))
                pipe.zadd(self._key("memorder", user_id), {memory["memory_id"]: now}, nx=True)
                pipe.zadd(self._key("memoryusers"), {user_id: now})
                await pipe.execute()

        await self._call(work)

    async def delete_user_memory(self, memory_id: str, user_id: str) -> bool:
        async def work(r: Any) -> int:
            async with r.pipeline(transaction=True) as pipe:
                pipe.hdel(self._key("memories", user_id), memory_id)
                pipe.zrem(self._key("memorder", user_id), memory_id)
                deleted, _ = await pipe.execute()
            return int(deleted)

        return bool(await self._call(work))

    async def clear_user_memories(self, user_id: str) -> int:
        async def work(r: Any) -> int:
            async with r.pipeline(transaction=True) as pipe:
                pipe.hlen(self._key("memories", user_id))
                pipe.delete(self._key("memories", user_id), self._key("memorder", user_id))
                pipe.zrem(self._key("memoryusers"), user_id)
                count, _, _ = await pipe.execute()
            return int(count)

        return int(await self._call(work))

    async def list_memory_users(self, limit: int = 50) -> list[dict[str, Any]]:
        async def work(r: Any) -> list[dict[str, Any]]:
            users = await r.zrevrange(self._key("memoryusers"), 0, limit - 1, withscores=True)
            counts = [await r.hlen(self._key("memories", user)) for user, _ in users]
            return [
                {"user_id": user, "memories": count, "updated_at": int(score)}
                for (user, score), count in zip(users, counts, strict=True)
                if count
            ]

        return await self._call(work)  # type: ignore[no-any-return]
