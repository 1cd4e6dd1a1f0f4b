"""The live terminal view of a run: one line per step with status, duration and tokens."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .schemas.events import Event

_BLOCK_STARTS = {
    "ParallelExecutionStarted": "parallel",
    "ConditionExecutionStarted": "condition",
    "LoopExecutionStarted": "loop",
    "RouterExecutionStarted": "router",
    "ForeachExecutionStarted": "foreach",
    "StepsExecutionStarted": "steps",
}
_BLOCK_ENDS = {name.replace("Started", "Completed") for name in _BLOCK_STARTS}


@dataclass
class _Row:
    """One step's line in the live progress table."""

    name: str
    kind: str
    status: str = "running"
    started: float = 0.0
    duration: float | None = None
    tokens: int | None = None
    detail: str = ""


class LiveView:
    """A rich Live display fed by events."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.live import Live

        self.console = Console(stderr=True)
        self.rows: dict[str, _Row] = {}
        self.streaming = ""  # the answer being streamed right now, as tokens arrive
        self.live = Live(
            self._render(), console=self.console, refresh_per_second=12, transient=False
        )

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.live.update(self._render())
        self.live.__exit__(*exc)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Stop redrawing while the user types at a prompt, then carry on below it."""
        self.live.stop()
        try:
            yield
        finally:
            self.live.start()

    def __call__(self, event: Event) -> None:
        name = event.step_name
        kind = event.event
        extra = event.model_extra or {}
        if kind == "RunStarted":
            self.streaming = ""
        elif kind == "RunContent" and extra.get("delta"):
            self.streaming += str(extra.get("content", ""))
            self.live.update(self._render())
            return
        if kind.startswith("Workflow") and kind != "WorkflowStarted" and not name:
            # agno reports no end for a step skipped after an error: close what is open.
            for open_row in self.rows.values():
                if open_row.status == "running":
                    open_row.status = "ended"
                    open_row.duration = time.perf_counter() - open_row.started
            self.live.update(self._render())
            return
        if name is None:
            return
        if kind == "StepStarted" or kind in _BLOCK_STARTS:
            self.rows[name] = _Row(
                name, extra.get("step_type") or _BLOCK_STARTS[kind], started=time.perf_counter()
            )
        row = self.rows.get(name)
        if row is None:
            return
        # A top-level step that stops the run reports StepOutput and no StepCompleted (agno).
        if kind in ("StepCompleted", "StepOutput") or kind in _BLOCK_ENDS:
            row.status = "done"
            row.duration = time.perf_counter() - row.started
            metrics = extra.get("metrics") or {}
            row.tokens = metrics.get("total_tokens") or None
        elif kind == "StepError":
            row.status = "failed"
            row.duration = time.perf_counter() - row.started
            row.detail = str(extra.get("error", ""))[:80]
        elif kind == "LoopIterationStarted":
            row.detail = f"iteration {extra.get('iteration')}/{extra.get('max_iterations')}"
        self.live.update(self._render())

    def _render(self) -> Any:
        from rich.spinner import Spinner
        from rich.table import Table

        table = Table.grid(padding=(0, 2))
        for row in self.rows.values():
            if row.status == "running":
                mark: Any = Spinner("dots", style="cyan")
            else:
                mark = {"done": "[green]✓[/]", "ended": "[yellow]–[/]"}.get(row.status, "[red]✗[/]")
            duration = f"{row.duration:.2f}s" if row.duration is not None else ""
            tokens = f"{row.tokens} tok" if row.tokens else ""
            table.add_row(mark, row.name, f"[dim]{row.kind}[/]", duration, tokens, row.detail)
        if self.streaming:
            from rich.text import Text

            tail = self.streaming.replace("\n", " ")[-110:]
            table.add_row("", Text(tail, style="italic"), "", "", "", "")
        return table
