"""PostgreSQL storage: psycopg 3, async, pooled.

`postgresql://user@host/db?schema=NAME` keeps the tables in their own schema
(created on first use); without it they live in the connection's default.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .base import SCHEMA_VERSION, RunRecord, Storage, StorageError, owner_is_dead

_TABLES = """
CREATE TABLE IF NOT EXISTS agno_dsl_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agno_dsl_runs (
    run_id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
    data TEXT NOT NULL, lease_owner TEXT, lease_until DOUBLE PRECISION);
CREATE INDEX IF NOT EXISTS agno_dsl_runs_created ON agno_dsl_runs (created_at);
CREATE TABLE IF NOT EXISTS agno_dsl_steps (
    run_id TEXT NOT NULL, key TEXT NOT NULL, seq BIGINT NOT NULL, output TEXT NOT NULL,
    PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS agno_dsl_events (
    run_id TEXT NOT NULL, seq BIGINT NOT NULL, event TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS agno_dsl_spans (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, span TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS agno_dsl_sessions (
    session_id TEXT PRIMARY KEY, updated_at DOUBLE PRECISION NOT NULL, data TEXT NOT NULL);
"""


_SYNCHRONOUS_COMMIT = ("off", "local", "remote_write", "on", "remote_apply")


def _split_options(url: str) -> tuple[str, str | None, str]:
    """The connection string for libpq, and our own options: schema, synchronous_commit."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", None)
    synchronous_commit = query.pop("synchronous_commit", "off")
    return urlunsplit(parts._replace(query=urlencode(query))), schema, synchronous_commit


class PostgresStorage(Storage):
    def __init__(self, url: str) -> None:
        self.url = url
        self._conninfo, self.schema, self.synchronous_commit = _split_options(url)
        self._pool: Any = None
        if self.synchronous_commit not in _SYNCHRONOUS_COMMIT:
            raise StorageError(
                f"storage {self.display_url}: synchronous_commit={self.synchronous_commit} "
                f"is not a PostgreSQL setting; use one of {', '.join(_SYNCHRONOUS_COMMIT)}"
            )

    def _error(self, exc: Exception) -> StorageError:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StorageError(f"storage {self.display_url}: {message}")

    async def open(self) -> None:
        try:
            import psycopg
            from psycopg_pool import AsyncConnectionPool
        except ImportError:
            raise StorageError(
                "PostgreSQL storage needs psycopg: pip install 'agno-dsl[postgres]'"
            ) from None
        schema, synchronous_commit = self.schema, self.synchronous_commit

        async def configure(connection: Any) -> None:
            # Durable across a crash of ours (the server has the commit), not
            # across one of the database host in the last moments: the same
            # promise as SQLite's WAL with synchronous=NORMAL, without an
            # fsync per step. `?synchronous_commit=on` in the URL restores it.
            await connection.execute(
                "SELECT set_config('synchronous_commit', %s, false)", (synchronous_commit,)
            )
            if schema:
                await connection.execute(f'SET search_path TO "{schema}"')

        # One direct connection first: a down server is a clear error at once,
        # not ten seconds of pool retries logged to stderr.
        logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
        try:
            probe = await psycopg.AsyncConnection.connect(self._conninfo, connect_timeout=5)
            await probe.close()
        except Exception as exc:
            raise self._error(exc) from exc
        self._pool = AsyncConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=4,
            open=False,
            configure=configure,
            timeout=10,
            # Transactions are explicit (`_run`), or implicit in one multi-statement
            # query (`_write`); nothing is left open between calls.
            kwargs={"autocommit": True},
        )
        try:
            await self._pool.open(wait=True, timeout=10)
            async with self._pool.connection() as db:
                if schema:
                    await db.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                    await db.execute(f'SET search_path TO "{schema}"')
                await db.execute(_TABLES)
                await db.execute(
                    "INSERT INTO agno_dsl_meta VALUES ('schema_version', %s) "
                    "ON CONFLICT DO NOTHING",
                    (str(SCHEMA_VERSION),),
                )
        except Exception as exc:
            await self._pool.close()
            raise self._error(exc) from exc

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        """A pooled connection; psycopg's errors become one-line StorageErrors."""
        try:
            async with self._pool.connection() as db:
                yield db
        except StorageError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg"):
                raise self._error(exc) from exc
            raise

    async def _run(self, work: Any) -> Any:
        """`work(db)` in one transaction."""
        async with self._connection() as db, db.transaction():
            return await work(db)

    async def save_run(self, record: RunRecord) -> None:
        async def work(db: Any) -> None:
            await db.execute(
                "INSERT INTO agno_dsl_runs (run_id, status, created_at, data) VALUES "
                "(%s, %s, %s, %s) ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, "
                "data = excluded.data",
                (
                    record.run_id,
                    record.status,
                    record.created_at,
                    json.dumps(record.to_json(), default=str),
                ),
            )

        await self._run(work)

    async def get_run(self, run_id: str) -> RunRecord | None:
        async def work(db: Any) -> Any:
            cursor = await db.execute("SELECT data FROM agno_dsl_runs WHERE run_id = %s", (run_id,))
            return await cursor.fetchone()

        row = await self._run(work)
        return RunRecord.from_json(json.loads(row[0])) if row else None

    async def list_runs(self, status: str | None = None, limit: int = 20) -> list[RunRecord]:
        async def work(db: Any) -> Any:
            if status is None:
                cursor = await db.execute(
                    "SELECT data FROM agno_dsl_runs ORDER BY created_at DESC LIMIT %s", (limit,)
                )
            else:
                cursor = await db.execute(
                    "SELECT data FROM agno_dsl_runs WHERE status = %s "
                    "ORDER BY created_at DESC LIMIT %s",
                    (status, limit),
                )
            return await cursor.fetchall()

        return [RunRecord.from_json(json.loads(row[0])) for row in await self._run(work)]

    async def save_steps(
        self, run_id: str, steps: list[tuple[str, dict[str, Any]]], events: list[dict[str, Any]]
    ) -> None:
        statements = _append_statements(run_id, events) + [
            (
                "INSERT INTO agno_dsl_steps (run_id, key, seq, output) VALUES (%s, %s, "
                "(SELECT COALESCE(MAX(seq), 0) + 1 FROM agno_dsl_steps WHERE run_id = %s), "
                "%s) ON CONFLICT (run_id, key) DO UPDATE SET output = excluded.output",
                (run_id, key, run_id, json.dumps(output, default=str)),
            )
            for key, output in steps
        ]
        await self._write(statements)

    async def _write(self, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        """Writes that land together or not at all, in one round trip: a query of
        several statements is one implicit transaction (each statement still sees
        what the ones before it did). Recording a step is one of these."""
        if not statements:
            return
        from psycopg import AsyncClientCursor

        sql = "; ".join(statement for statement, _ in statements)
        params = [value for _, values in statements for value in values]
        async with self._connection() as db, AsyncClientCursor(db) as cursor:
            await cursor.execute(sql, params)

    async def load_steps(self, run_id: str) -> list[tuple[str, dict[str, Any]]]:
        async def work(db: Any) -> Any:
            cursor = await db.execute(
                "SELECT key, output FROM agno_dsl_steps WHERE run_id = %s ORDER BY seq", (run_id,)
            )
            return await cursor.fetchall()

        return [(key, json.loads(output)) for key, output in await self._run(work)]

    async def append_events(self, run_id: str, events: list[dict[str, Any]]) -> None:
        await self._write(_append_statements(run_id, events))

    async def load_events(self, run_id: str) -> list[dict[str, Any]]:
        return await self._load(run_id, "agno_dsl_events", "event")

    async def _load(self, run_id: str, table: str, column: str) -> list[dict[str, Any]]:
        async def work(db: Any) -> Any:
            cursor = await db.execute(
                f"SELECT {column} FROM {table} WHERE run_id = %s ORDER BY seq", (run_id,)
            )
            return await cursor.fetchall()

        return [json.loads(row[0]) for row in await self._run(work)]

    async def save_spans(self, run_id: str, spans: list[dict[str, Any]]) -> None:
        await self._write(_append_statements(run_id, spans, table="agno_dsl_spans", column="span"))

    async def load_spans(self, run_id: str) -> list[dict[str, Any]]:
        return await self._load(run_id, "agno_dsl_spans", "span")

    async def acquire_lease(self, run_id: str, owner: str, ttl: float) -> str | None:
        async def work(db: Any) -> str | None:
            cursor = await db.execute(
                "SELECT lease_owner, lease_until FROM agno_dsl_runs WHERE run_id = %s FOR UPDATE",
                (run_id,),
            )
            row = await cursor.fetchone()
            now = time.time()
            if (
                row
                and row[0]
                and row[0] != owner
                and row[1]
                and row[1] > now
                and not owner_is_dead(row[0])
            ):
                return str(row[0])
            await db.execute(
                "UPDATE agno_dsl_runs SET lease_owner = %s, lease_until = %s WHERE run_id = %s",
                (owner, now + ttl, run_id),
            )
            return None

        return await self._run(work)  # type: ignore[no-any-return]

    async def release_lease(self, run_id: str, owner: str) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE agno_dsl_runs SET lease_owner = NULL, lease_until = NULL "
                "WHERE run_id = %s AND lease_owner = %s",
                (run_id, owner),
            )
        )

    async def get_session(self, session_id: str) -> dict[str, Any] | None:
        async def work(db: Any) -> Any:
            cursor = await db.execute(
                "SELECT data FROM agno_dsl_sessions WHERE session_id = %s", (session_id,)
            )
            return await cursor.fetchone()

        row = await self._run(work)
        return json.loads(row[0]) if row else None

    async def save_session(self, session_id: str, data: dict[str, Any]) -> None:
        await self._run(
            lambda db: db.execute(
                "INSERT INTO agno_dsl_sessions VALUES (%s, %s, %s) ON CONFLICT (session_id) "
                "DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data",
                (session_id, time.time(), json.dumps(data, default=str)),
            )
        )

    async def list_sessions(self, limit: int = 50) -> list[dict[str, Any]]:
        async def work(db: Any) -> Any:
            cursor = await db.execute(
                "SELECT data FROM agno_dsl_sessions ORDER BY updated_at DESC LIMIT %s", (limit,)
            )
            return await cursor.fetchall()

        return [json.loads(row[0]) for row in await self._run(work)]

    async def drop_all(self) -> None:
        async def work(db: Any) -> None:
            if self.schema:
                await db.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
            else:
                for table in ("meta", "runs", "steps", "events", "spans", "sessions"):
                    await db.execute(f"DROP TABLE IF EXISTS agno_dsl_{table}")

        await self._run(work)


def _append_statements(
    run_id: str,
    events: list[dict[str, Any]],
    table: str = "agno_dsl_events",
    column: str = "event",
) -> list[tuple[str, tuple[Any, ...]]]:
    """Append events after the run's last one. The advisory lock serializes appenders
    of one run; the next statement's snapshot is taken after it, so its MAX(seq) is
    current and sequence numbers never collide."""
    if not events:
        return []
    return [
        ("SELECT pg_advisory_xact_lock(hashtext(%s))", (run_id,)),
        (
            f"INSERT INTO {table} (run_id, seq, {column}) "
            "SELECT %s, last.seq + item.n, item.value "
            f"FROM (SELECT COALESCE(MAX(seq), 0) AS seq FROM {table} WHERE run_id = %s) "
            "AS last, unnest(%s::text[]) WITH ORDINALITY AS item(value, n)",
            (run_id, run_id, [json.dumps(e, default=str) for e in events]),
        ),
    ]
