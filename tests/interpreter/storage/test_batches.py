"""Batch and row records on every backend (real PostgreSQL and Redis)."""

from __future__ import annotations

import asyncio

from agno_dsl.interpreter.storage import open_storage
from agno_dsl.interpreter.storage.batch_tables import batch_store
from agno_dsl.interpreter.storage.batches import BatchRecord, BatchRow, row_run_id


def record(batch_id: str, created_at: float) -> BatchRecord:
    return BatchRecord(
        batch_id=batch_id,
        spec_path="/tmp/spec.yaml",
        spec_hash="abc",
        kind="workflow",
        target="pipeline",
        inputs="/tmp/data.jsonl",
        status="running",
        created_at=created_at,
        updated_at=created_at,
        options={"concurrency": 4, "message_field": None},
        total=3,
    )


def test_batches_and_rows_round_trip(storage_url: str) -> None:
    async def go() -> None:
        storage = await open_storage(storage_url)
        try:
            store = await batch_store(storage)
            await store.save_batch(record("b1", 1.0))
            await store.save_batch(record("b2", 2.0))
            done = record("b1", 1.0)
            done.status = "completed"
            await store.save_batch(done)
            assert await store.get_batch("b1") == done
            assert await store.get_batch("nope") is None
            assert [b.batch_id for b in await store.list_batches()] == ["b2", "b1"]
            assert await store.load_rows("b1") == []
            rows = [
                BatchRow(2, "r2", "failed", None, "boom", 0, 0.5),
                BatchRow(0, "r0", "completed", {"label": "é"}, None, 7, 0.25),
            ]
            await store.save_rows("b1", rows)
            await store.save_rows("b1", [BatchRow(2, "r2", "completed", "ok", None, 1, 0.1)])
            await store.save_rows("b1", [])
            loaded = await store.load_rows("b1")
            assert [r.index for r in loaded] == [0, 2]
            assert loaded[0] == rows[1]
            assert loaded[1].status == "completed"  # saved again: replaced, not added
            assert await store.load_rows("b2") == []
            # a second store on the same storage sees the same records
            again = await batch_store(storage)
            assert (await again.get_batch("b2")) == record("b2", 2.0)
            await store.drop_batches()
            assert await (await batch_store(storage)).get_batch("b1") is None
        finally:
            await storage.close()

    asyncio.run(go())


def test_row_run_ids_are_stable_and_distinct() -> None:
    assert row_run_id("b", 1) == row_run_id("b", 1)
    assert len({row_run_id("b", i) for i in range(1000)} | {row_run_id("c", 1)}) == 1001
