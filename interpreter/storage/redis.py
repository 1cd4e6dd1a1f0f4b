"""Redis storage: redis-py asyncio.

`redis://host:port/db?prefix=NAME:` puts every key under a prefix (default
`agno-dsl:`). A run is a JSON string plus a sorted set of runs by start
time; steps are a hash plus a list giving their order; events a list.

The runs of one event loop share the client (shared.py). A run records a
step with one Lua script call: one round trip, applied atomically.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import redis_memories
from .base import SCHEMA_VERSION, Commit, RunRecord, Storage, StorageError, owner_is_dead
from .shared import forget

# A Commit. ARGV: key prefix, run id, the events joined by newlines, step keys
# and outputs alternating, joined by newlines (compact JSON never holds a raw
# newline, and step keys are checked), created_at and JSON of the run ("" for
# none), session id, now, session JSON ("" for none). Few arguments because
# redis-py packs each one in Python. The keys are named here from the prefix,
# as the commands of a Redis that is not a cluster allow.
_COMMIT = """
local prefix, run = ARGV[1], ARGV[2]
local function split(text)
  local items = {}
  for item in string.gmatch(text, "[^\\n]+") do items[#items + 1] = item end
  return items
end
local events = split(ARGV[3])
for first = 1, #events, 1000 do
  redis.call('RPUSH', prefix .. 'events:' .. run,
             unpack(events, first, math.min(#events, first + 999)))
end
local steps = split(ARGV[4])
for i = 1, #steps, 2 do
  if redis.call('HSET', prefix .. 'steps:' .. run, steps[i], steps[i + 1]) == 1 then
    redis.call('RPUSH', prefix .. 'steporder:' .. run, steps[i])
  end
end
if ARGV[6] ~= '' then
  redis.call('SET', prefix .. 'run:' .. run, ARGV[6])
  redis.call('ZADD', prefix .. 'runs', ARGV[5], run)
end
if ARGV[9] ~= '' then
  redis.call('SET', prefix .. 'session:' .. ARGV[7], ARGV[9])
  redis.call('ZADD', prefix .. 'sessions', ARGV[8], ARGV[7])
end
return 1
"""


def _command(arguments: list[str]) -> bytes:
    """A command as Redis reads it (RESP), packed at once rather than by redis-py."""
    parts = [b"*%d\r\n" % len(arguments)]
    for argument in arguments:
        data = argument.encode()
        parts.append(b"$%d\r\n%b\r\n" % (len(data), data))
    return b"".join(parts)


class RedisStorage(redis_memories.RedisMemories, Storage):
    def __init__(self, url: str) -> None:
        self.url = url
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        self.prefix = query.pop("prefix", "agno-dsl:")
        self._client_url = urlunsplit(parts._replace(query=urlencode(query)))
        self._redis: Any = None
        # Commits go through a connection of their own, one at a time: without
        # the client's per-command machinery a step costs ~25 µs less CPU.
        self._committer: Any = None
        self._commit_lock = asyncio.Lock()
        self._commit_sha = hashlib.sha1(_COMMIT.encode()).hexdigest()

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
        try:
            await self._call(lambda r: r.set(self._key("schema_version"), SCHEMA_VERSION, nx=True))
            self._committer = await self._redis.connection_pool.get_connection()
        except BaseException:
            await self.close_connections()
            raise

    async def close_connections(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def commit(self, commit: Commit) -> None:
        run, session = commit.run, commit.session
        steps = [part for step in commit.steps for part in step]
        if any(not key or "\n" in key for key, _ in commit.steps):
            raise StorageError(
                f"storage {self.display_url}: a step key is empty or holds a newline"
            )
        arguments = [
            "0",  # keys: named by the script
            self.prefix,
            commit.run_id,
            "\n".join(commit.events),
            "\n".join(steps),
            repr(run.created_at) if run else "0",
            run.data if run else "",
            session[0] if session else "",
            repr(time.time()),
            session[1] if session else "",
        ]
        await self._call(lambda r: self._evaluate(arguments))

    async def _evaluate(self, arguments: list[Any]) -> None:
        """The commit script on the commit connection (loaded on first use)."""
        from redis.exceptions import NoScriptError

        async with self._commit_lock:
            connection = self._committer
            try:
                command = _command(["EVALSHA", self._commit_sha, *arguments])
                try:
                    await connection.send_packed_command(command)
                    await connection.read_response()
                except NoScriptError:
                    await connection.send_packed_command(_command(["SCRIPT", "LOAD", _COMMIT]))
                    await connection.read_response()
                    await connection.send_packed_command(command)
                    await connection.read_response()
            except BaseException as exc:
                if not isinstance(exc, NoScriptError):
                    # An answer may be unread: start afresh on the next commit.
                    await connection.disconnect()
                raise

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

    async def lease_holder(self, run_id: str) -> str | None:
        # The key expires with the lease, so a holder found here is within its time.
        holder = await self._call(lambda r: r.get(self._key("lease", run_id)))
        return None if holder is None or owner_is_dead(holder) else str(holder)

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
        forget(self)
