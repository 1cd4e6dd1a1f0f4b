"""SQLite storage (the default): one file, WAL mode, one connection per file.

A run's writes (`commit`, leases) are a few small rows: they run on the
event loop's own thread (~15 µs, no fsync: see docs/decisions.md), unless the
database is busy or the connection in use, when they wait on the worker
thread instead. Reads and maintenance (checkpoints) always run on the worker
thread, so the event loop never waits for the disk. A lock keeps the
connection to one thread at a time.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import sqlite_memories
from .base import (
    SCHEMA_VERSION,
    Commit,
    RunRecord,
    Storage,
    StorageError,
    encode,
    live_holder,
    owner_is_dead,
)

# Steps and events are stored in their primary key's order (WITHOUT ROWID): a
# commit then touches one page of each instead of a table page and an index
# page. Databases made before keep their tables; both read and write alike.
_TABLES = """
CREATE TABLE IF NOT EXISTS agno_dsl_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agno_dsl_runs (
    run_id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at REAL NOT NULL,
    data TEXT NOT NULL, lease_owner TEXT, lease_until REAL);
CREATE INDEX IF NOT EXISTS agno_dsl_runs_created ON agno_dsl_runs (created_at);
CREATE TABLE IF NOT EXISTS agno_dsl_steps (
    run_id TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, output TEXT NOT NULL,
    PRIMARY KEY (run_id, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agno_dsl_events (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (run_id, seq))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agno_dsl_spans (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, span TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS agno_dsl_sessions (
    session_id TEXT PRIMARY KEY, updated_at REAL NOT NULL, data TEXT NOT NULL);
"""


# How long a writer waits for another process's write lock (worker thread only).
BUSY_TIMEOUT_MS = 5000
# Commits between two checkpoints of the WAL into the database (on the worker
# thread; SQLite's own automatic checkpoint would fsync on the event loop).
CHECKPOINT_EVERY = 250

_SHARED: dict[str, SqliteStorage] = {}


async def shared_sqlite(url: str) -> SqliteStorage:
    """One open connection per database file for the whole process.

    Closing a WAL database checkpoints it (~5 ms here), so runs reuse the
    connection and it is closed once, at exit. Its single worker thread is the
    only thread that ever touches it, whichever event loop calls.
    """
    storage = _SHARED.get(url)
    if storage is None or storage._db is None:
        storage = SqliteStorage(url)
        await storage.open()
        _SHARED[url] = storage
    return storage


@atexit.register
def _close_shared() -> None:
    for storage in _SHARED.values():
        storage.close_now()
    _SHARED.clear()


def sqlite_path(url: str) -> Path:
    """sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy spells them."""
    path = url.removeprefix("sqlite://")
    return Path(path[1:] if path.startswith("/") else path)


class SqliteStorage(sqlite_memories.SqliteMemories, Storage):
    def __init__(self, url: str) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agno-dsl-sqlite")
        self._db: sqlite3.Connection | None = None
        # Held by whichever thread uses the connection: an event loop's or the worker.
        self._lock = threading.Lock()
        self._commits = 0
        # Per run being recorded here: the last event and step numbers it wrote.
        # Valid while its Recorder holds the lease (the run's only writer):
        # forgotten when a lease is taken or released, or a write fails.
        self._sequences: dict[str, list[int]] = {}

    async def _call(self, function: Any, *args: Any) -> Any:
        """`function(*args)` on the worker thread, waiting for other writers if need be."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._thread, self._waiting, function, *args)
        except sqlite3.Error as exc:
            raise StorageError(f"storage {self.display_url}: {exc}") from exc

    def _waiting(self, function: Any, *args: Any) -> Any:
        with self._lock:
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            try:
                return function(*args)
            finally:
                self.db.execute("PRAGMA busy_timeout = 0")

    async def _write(self, function: Any, *args: Any) -> Any:
        """`function(*args)` right here when that needs no waiting; else on the worker."""
        result: list[Any] = []
        if self._now(lambda: result.append(function(*args))):
            return result[0]
        return await self._call(function, *args)

    def _now(self, function: Any, *args: Any) -> bool:
        """Run `function(*args)` on this thread if the connection is free and the
        database not locked by another process (then it never waits); False if not."""
        if self._db is None or not self._lock.acquire(blocking=False):
            return False
        try:
            function(*args)
            return True
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                return False
            raise StorageError(f"storage {self.display_url}: {exc}") from exc
        except sqlite3.Error as exc:
            raise StorageError(f"storage {self.display_url}: {exc}") from exc
        finally:
            self._lock.release()

    async def open(self) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._open)
        except sqlite3.Error as exc:
            raise StorageError(f"storage {self.display_url}: {exc}") from exc

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise sqlite3.OperationalError(f"cannot create {self.path.parent}: {exc}") from exc
        # Used by one worker thread at a time only; closed from the main thread at exit.
        db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        # A commit is in the WAL file (the OS page cache) before COMMIT returns:
        # it survives our process dying, not the machine losing power before
        # the next checkpoint (docs/decisions.md). No fsync per step.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA wal_autocheckpoint = 0")  # checkpoints run on the worker
        db.executescript(_TABLES)
        db.executescript(sqlite_memories.TABLE)
        db.execute(
            "INSERT OR IGNORE INTO agno_dsl_meta VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )
        db.execute("PRAGMA busy_timeout = 0")  # the event loop's writes never wait
        self._db = db

    async def close(self) -> None:
        if _SHARED.get(self.url) is self:
            return  # shared: closed at exit
        self.close_now()

    async def close_connections(self) -> None:
        self.close_now()

    def close_now(self) -> None:
        # Called when no step can be using the connection any more (a run's end, or
        # process exit, after Python has already stopped the worker thread).
        self._thread.shutdown(wait=True)
        if self._db is not None:
            db, self._db = self._db, None
            db.close()

    @property
    def db(self) -> sqlite3.Connection:
        assert self._db is not None, "storage is not open"
        return self._db

    # --- runs ------------------------------------------------------------------------

    async def get_run(self, run_id: str) -> RunRecord | None:
        row = await self._call(
            lambda: self.db.execute(
                "SELECT data FROM agno_dsl_runs WHERE run_id = ?", (run_id,)
            ).fetchone()
        )
        return RunRecord.from_json(json.loads(row[0])) if row else None

    async def list_runs(self, status: str | None = None, limit: int = 20) -> list[RunRecord]:
        def query() -> list[Any]:
            if status is None:
                return self.db.execute(
                    "SELECT data FROM agno_dsl_runs ORDER BY created_at DESC LIMIT ?", (limit,)
                ).fetchall()
            return self.db.execute(
                "SELECT data FROM agno_dsl_runs WHERE status = ? ORDER BY created_at DESC LIMIT ?",
                (status, limit),
            ).fetchall()

        return [RunRecord.from_json(json.loads(row[0])) for row in await self._call(query)]

    # --- steps and events ------------------------------------------------------------

    commits_now = True

    def commit_now(self, commit: Commit) -> bool:
        done = self._now(self._commit, commit)
        if done:
            self._committed()
        return done

    async def commit(self, commit: Commit) -> None:
        await self._write(self._commit, commit)
        self._committed()

    def _committed(self) -> None:
        self._commits += 1
        if self._commits % CHECKPOINT_EVERY == 0:
            # Not awaited: the WAL is folded into the database in the background.
            asyncio.get_running_loop().run_in_executor(self._thread, self._checkpoint)

    def _commit(self, commit: Commit) -> None:
        db, run_id, events, steps = self.db, commit.run_id, commit.events, commit.steps
        db.execute("BEGIN IMMEDIATE")
        try:
            sequences = self._sequences.get(run_id)
            if sequences is None and (events or steps):
                sequences = self._sequences[run_id] = self._last_sequences(run_id)
            if events:
                first = sequences[0] + 1  # type: ignore[index]
                db.executemany(
                    "INSERT INTO agno_dsl_events VALUES (?, ?, ?)",
                    [(run_id, seq, event) for seq, event in enumerate(events, first)],
                )
            if steps:
                first = sequences[1] + 1  # type: ignore[index]
                db.executemany(
                    "INSERT INTO agno_dsl_steps (run_id, key, seq, output) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (run_id, key) DO UPDATE SET output = excluded.output",
                    [(run_id, key, seq, output) for seq, (key, output) in enumerate(steps, first)],
                )
            if commit.run is not None:
                run = commit.run
                db.execute(
                    "INSERT INTO agno_dsl_runs (run_id, status, created_at, data) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET "
                    "status = excluded.status, data = excluded.data",
                    (run.run_id, run.status, run.created_at, run.data),
                )
            if commit.session is not None:
                self._save_session(*commit.session)
            db.execute("COMMIT")
        except BaseException:
            self._sequences.pop(run_id, None)
            db.execute("ROLLBACK")
            raise
        if sequences is not None:
            sequences[0] += len(events)
            sequences[1] += len(steps)

    def _last_sequences(self, run_id: str) -> list[int]:
        return list(
            self.db.execute(
                "SELECT (SELECT COALESCE(MAX(seq), 0) FROM agno_dsl_events WHERE run_id = ?), "
                "(SELECT COALESCE(MAX(seq), 0) FROM agno_dsl_steps WHERE run_id = ?)",
                (run_id, run_id),
            ).fetchone()
        )

    def _checkpoint(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _append(
        self, run_id: str, events: list[dict[str, Any]], table: str = "agno_dsl_events"
    ) -> None:
        """Append JSON records after the run's last one (events, or spans)."""
        if not events:
            return
        start = self.db.execute(
            f"SELECT COALESCE(MAX(seq), 0) FROM {table} WHERE run_id = ?", (run_id,)
        ).fetchone()[0]
        self.db.executemany(
            f"INSERT INTO {table} VALUES (?, ?, ?)",
            [(run_id, start + i + 1, json.dumps(e, default=str)) for i, e in enumerate(events)],
        )

    def _load(self, run_id: str, table: str, column: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            f"SELECT {column} FROM {table} WHERE run_id = ? ORDER BY seq", (run_id,)
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    async def load_steps(self, run_id: str) -> list[tuple[str, dict[str, Any]]]:
        rows = await self._call(
            lambda: self.db.execute(
                "SELECT key, output FROM agno_dsl_steps WHERE run_id = ? ORDER BY seq", (run_id,)
            ).fetchall()
        )
        return [(key, json.loads(output)) for key, output in rows]

    async def _append_committed(
        self, run_id: str, records: list[dict[str, Any]], table: str
    ) -> None:
        def append() -> None:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self._append(run_id, records, table)
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

        if records:
            await self._call(append)

    async def load_events(self, run_id: str) -> list[dict[str, Any]]:
        return await self._call(self._load, run_id, "agno_dsl_events", "event")  # type: ignore[no-any-return]

    # --- spans -----------------------------------------------------------------------

    async def save_spans(self, run_id: str, spans: list[dict[str, Any]]) -> None:
        await self._append_committed(run_id, spans, "agno_dsl_spans")

    async def load_spans(self, run_id: str) -> list[dict[str, Any]]:
        return await self._call(self._load, run_id, "agno_dsl_spans", "span")  # type: ignore[no-any-return]

    # --- leases ----------------------------------------------------------------------

    async def acquire_lease(self, run_id: str, owner: str, ttl: float) -> str | None:
        self._sequences.pop(run_id, None)  # someone else may have written since

        def acquire() -> str | None:
            db = self.db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT lease_owner, lease_until FROM agno_dsl_runs WHERE run_id = ?", (run_id,)
                ).fetchone()
                now = time.time()
                if (
                    row
                    and row[0]
                    and row[0] != owner
                    and row[1]
                    and row[1] > now
                    and not owner_is_dead(row[0])
                ):
                    db.execute("ROLLBACK")
                    return str(row[0])
                db.execute(
                    "UPDATE agno_dsl_runs SET lease_owner = ?, lease_until = ? WHERE run_id = ?",
                    (owner, now + ttl, run_id),
                )
                db.execute("COMMIT")
                return None
            except BaseException:
                db.execute("ROLLBACK")
                raise

        return await self._write(acquire)  # type: ignore[no-any-return]

    async def lease_holder(self, run_id: str) -> str | None:
        row = await self._call(
            lambda: self.db.execute(
                "SELECT lease_owner, lease_until FROM agno_dsl_runs WHERE run_id = ?", (run_id,)
            ).fetchone()
        )
        return live_holder(row)

    async def release_lease(self, run_id: str, owner: str) -> None:
        self._sequences.pop(run_id, None)
        await self._write(
            lambda: self.db.execute(
                "UPDATE agno_dsl_runs SET lease_owner = NULL, lease_until = NULL "
                "WHERE run_id = ? AND lease_owner = ?",
                (run_id, owner),
            )
        )

    # --- sessions --------------------------------------------------------------------

    async def get_session(self, session_id: str) -> dict[str, Any] | None:
        row = await self._call(
            lambda: self.db.execute(
                "SELECT data FROM agno_dsl_sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
        )
        return json.loads(row[0]) if row else None

    async def save_session(self, session_id: str, data: dict[str, Any]) -> None:
        await self._write(self._save_session, session_id, encode(data))

    def _save_session(self, session_id: str, data: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO agno_dsl_sessions VALUES (?, ?, ?)",
            (session_id, time.time(), data),
        )

    async def list_sessions(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = await self._call(
            lambda: self.db.execute(
                "SELECT data FROM agno_dsl_sessions ORDER BY updated_at DESC LIMIT ?", (limit,)
            ).fetchall()
        )
        return [json.loads(row[0]) for row in rows]

    async def drop_all(self) -> None:
        def drop() -> None:
            for table in ("meta", "runs", "steps", "events", "spans", "sessions", "memories"):
                self.db.execute(f"DROP TABLE IF EXISTS agno_dsl_{table}")

        await self._call(drop)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    """Another connection holds the write lock (SQLITE_BUSY / SQLITE_LOCKED)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(error) or "busy" in str(error)
