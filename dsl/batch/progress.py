"""Counting a batch as it runs: the live bar on a terminal and the summary at the end."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..interpreter.storage.batches import BatchRow


@dataclass
class Tally:
    """What the batch has done so far (rows finished earlier included)."""

    total: int | None
    completed: int = 0
    failed: int = 0
    skipped: int = 0
    paused: int = 0
    running: int = 0
    tokens: int = 0
    earlier: int = 0  # rows finished before this process started (a resume)
    started: float = field(default_factory=time.perf_counter)

    def count(self, row: BatchRow, earlier: bool = False) -> None:
        if row.status == "completed":
            self.completed += 1
        elif row.status == "skipped":
            self.skipped += 1
        elif row.status == "paused":
            self.paused += 1
        else:
            self.failed += 1
        self.tokens += row.tokens
        if earlier:
            self.earlier += 1

    @property
    def done(self) -> int:
        return self.completed + self.failed + self.skipped + self.paused

    def rate(self) -> float:
        """Rows per second finished by this process."""
        elapsed = time.perf_counter() - self.started
        return (self.done - self.earlier) / elapsed if elapsed > 0 else 0.0

    def summary(self, batch_id: str, status: str, out: str | None) -> str:
        elapsed = time.perf_counter() - self.started
        parts = [f"{self.completed} completed", f"{self.failed} failed"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.paused:
            parts.append(f"{self.paused} paused")
        if self.earlier:
            parts.append(f"{self.earlier} done before")
        where = f"; results in {out}" if out else ""
        return (
            f"batch {batch_id} {status}: {self.done} rows ({', '.join(parts)}) in "
            f"{elapsed:.1f}s, {self.rate():.0f} rows/s, {self.tokens} tokens{where}"
        )


class ProgressBar:
    """A rich progress bar on stderr: done/failed/running, rows/s, ETA, tokens."""

    def __init__(self, tally: Tally, batch_id: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.tally = tally
        self.progress = Progress(
            TextColumn("[bold]batch[/] {task.fields[batch]}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TextColumn(
                "[green]{task.fields[ok]} done[/] [red]{task.fields[failed]} failed[/] "
                "{task.fields[running]} running · {task.fields[rate]} rows/s"
            ),
            TimeRemainingColumn(),
            TextColumn("{task.fields[tokens]} tokens"),
            console=Console(stderr=True),
            refresh_per_second=8,
        )
        self.task = self.progress.add_task(
            "batch", total=tally.total, completed=tally.done, batch=batch_id[:8], **self._fields()
        )

    def _fields(self) -> dict[str, Any]:
        tally = self.tally
        return {
            "ok": tally.completed,
            "failed": tally.failed + tally.skipped,
            "running": tally.running,
            "rate": f"{tally.rate():.0f}",
            "tokens": tally.tokens,
        }

    def update(self) -> None:
        self.progress.update(self.task, completed=self.tally.done, **self._fields())

    def __enter__(self) -> ProgressBar:
        self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.update()
        self.progress.stop()
