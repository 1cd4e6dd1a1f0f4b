"""Redis storage: redis-py asyncio.

`redis://host:port/db?prefix=NAME:` puts every key under a prefix (default
`agno-dsl:`). A run is a JSON string plus a sorted set of runs by start
time; steps are a hash plus a list giving their order; events a list.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .base import SCHEMA_VERSION, RunRecord, Storage, StorageError, owner_is_dead


class RedisStorage(Storage):
    def __init__(self, url: str) -> None:
        self.url = url
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        self.prefix = query.pop("prefix", "agno-dsl:")
        self._client_url = urlunsplit(parts._replace(query=urlencode(query)))
        self._redis: Any = None

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    async def _call(self, work: Any) -> Any:
        try:
            return await work(self._redis)
        except Exception as exc:
            if type(exc).__module__.startswith("redis"):
                message = str(exc).strip() or type(exc).__name__
                raise StorageError(f"storage {self.display_url}: {message}") from exc
            raise

    async def open(self) -> None:
        try:
            import redis.asyncio as aioredis
        except ImportError:
            raise StorageError(
                "Redis storage needs redis-py: pip install 'agno-dsl[redis]'"
            ) from None
        self._redis = aioredis.from_url(
            self._client_url, decode_responses=True, socket_connect_timeout=5
        )
        await self._call(lambda r: r.set(self._key("schema_version"), SCHEMA_VERSION, nx=True))

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def save_run(self, record: RunRecord) -> None:
        async def work(r: Any) -> None:
            async with r.pipeline(transaction=True) as pipe:
                pipe.set(self._key("run", record.run_id), json.dumps(record.to_json(), default=str))
                pipe.zadd(self._key("runs"), {record.run_id: record.created_at})
                await pipe.execute()

        await self._call(work)

    async def get_run(self, run_id: str) -> RunRecord | None:
        data = await self._call(lambda r: r.get(self._key("run", run_id)))
        return RunRecord.from_json(json.loads(data)) if data else None

    async def list_runs(self, status: str | None = None, limit: int = 20) -> list[RunRecord]:
        async def work(r: Any) -> list[RunRecord]:
            found: list[RunRecord] = []
            start = 0
            while len(found) < limit:
                ids = await r.zrevrange(self._key("runs"), start, start + 199)
                if not ids:
                    break
                start += len(ids)
                values = await r.mget([self._key("run", i) for i in ids])
                for value in values:
                    if value:
                        record = RunRecord.from_json(json.loads(value))
                        if status is None or record.status == status:
                            found.append(record)
            return found[:limit]

        return await self._call(work)  # type: ignore[no-any-return]

    async def save_steps(
        self, run_id: str, steps: list[tuple[str, dict[str, Any]]], events: list[dict[str, Any]]
    ) -> None:
        async def work(r: Any) -> None:
            keys = [key for key, _ in steps]
            known = await r.hmget(self._key("steps", run_id), keys) if keys else []
            async with r.pipeline(transaction=True) as pipe:
                if events:
                    pipe.rpush(
                        self._key("events", run_id), *[json.dumps(e, default=str) for e in events]
                    )
                for (key, output), existing in zip(steps, known, strict=True):
                    pipe.hset(self._key("steps", run_id), key, json.dumps(output, default=str))
                    if existing is None:
                        pipe.rpush(self._key("steporder", run_id), key)
                await pipe.execute()

        await self._call(work)

    async def load_steps(self, run_id: str) -> list[tuple[str, dict[str, Any]]]:
        async def work(r: Any) -> list[tuple[str, dict[str, Any]]]:
            order = await r.lrange(self._key("steporder", run_id), 0, -1)
            values = await r.hgetall(self._key("steps", run_id))
            return [(key, json.loads(values[key])) for key in order if key in values]

        return await self._call(work)  # type: ignore[no-any-return]

    async def _push(self, kind: str, run_id: str, records: list[dict[str, Any]]) -> None:
        if records:
            items = [json.dumps(record, default=str) for record in records]
            await self._call(lambda r: r.rpush(self._key(kind, run_id), *items))

    async def _list(self, kind: str, run_id: str) -> list[dict[str, Any]]:
        items = await self._call(lambda r: r.lrange(self._key(kind, run_id), 0, -1))
        return [json.loads(item) for item in items]

    async def append_events(self, run_id: str, events: list[dict[str, Any]]) -> None:
        await self._push("events", run_id, events)

    async def load_events(self, run_id: str) -> list[dict[str, Any]]:
        return await self._list("events", run_id)

    async def save_spans(self, run_id: str, spans: list[dict[str, Any]]) -> None:
        await self._push("spans", run_id, spans)

    async def load_spans(self, run_id: str) -> list[dict[str, Any]]:
        return await self._list("spans", run_id)

    async def acquire_lease(self, run_id: str, owner: str, ttl: float) -> str | None:
        async def work(r: Any) -> str | None:
            key = self._key("lease", run_id)
            if await r.set(key, owner, nx=True, px=int(ttl * 1000)):
                return None
            holder = await r.get(key)
            if holder in (None, owner) or owner_is_dead(holder):
                await r.set(key, owner, px=int(ttl * 1000))
                return None
            return str(holder)

        return await self._call(work)  # type: ignore[no-any-return]

    async def release_lease(self, run_id: str, owner: str) -> None:
        async def work(r: Any) -> None:
            key = self._key("lease", run_id)
            if await r.get(key) == owner:
                await r.delete(key)

        await self._call(work)

    async def get_session(self, session_id: str) -> dict[str, Any] | None:
        data = await self._call(lambda r: r.get(self._key("session", session_id)))
        return json.loads(data) if data else None

    async def save_session(self, session_id: str, data: dict[str, Any]) -> None:
        async def work(r: Any) -> None:
            async with r.pipeline(transaction=True) as pipe:
                pipe.set(self._key("session", session_id), json.dumps(data, default=str))
                pipe.zadd(self._key("sessions"), {session_id: time.time()})
                await pipe.execute()

        await self._call(work)

    async def list_sessions(self, limit: int = 50) -> list[dict[str, Any]]:
        async def work(r: Any) -> list[dict[str, Any]]:
            ids = await r.zrevrange(self._key("sessions"), 0, limit - 1)
            values = await r.mget([self._key("session", i) for i in ids]) if ids else []
            return [json.loads(v) for v in values if v]

        return await self._call(work)  # type: ignore[no-any-return]

    async def drop_all(self) -> None:
        async def work(r: Any) -> None:
            keys = [key async for key in r.scan_iter(match=self.prefix + "*", count=500)]
            if keys:
                await r.delete(*keys)

        await self._call(work)
