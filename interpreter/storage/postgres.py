"""PostgreSQL storage: psycopg 3, async, a few connections per event loop.

`postgresql://user@host/db?schema=NAME` keeps the tables in their own schema
(created on first use); without it they live in the connection's default.

The runs of one event loop share the storage (shared.py) and its
connections, opened on demand up to MAX_CONNECTIONS. A run records a step
with one prepared statement: one round trip, one implicit transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import postgres_memories
from .base import (
    SCHEMA_VERSION,
    Commit,
    RunRecord,
    Storage,
    StorageError,
    live_holder,
    owner_is_dead,
)
from .shared import forget

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


# A Commit is one statement made of the inserts it needs: one round trip, one
# implicit transaction. Events and steps are numbered by us (`_sequences`), so
# no statement looks for the run's last number. A few rows go in as separate
# parameters (cheapest to send); more as arrays.
FEW_ROWS = 8
_MANY_EVENTS = (
    "INSERT INTO agno_dsl_events (run_id, seq, event) "
    "SELECT %(run_id)s, %(event_seq)s + item.n, item.event "
    "FROM unnest(%(events)b::text[]) WITH ORDINALITY AS item(event, n)"
)
_MANY_STEPS = (
    "INSERT INTO agno_dsl_steps (run_id, key, seq, output) "
    "SELECT %(run_id)s, item.key, %(step_seq)s + item.n, item.output "
    "FROM unnest(%(keys)b::text[], %(outputs)b::text[]) WITH ORDINALITY AS item(key, output, n)"
)
_STEP_UPSERT = " ON CONFLICT (run_id, key) DO UPDATE SET output = excluded.output"
_RUN = (
    "INSERT INTO agno_dsl_runs (run_id, status, created_at, data) "
    "VALUES (%(run_id)s, %(status)s, %(created_at)s, %(run)s) "
    "ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, data = excluded.data"
)
_SESSION = (
    "INSERT INTO agno_dsl_sessions (session_id, updated_at, data) "
    "VALUES (%(session_id)s, %(now)s, %(session)s) ON CONFLICT (session_id) "
    "DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data"
)


@functools.cache
def _commit_statement(events: int, steps: int, run: bool, session: bool) -> str:
    """The statement for a Commit of this shape (counts above FEW_ROWS mean "many")."""
    parts = []
    if events > FEW_ROWS:
        parts.append(_MANY_EVENTS)
    elif events:
        rows = (f"(%(run_id)s, %(event_seq)s + {n}, %(e{n})s)" for n in range(1, events + 1))
        parts.append("INSERT INTO agno_dsl_events (run_id, seq, event) VALUES " + ", ".join(rows))
    if steps > FEW_ROWS:
        parts.append(_MANY_STEPS + _STEP_UPSERT)
    elif steps:
        rows = (
            f"(%(run_id)s, %(k{n})s, %(step_seq)s + {n}, %(o{n})s)" for n in range(1, steps + 1)
        )
        values = "INSERT INTO agno_dsl_steps (run_id, key, seq, output) VALUES " + ", ".join(rows)
        parts.append(values + _STEP_UPSERT)
    parts += [_RUN] if run else []
    parts += [_SESSION] if session else []
    *first, last = parts
    if not first:
        return last
    return "WITH " + ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(first)) + " " + last


# Connections one event loop opens at most; runs beyond that wait for one.
MAX_CONNECTIONS = 4

_SYNCHRONOUS_COMMIT = ("off", "local", "remote_write", "on", "remote_apply")


def _split_options(url: str) -> tuple[str, str | None, str]:
    """The connection string for libpq, and our own options: schema, synchronous_commit."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", None)
    synchronous_commit = query.pop("synchronous_commit", "off")
    return urlunsplit(parts._replace(query=urlencode(query))), schema, synchronous_commit


class PostgresStorage(postgres_memories.PostgresMemories, Storage):
    def __init__(self, url: str) -> None:
        self.url = url
        self._conninfo, self.schema, self.synchronous_commit = _split_options(url)
        self._idle: list[Any] = []
        self._slots: asyncio.Semaphore | None = None
        # Per run being recorded here: the last event and step numbers it wrote.
        # Valid while its Recorder holds the lease (the run's only writer):
        # forgotten when a lease is taken or released, or a write fails.
        self._sequences: dict[str, list[int]] = {}
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
            import psycopg  # noqa: F401
        except ImportError:
            raise StorageError(
                "PostgreSQL storage needs psycopg: pip install 'agno-dsl[postgres]'"
            ) from None
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)
        # The first connection right away: a down server is a clear error at once.
        try:
            db = await self._connect(create=True)
        except Exception as exc:
            raise self._error(exc) from exc
        self._idle.append(db)

    async def _connect(self, create: bool = False) -> Any:
        import psycopg

        # Transactions are explicit (`_run`), or implicit in one statement or one
        # multi-statement query; nothing is left open between calls.
        db = await psycopg.AsyncConnection.connect(
            self._conninfo, connect_timeout=5, autocommit=True
        )
        try:
            # Durable across a crash of ours (the server has the commit), not
            # across one of the database host in the last moments: the same
            # promise as SQLite's WAL with synchronous=NORMAL, without an
            # fsync per step. `?synchronous_commit=on` in the URL restores it.
            await db.execute(
                "SELECT set_config('synchronous_commit', %s, false)", (self.synchronous_commit,)
            )
            if create and self.schema:
                await db.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            if self.schema:
                await db.execute(f'SET search_path TO "{self.schema}"')
            if create:
                await db.execute(_TABLES + postgres_memories.TABLE)
                await db.execute(
                    "INSERT INTO agno_dsl_meta VALUES ('schema_version', %s) "
                    "ON CONFLICT DO NOTHING",
                    (str(SCHEMA_VERSION),),
                )
        except BaseException:
            await db.close()
            raise
        return db

    async def close_connections(self) -> None:
        idle, self._idle = self._idle, []
        for db in idle:
            await db.close()

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        """A connection of this loop's; psycopg's errors become one-line StorageErrors."""
        assert self._slots is not None, "storage is not open"
        async with self._slots:
            try:
                db = self._idle.pop() if self._idle else await self._connect()
            except Exception as exc:
                raise self._error(exc) from exc
            reusable = False
            try:
                yield db
                reusable = True
            except StorageError:
                reusable = True
                raise
            except Exception as exc:
                reusable = True
                if type(exc).__module__.startswith("psycopg"):
                    raise self._error(exc) from exc
                raise
            finally:
                # Not after a cancellation: a query may still be under way on it.
                if reusable and not (db.broken or db.closed):
                    self._idle.append(db)
                else:
                    await db.close()

    async def _run(self, work: Any) -> Any:
        """`work(db)` in one transaction."""
        async with self._connection() as db, db.transaction():
            return await work(db)

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

    async def commit(self, commit: Commit) -> None:
        from psycopg.types.numeric import Int8

        run_id, events, steps, run, session = (
            commit.run_id,
            commit.events,
            commit.steps,
            commit.run,
            commit.session,
        )
        if not (events or steps or run or session):
            return
        params: dict[str, Any] = {"run_id": run_id}
        if len(events) > FEW_ROWS:
            params["events"] = events
        else:
            params.update((f"e{n}", event) for n, event in enumerate(events, 1))
        if len(steps) > FEW_ROWS:
            params["keys"] = [key for key, _ in steps]
            params["outputs"] = [output for _, output in steps]
        else:
            for n, (key, output) in enumerate(steps, 1):
                params[f"k{n}"], params[f"o{n}"] = key, output
        if run is not None:
            params.update(status=run.status, created_at=run.created_at, run=run.data)
        if session is not None:
            params.update(session_id=session[0], now=time.time(), session=session[1])
        statement = _commit_statement(
            min(len(events), FEW_ROWS + 1),
            min(len(steps), FEW_ROWS + 1),
            run is not None,
            session is not None,
        )
        async with self._connection() as db:
            try:
                sequences = self._sequences.get(run_id)
                if sequences is None and (events or steps):
                    sequences = await self._last_sequences(db, run_id)
                if sequences is not None:
                    params["event_seq"], params["step_seq"] = map(Int8, sequences)
                await db.execute(statement, params, prepare=True)
            except BaseException:
                self._sequences.pop(run_id, None)
                raise
        if sequences is not None:
            sequences[0] += len(events)
            sequences[1] += len(steps)

    async def _last_sequences(self, db: Any, run_id: str) -> list[int]:
        cursor = await db.execute(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM agno_dsl_events WHERE run_id = %(run)s), "
            "(SELECT COALESCE(MAX(seq), 0) FROM agno_dsl_steps WHERE run_id = %(run)s)",
            {"run": run_id},
        )
        row = await cursor.fetchone()
        sequences = self._sequences[run_id] = [int(row[0]), int(row[1])]
        return sequences

    async def save_steps(
        self, run_id: str, steps: list[tuple[str, dict[str, Any]]], events: list[dict[str, Any]]
    ) -> None:
        # Not through `commit`: callers other than a run's Recorder may write one
        # run concurrently, so these take the run's lock first.
        self._sequences.pop(run_id, None)
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
        self._sequences.pop(run_id, None)
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
        self._sequences.pop(run_id, None)  # someone else may have written since
        now = time.time()
        async with self._connection() as db:
            # The usual case in one round trip: free, expired or ours. (The lease is
            # renewed while the run commits, so the run's last numbers are not read
            # here: its next commit reads them, after the ones before it landed.)
            cursor = await db.execute(
                "UPDATE agno_dsl_runs SET lease_owner = %(owner)s, lease_until = %(until)s "
                "WHERE run_id = %(run)s AND (lease_owner IS NULL OR lease_owner = %(owner)s "
                "OR lease_until IS NULL OR lease_until <= %(now)s) RETURNING run_id",
                {"owner": owner, "until": now + ttl, "run": run_id, "now": now},
                prepare=True,
            )
            taken = await cursor.fetchone() is not None
        if taken:
            return None

        # Held by someone else (alive?), or no such run.
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

    async def lease_holder(self, run_id: str) -> str | None:
        async def work(db: Any) -> Any:
            cursor = await db.execute(
                "SELECT lease_owner, lease_until FROM agno_dsl_runs WHERE run_id = %s", (run_id,)
            )
            return await cursor.fetchone()

        return live_holder(await self._run(work))

    async def release_lease(self, run_id: str, owner: str) -> None:
        self._sequences.pop(run_id, None)
        async with self._connection() as db:
            await db.execute(
                "UPDATE agno_dsl_runs SET lease_owner = NULL, lease_until = NULL "
                "WHERE run_id = %s AND lease_owner = %s",
                (run_id, owner),
                prepare=True,
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
                for table in ("meta", "runs", "steps", "events", "spans", "sessions", "memories"):
                    await db.execute(f"DROP TABLE IF EXISTS agno_dsl_{table}")

        await self._run(work)
        forget(self)


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
