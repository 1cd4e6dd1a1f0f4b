"""The batch driver: rows in, runs out, results in input order, nothing finished lost.

Finished rows are kept in storage as row records, written in small groups
(every `FLUSH_SECONDS`): a row whose record was not written yet when the
process died is still safe, because its run's record says it finished, and
the row's run id is fixed (`row_run_id`), so a resume finds it. A resume
skips rows with a record, takes finished runs from their records, continues
interrupted runs, and starts the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..interpreter.storage.batches import BatchRecord, BatchRow, BatchStore
from .inputs import BadRow, InputMapper, Row, read_rows
from .progress import Tally
from .results import OrderedResults

FLUSH_SECONDS = 0.2

RunRow = Callable[[int, Any, bool], Awaitable[BatchRow]]


class BatchAborted(Exception):
    """The batch stopped early on purpose (a bad row with stop, too many failures)."""


@dataclass
class BatchSettings:
    """How the rows of a batch are run; stored with the batch so a resume runs alike."""

    concurrency: int = 16
    message_field: str | None = None
    on_bad_row: str = "skip"  # skip | stop
    max_failures: int | None = None
    out: str | None = None
    models: dict[str, str] | None = None
    rate: dict[str, int] | None = None  # model → most requests at once ("*": every model)

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BatchSettings:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


class Driver:
    def __init__(
        self,
        store: BatchStore,
        record: BatchRecord,
        settings: BatchSettings,
        mapper: InputMapper,
        run_row: RunRow,
        tally: Tally,
        resuming: bool,
        on_tick: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.record = record
        self.settings = settings
        self.mapper = mapper
        self.run_row = run_row
        self.tally = tally
        self.resuming = resuming
        self.on_tick = on_tick
        self.stop_reason: str | None = None
        self._unsaved: list[BatchRow] = []
        self._results: OrderedResults | None = None

    async def run(self) -> str:
        """Run every unfinished row; the batch's final status (completed or aborted)."""
        earlier = await self.store.load_rows(self.record.batch_id) if self.resuming else []
        # A skipped (bad) row is read again: the file may have been fixed since.
        earlier = [row for row in earlier if row.status != "skipped"]
        finished = {row.index for row in earlier}
        self._results = OrderedResults(self.settings.out)
        try:
            for row in earlier:
                self._results.add(row)
                self.tally.count(row, earlier=True)
            await self._run_rows(finished)
        finally:
            self._results.close()
        if self.stop_reason is not None:
            raise BatchAborted(self.stop_reason)
        return "completed"

    async def _run_rows(self, finished: set[int]) -> None:
        limit = asyncio.Semaphore(self.settings.concurrency)
        running: set[asyncio.Task[None]] = set()
        flusher = asyncio.create_task(self._flush_every(FLUSH_SECONDS))
        try:
            for item in read_rows(Path(self.record.inputs)):
                if self.stop_reason is not None:
                    break
                if item.index in finished:
                    continue
                value = self.mapper(item) if isinstance(item, Row) else item
                if isinstance(value, BadRow):
                    if self.settings.on_bad_row == "stop":
                        self.stop_reason = value.message()
                        break
                    self._finish(BatchRow(value.index, None, "skipped", error=value.message()))
                    continue
                await limit.acquire()
                if self.stop_reason is not None:
                    limit.release()
                    break
                task = asyncio.create_task(self._run_one(item.index, value, limit))
                running.add(task)
                task.add_done_callback(running.discard)
            if running:
                await asyncio.gather(*running)
        finally:
            # On Ctrl-C or a storage failure: stop the rows still running (their runs
            # record themselves as cancelled, to be resumed), then save what finished.
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
            await asyncio.shield(self.flush())

    async def _run_one(self, index: int, value: Any, limit: asyncio.Semaphore) -> None:
        self.tally.running += 1
        try:
            row = await self.run_row(index, value, self.resuming)
        finally:
            self.tally.running -= 1
            limit.release()
        self._finish(row)
        most = self.settings.max_failures
        if most is not None and self.tally.failed >= most and self.stop_reason is None:
            self.stop_reason = f"{self.tally.failed} rows failed (--max-failures {most})"

    def _finish(self, row: BatchRow) -> None:
        assert self._results is not None
        self._results.add(row)
        self.tally.count(row)
        self._unsaved.append(row)

    async def flush(self) -> None:
        rows, self._unsaved = self._unsaved, []
        if rows:
            await self.store.save_rows(self.record.batch_id, rows)

    async def _flush_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            await self.flush()
            if self.on_tick is not None:
                self.on_tick()


async def save_status(store: BatchStore, record: BatchRecord, status: str) -> None:
    record.status = status
    record.updated_at = time.time()
    await store.save_batch(record)
