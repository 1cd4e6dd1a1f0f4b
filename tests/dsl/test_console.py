"""dsl/console.py: the live view shows one line per step with status and tokens."""

from __future__ import annotations

import io

from agno_dsl.console import LiveView
from agno_dsl.schemas.events import Event
from rich.console import Console


def event(name: str, step: str, **extra) -> Event:
    return Event(event=name, created_at=0.0, run_id="r", step_name=step, **extra)


def test_rows_follow_events() -> None:
    view = LiveView()
    view.console = Console(file=io.StringIO(), width=100, force_terminal=False)
    view(event("StepStarted", "research", step_type="agent"))
    view(event("StepCompleted", "research", metrics={"total_tokens": 42}))
    view(event("LoopExecutionStarted", "polish"))
    view(event("LoopIterationStarted", "polish", iteration=2, max_iterations=3))
    view(event("StepStarted", "bad", step_type="function"))
    view(event("StepError", "bad", error="ValueError: boom"))
    view.console.print(view._render())
    text = view.console.file.getvalue()  # type: ignore[attr-defined]
    lines = text.splitlines()
    assert "✓" in lines[0] and "research" in lines[0] and "42 tok" in lines[0]
    assert "polish" in lines[1] and "iteration 2/3" in lines[1]
    assert "✗" in lines[2] and "ValueError: boom" in lines[2]


def test_streamed_tokens_show_as_they_arrive() -> None:
    view = LiveView()
    view.console = Console(file=io.StringIO(), width=100, force_terminal=False)
    view(Event(event="RunStarted", created_at=0.0, run_id="r", agent_name="a"))
    for token in ("Bon", "jour", " à tous"):
        view(
            Event(
                event="RunContent",
                created_at=0.0,
                run_id="r",
                agent_name="a",
                content=token,
                delta=True,
            )
        )
    view.console.print(view._render())
    assert "Bonjour à tous" in view.console.file.getvalue()  # type: ignore[attr-defined]


def test_steps_agno_reports_no_completion_for_still_end() -> None:
    view = LiveView()
    view.console = Console(file=io.StringIO(), width=100, force_terminal=False)
    view(event("StepStarted", "gate", step_type="function"))
    view(event("StepOutput", "gate"))  # a step that stops the run early: no StepCompleted
    view(event("StepsExecutionStarted", "pipeline"))
    view(event("StepStarted", "broken", step_type="function"))  # skipped after an error
    view(Event(event="WorkflowCompleted", created_at=0.0, run_id="r"))
    view.console.print(view._render())
    lines = view.console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert "✓" in lines[0] and "gate" in lines[0]
    assert "steps" in lines[1] and "–" in lines[1]
    assert "–" in lines[2] and "broken" in lines[2]
