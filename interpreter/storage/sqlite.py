"""SQLite storage (the default): one file, WAL mode, one worker thread.

sqlite3 is synchronous; every call runs on a single dedicated thread so the
event loop never blocks and the connection is never shared across threads.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .base import SCHEMA_VERSION, RunRecord, Storage, StorageError, owner_is_dead

_TABLES = """
CREATE TABLE IF NOT EXISTS agno_dsl_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agno_dsl_runs (
    run_id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at REAL NOT NULL,
    data TEXT NOT NULL, lease_owner TEXT, lease_until REAL);
CREATE INDEX IF NOT EXISTS agno_dsl_runs_created ON agno_dsl_runs (created_at);
CREATE TABLE IF NOT EXISTS agno_dsl_steps (
    run_id TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, output TEXT NOT NULL,
    PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS agno_dsl_events (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS agno_dsl_spans (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, span TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS agno_dsl_sessions (
    session_id TEXT PRIMARY KEY, updated_at REAL NOT NULL, data TEXT NOT NULL);
"""


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


class SqliteStorage(Storage):
    def __init__(self, url: str) -> None:
        self.url = url
        path = url.removeprefix("sqlite://")
        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy spells them
        self.path = Path(path[1:] if path.startswith("/") else path)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agno-dsl-sqlite")
        self._db: sqlite3.Connection | None = None

    async def _call(self, function: Any, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._thread, function, *args)
        except sqlite3.Error as exc:
            raise StorageError(f"storage {self.display_url}: {exc}") from exc

    async def open(self) -> None:
        await self._call(self._open)

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise sqlite3.OperationalError(f"cannot create {self.path.parent}: {exc}") from exc
        # Used by one worker thread at a time only; closed from the main thread at exit.
        db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_TABLES)
        db.execute(
            "INSERT OR IGNORE INTO agno_dsl_meta VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )
        self._db = db

    async def close(self) -> None:
        if _SHARED.get(self.url) is self:
            return  # shared: closed at exit
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

    async def save_run(self, record: RunRecord) -> None:
        await self._call(self._save_run, record)

    def _save_run(self, record: RunRecord) -> None:
        self.db.execute(
            "INSERT INTO agno_dsl_runs (run_id, status, created_at, data) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, data = excluded.data",
            (
                record.run_id,
                record.status,
                record.created_at,
                json.dumps(record.to_json(), default=str),
            ),
        )

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

    async def save_steps(
        self, run_id: str, steps: list[tuple[str, dict[str, Any]]], events: list[dict[str, Any]]
    ) -> None:
        await self._call(self._save_steps, run_id, steps, events)

    def _save_steps(
        self, run_id: str, steps: list[tuple[str, dict[str, Any]]], events: list[dict[str, Any]]
    ) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            self._append(run_id, events)
            for key, output in steps:
                db.execute(
                    "INSERT INTO agno_dsl_steps (run_id, key, seq, output) VALUES (?, ?, "
                    "(SELECT COALESCE(MAX(seq), 0) + 1 FROM agno_dsl_steps WHERE run_id = ?), ?) "
                    "ON CONFLICT (run_id, key) DO UPDATE SET output = excluded.output",
                    (run_id, key, run_id, json.dumps(output, default=str)),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

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

    async def append_events(self, run_id: str, events: list[dict[str, Any]]) -> None:
        await self._append_committed(run_id, events, "agno_dsl_events")

    async def load_events(self, run_id: str) -> list[dict[str, Any]]:
        return await self._call(self._load, run_id, "agno_dsl_events", "event")  # type: ignore[no-any-return]

    # --- spans -----------------------------------------------------------------------

    async def save_spans(self, run_id: str, spans: list[dict[str, Any]]) -> None:
        await self._append_committed(run_id, spans, "agno_dsl_spans")

    async def load_spans(self, run_id: str) -> list[dict[str, Any]]:
        return await self._call(self._load, run_id, "agno_dsl_spans", "span")  # type: ignore[no-any-return]

    # --- leases ----------------------------------------------------------------------

    async def acquire_lease(self, run_id: str, owner: str, ttl: float) -> str | None:
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

        return await self._call(acquire)  # type: ignore[no-any-return]

    async def release_lease(self, run_id: str, owner: str) -> None:
        await self._call(
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
        await self._call(
            lambda: self.db.execute(
                "INSERT OR REPLACE INTO agno_dsl_sessions VALUES (?, ?, ?)",
                (session_id, time.time(), json.dumps(data, default=str)),
            )
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
            for table in ("meta", "runs", "steps", "events", "spans", "sessions"):
                self.db.execute(f"DROP TABLE IF EXISTS agno_dsl_{table}")

        await self._call(drop)
