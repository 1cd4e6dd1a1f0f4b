"""The steps of a recorded run, rebuilt from its events for `agno-dsl runs show`."""

from __future__ import annotations

from typing import Any


def step_rows(events: list[dict[str, Any]], unfinished: str = "running") -> list[list[str]]:
    """[step, kind, status, duration, tokens, error] per step, in the order they started.

    A step that started and never finished gets `unfinished` as its status:
    `running` while the run runs, `interrupted` when its process died.
    """
    started: dict[str, float] = {}
    rows: dict[str, list[str]] = {}
    for event in events:
        name = event.get("step_name")
        if not name:
            continue
        kind = event["event"]
        if kind == "StepStarted" or kind.endswith("ExecutionStarted"):
            started[name] = event["created_at"]
            step_type = event.get("step_type") or kind.removesuffix("ExecutionStarted").lower()
            rows[name] = [name, step_type, unfinished, "", "", ""]
        # A top-level step that stops the run reports StepOutput and no StepCompleted (agno).
        elif name in rows and (
            kind in ("StepCompleted", "StepOutput") or kind.endswith("ExecutionCompleted")
        ):
            tokens = (event.get("metrics") or {}).get("total_tokens")
            rows[name][2:] = [
                "skipped" if event.get("skipped") else "completed",
                f"{event['created_at'] - started[name]:.3f}s",
                str(tokens or ""),
                "",
            ]
        elif name in rows and kind == "StepError":
            rows[name][2:] = [
                "failed",
                f"{event['created_at'] - started[name]:.3f}s",
                "",
                str(event.get("error", ""))[:70],
            ]
        elif name in rows and kind == "StepPaused":
            rows[name][2] = "paused"
        elif kind == "StepPaused":
            rows[name] = [name, "", "paused", "", "", ""]
    return list(rows.values())
