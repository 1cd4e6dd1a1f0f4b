"""interpreter/storage/sqlite.py: writes on the event loop's thread, unless they would wait."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import agno_dsl
from agno_dsl.interpreter.storage import open_storage

from tests.interpreter.storage.test_commit import CHAIN, WORK


def test_a_run_waits_off_the_loop_while_another_connection_writes(tmp_path: Path) -> None:
    database = tmp_path / "agno.db"
    url = f"sqlite:///{database}"
    (tmp_path / "chain.yaml").write_text(CHAIN)
    (tmp_path / "work.py").write_text(WORK)
    sys.path.insert(0, str(tmp_path))
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def main() -> agno_dsl.WorkflowRunOutput:
        await open_storage(url)  # the tables exist
        # Another writer (a second process, say) holds the write lock for 0.4 s.
        other = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        asyncio.get_running_loop().call_later(0.4, other.execute, "COMMIT")
        ticker = asyncio.create_task(tick())
        try:
            return await agno_dsl.arun(tmp_path / "chain.yaml", "x", storage=url)  # type: ignore[return-value]
        finally:
            ticker.cancel()
            other.close()

    try:
        output = asyncio.run(main())
    finally:
        sys.path.remove(str(tmp_path))
    assert output.status == "completed" and output.content == "ab"
    assert ticks >= 15  # the loop kept turning while the run waited for the lock
    stored = sqlite3.connect(database)
    keys = [key for (key,) in stored.execute("SELECT key FROM agno_dsl_steps ORDER BY seq")]
    assert keys == ["a", "b"]


def test_a_database_made_before_keeps_working(tmp_path: Path) -> None:
    """Tables with row ids (as made before WITHOUT ROWID) are read and written alike."""
    database = tmp_path / "old.db"
    old = sqlite3.connect(database)
    old.executescript(
        """
        CREATE TABLE agno_dsl_steps (
            run_id TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,
            output TEXT NOT NULL, PRIMARY KEY (run_id, key));
        CREATE TABLE agno_dsl_events (
            run_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
            PRIMARY KEY (run_id, seq));
        INSERT INTO agno_dsl_steps VALUES ('r', 'a', 1, '{"content": 1}');
        INSERT INTO agno_dsl_events VALUES ('r', 1, '{"n": 1}');
        """
    )
    old.close()

    async def work() -> None:
        storage = await open_storage(f"sqlite:///{database}")
        await storage.save_steps("r", [("b", {"content": 2})], [{"n": 2}])
        assert await storage.load_steps("r") == [("a", {"content": 1}), ("b", {"content": 2})]
        assert [e["n"] for e in await storage.load_events("r")] == [1, 2]

    asyncio.run(work())
