"""The batch store of each backend: SQLite, PostgreSQL and Redis.

Each borrows the connection of the storage it is made from (the SQLite
worker thread, the PostgreSQL pool, the Redis client) and keeps to tables or
keys of its own, so the backends' run tables stay untouched.
"""

from __future__ import annotations

import json
from typing import Any

from .base import Storage, StorageError
from .batches import BatchRecord, BatchRow, BatchStore

_SQL_TABLES = (
    "CREATE TABLE IF NOT EXISTS agno_dsl_batches ("
    " batch_id TEXT PRIMARY KEY, created_at {real} NOT NULL, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS agno_dsl_batch_rows ("
    " batch_id TEXT NOT NULL, row_index BIGINT NOT NULL, data TEXT NOT NULL,"
    " PRIMARY KEY (batch_id, row_index))",
)
_UPSERT_BATCH = (
    "INSERT INTO agno_dsl_batches (batch_id, created_at, data) VALUES ({p}, {p}, {p}) "
    "ON CONFLICT (batch_id) DO UPDATE SET data = excluded.data"
)
_UPSERT_ROW = (
    "INSERT INTO agno_dsl_batch_rows (batch_id, row_index, data) VALUES ({p}, {p}, {p}) "
    "ON CONFLICT (batch_id, row_index) DO UPDATE SET data = excluded.data"
)
_GET_BATCH = "SELECT data FROM agno_dsl_batches WHERE batch_id = {p}"
_LIST_BATCHES = "SELECT data FROM agno_dsl_batches ORDER BY created_at DESC LIMIT {p}"
_LOAD_ROWS = "SELECT data FROM agno_dsl_batch_rows WHERE batch_id = {p} ORDER BY row_index"
_DROP = ("DROP TABLE IF EXISTS agno_dsl_batch_rows", "DROP TABLE IF EXISTS agno_dsl_batches")


def _dump(value: dict[str, Any]) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


class _SqlBatches(BatchStore):
    """What the SQL stores share: the statements, with `{p}` for their placeholder."""

    async def _query(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        raise NotImplementedError

    async def save_batch(self, record: BatchRecord) -> None:
        params = (record.batch_id, record.created_at, _dump(record.to_json()))
        await self._query(_UPSERT_BATCH, params)

    async def get_batch(self, batch_id: str) -> BatchRecord | None:
        rows = await self._query(_GET_BATCH, (batch_id,))
        return BatchRecord.from_json(json.loads(rows[0][0])) if rows else None

    async def list_batches(self, limit: int = 20) -> list[BatchRecord]:
        rows = await self._query(_LIST_BATCHES, (limit,))
        return [BatchRecord.from_json(json.loads(row[0])) for row in rows]

    async def load_rows(self, batch_id: str) -> list[BatchRow]:
        rows = await self._query(_LOAD_ROWS, (batch_id,))
        return [BatchRow.from_json(json.loads(row[0])) for row in rows]


class SqliteBatches(_SqlBatches):
    """On the storage's one worker thread, like every other SQLite call."""

    async def open(self) -> None:
        def create() -> None:
            for statement in _SQL_TABLES:
                self.storage.db.execute(statement.format(real="REAL"))  # type: ignore[attr-defined]

        await self._call(create)

    async def _call(self, function: Any, *args: Any) -> Any:
        return await self.storage._call(function, *args)  # type: ignore[attr-defined]

    async def _query(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        db = self.storage.db  # type: ignore[attr-defined]
        return await self._call(lambda: db.execute(sql.format(p="?"), params).fetchall())

    async def save_rows(self, batch_id: str, rows: list[BatchRow]) -> None:
        if not rows:
            return
        db = self.storage.db  # type: ignore[attr-defined]
        values = [(batch_id, row.index, _dump(row.to_json())) for row in rows]

        def write() -> None:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(_UPSERT_ROW.format(p="?"), values)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

        await self._call(write)

    async def drop_batches(self) -> None:
        db = self.storage.db  # type: ignore[attr-defined]

        def drop() -> None:
            for statement in _DROP:
                db.execute(statement)

        await self._call(drop)


class PostgresBatches(_SqlBatches):
    """Through the storage's pool; errors become its one-line StorageErrors."""

    async def _run(self, work: Any) -> Any:
        return await self.storage._run(work)  # type: ignore[attr-defined]

    async def open(self) -> None:
        async def create(db: Any) -> None:
            # Two processes creating the tables at once would race on the catalog.
            await db.execute("SELECT pg_advisory_xact_lock(hashtext('agno_dsl_batches'))")
            for statement in _SQL_TABLES:
                await db.execute(statement.format(real="DOUBLE PRECISION"))

        await self._run(create)

    async def _query(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        async def work(db: Any) -> list[Any]:
            cursor = await db.execute(sql.format(p="%s"), params)
            return await cursor.fetchall() if cursor.description else []

        result: list[Any] = await self._run(work)
        return result

    async def save_rows(self, batch_id: str, rows: list[BatchRow]) -> None:
        if not rows:
            return
        values = [(batch_id, row.index, _dump(row.to_json())) for row in rows]

        async def work(db: Any) -> None:
            async with db.cursor() as cursor:
                await cursor.executemany(_UPSERT_ROW.format(p="%s"), values)

        await self._run(work)

    async def drop_batches(self) -> None:
        async def work(db: Any) -> None:
            for statement in _DROP:
                await db.execute(statement)

        await self._run(work)


class RedisBatches(BatchStore):
    """A batch is a JSON string and an entry in a sorted set by start time; its
    rows are one hash, field = row index."""

    async def open(self) -> None:
        if getattr(self.storage, "_redis", None) is None:
            raise StorageError(f"storage {self.storage.display_url} is not open")

    def _key(self, *parts: str) -> str:
        return self.storage._key(*parts)  # type: ignore[attr-defined,no-any-return]

    async def _call(self, work: Any) -> Any:
        return await self.storage._call(work)  # type: ignore[attr-defined]

    async def save_batch(self, record: BatchRecord) -> None:
        async def work(r: Any) -> None:
            async with r.pipeline(transaction=True) as pipe:
                pipe.set(self._key("batch", record.batch_id), _dump(record.to_json()))
                pipe.zadd(self._key("batches"), {record.batch_id: record.created_at})
                await pipe.execute()

        await self._call(work)

    async def get_batch(self, batch_id: str) -> BatchRecord | None:
        data = await self._call(lambda r: r.get(self._key("batch", batch_id)))
        return BatchRecord.from_json(json.loads(data)) if data else None

    async def list_batches(self, limit: int = 20) -> list[BatchRecord]:
        async def work(r: Any) -> list[Any]:
            ids = await r.zrevrange(self._key("batches"), 0, limit - 1)
            return await r.mget([self._key("batch", i) for i in ids]) if ids else []

        return [BatchRecord.from_json(json.loads(v)) for v in await self._call(work) if v]

    async def save_rows(self, batch_id: str, rows: list[BatchRow]) -> None:
        if not rows:
            return
        mapping = {str(row.index): _dump(row.to_json()) for row in rows}
        await self._call(lambda r: r.hset(self._key("batch_rows", batch_id), mapping=mapping))

    async def load_rows(self, batch_id: str) -> list[BatchRow]:
        data = await self._call(lambda r: r.hgetall(self._key("batch_rows", batch_id)))
        rows = [BatchRow.from_json(json.loads(value)) for value in data.values()]
        return sorted(rows, key=lambda row: row.index)

    async def drop_batches(self) -> None:
        async def work(r: Any) -> None:
            keys = [k async for k in r.scan_iter(match=self._key("batch") + "*", count=500)]
            if keys:
                await r.delete(*keys)

        await self._call(work)


async def batch_store(storage: Storage) -> BatchStore:
    """The batch store of an open storage, its tables created if missing."""
    kinds: dict[str, type[BatchStore]] = {
        "SqliteStorage": SqliteBatches,
        "PostgresStorage": PostgresBatches,
        "RedisStorage": RedisBatches,
    }
    kind = kinds.get(type(storage).__name__)
    if kind is None:
        raise StorageError(f"storage {storage.display_url} cannot hold batch records")
    store = kind(storage)
    await store.open()  # type: ignore[attr-defined]
    return store
