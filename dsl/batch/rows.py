"""Running one row: a recorded run (new, resumed, or already finished) → a BatchRow.

The same code runs rows in the driver's process (local executor) and inside
Ray actors: each holds its own open storage and loaded spec.
"""

from __future__ import annotations

import time
from typing import Any

from ..interpreter.storage import RunRecord, Storage
from ..interpreter.storage.batches import BatchRow, row_run_id
from ..loader import Document
from ..schemas.outputs import RunOutput, TeamRunOutput, WorkflowRunOutput

# A row's run in these states is over: its result is taken from the run record.
_OVER = ("completed", "failed", "paused")


def tokens_of(metrics: dict[str, Any]) -> int:
    """Total tokens of a run's metrics: an agent's or team's own, or a workflow's
    summed over its agent and team steps (agno's WorkflowMetrics has no total)."""
    if "steps" in metrics:
        return sum(tokens_of(step.get("metrics") or {}) for step in metrics["steps"].values())
    return int(metrics.get("total_tokens") or 0)


def row_from_output(
    index: int, output: WorkflowRunOutput | RunOutput | TeamRunOutput, duration: float
) -> BatchRow:
    return BatchRow(
        index=index,
        run_id=output.run_id,
        status=output.status if output.status in _OVER else "failed",
        output=output.content,
        error=output.error or (None if output.status in _OVER else f"run {output.status}"),
        tokens=tokens_of(output.metrics.model_dump()),
        duration=round(duration, 6),
    )


def row_from_record(index: int, record: RunRecord) -> BatchRow:
    """A run that finished before the process running it died, its row unsaved."""
    output = record.output or {}
    return BatchRow(
        index=index,
        run_id=record.run_id,
        status=record.status,
        output=output.get("content"),
        error=record.error,
        tokens=tokens_of(output.get("metrics") or {}),
        duration=round(max(record.updated_at - record.created_at, 0.0), 6),
    )


class RowRunner:
    """Runs rows of one batch on an open storage; the run id of row i is fixed."""

    def __init__(
        self,
        document: Document,
        kind: str,
        target: str,
        batch_id: str,
        storage: Storage,
        models: dict[str, str] | None = None,
    ) -> None:
        self.document = document
        self.kind = kind
        self.target = target
        self.batch_id = batch_id
        self.storage = storage
        self.models = models or {}

    async def run(self, index: int, value: Any, resuming: bool) -> BatchRow:
        """Run row `index`; when resuming, an existing run is continued or reused."""
        from ..runs import resume_recorded, run_recorded

        run_id = row_run_id(self.batch_id, index)
        started = time.perf_counter()
        record = await self.storage.get_run(run_id) if resuming else None
        if record is not None and record.status in _OVER:
            return row_from_record(index, record)
        try:
            if record is not None:
                output = await resume_recorded(
                    run_id,
                    url=self.storage.url,
                    listeners=[],
                    ask=None,
                    force=True,  # the batch checked the spec when it was resumed
                    opened=self.storage,
                    document=self.document,
                )
            else:
                output = await run_recorded(
                    self.document,
                    self.kind,
                    self.target,
                    value,
                    url=self.storage.url,
                    run_id=run_id,
                    session_id=None,
                    max_concurrency=None,
                    models=self.models,
                    listeners=[],
                    ask=None,
                    opened=self.storage,
                )
        except Exception as exc:
            from ..interpreter.storage import StorageError

            if isinstance(exc, StorageError):
                raise  # the batch cannot record anything: stop it
            error = f"{type(exc).__name__}: {exc}"
            return BatchRow(index, run_id, "failed", None, error, 0, time.perf_counter() - started)
        return row_from_output(index, output, time.perf_counter() - started)
