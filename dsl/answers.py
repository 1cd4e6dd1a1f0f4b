"""Answers to a run that waits for a human: what the waiting step expects, and
whether an answer fits it, checked before the run is touched.

A confirmation (`confirm:`) is answered only by approve or reject; an input
request (`input_required:`) by values that satisfy its schema (or reject, to
skip the step). Anything else raises AnswerError and leaves the run paused,
so a wrong answer never costs the run.
"""

from __future__ import annotations

from typing import Any

from .errors import UsageError
from .interpreter.durability import Pending
from .interpreter.inputs import input_problem

DECISIONS = ("approve", "reject")


class AnswerError(UsageError):
    """An answer that does not fit the waiting step; the run stays paused."""

    def __init__(self, message: str, pending: Pending) -> None:
        super().__init__(message)
        self.pending = pending


def input_fields(pending: Pending) -> list[str]:
    """The keys an input request asks for, in schema order."""
    return list((pending.schema or {}).get("properties") or {})


def answer_flags(pending: Pending) -> str:
    """The CLI flags that answer this step, e.g. `--approve (or --reject)`."""
    if pending.kind == "confirm":
        return "--approve (or --reject)"
    return " ".join(f"-i {field}=..." for field in input_fields(pending) or ["key"])


def expectation(pending: Pending) -> str:
    """What the step waits for, in words."""
    question = f" ({pending.question})" if pending.question else ""
    if pending.kind == "confirm":
        return f"step '{pending.step_name}' waits for a confirmation{question}: approve or reject"
    fields = ", ".join(input_fields(pending)) or "values"
    return f"step '{pending.step_name}' waits for input ({fields}) or reject"


def describe_answer(decision: Any) -> str:
    if decision in DECISIONS:
        return f"--{decision}"
    if isinstance(decision, dict):
        return "input " + ", ".join(decision) if decision else "empty input"
    return f"the answer {decision!r}"


def check_answer(run_id: str, pending: Pending, decision: Any) -> None:
    """Raise AnswerError unless `decision` answers `pending`."""
    if pending.kind == "confirm":
        if decision not in DECISIONS:
            raise AnswerError(
                f"run {run_id}: {expectation(pending)}, not {describe_answer(decision)}", pending
            )
        return
    if decision == "reject":
        return  # skipping an input step is allowed, as at a confirmation
    if decision == "approve":
        raise AnswerError(f"run {run_id}: {expectation(pending)}, not --approve", pending)
    problem = input_problem(pending.schema, decision)
    if problem is not None:
        raise AnswerError(
            f"run {run_id}: input of step '{pending.step_name}'{problem}",
            pending,
        )
