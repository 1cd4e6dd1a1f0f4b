"""Telemetry is a sink of events: one OpenTelemetry span tree per run, built as events arrive.

The tree: workflow run → step or block (→ loop iteration) → agent or team run
→ model requests and tool calls; a member's run sits under the leader's
delegation tool call. Span names are the ones agno users see through agno's
tracing (OpenInference's agno instrumentation: `brief.arun`, `research.aexecute`,
`writer.arun`, `OpenAIChat.ainvoke`, `add`); attributes are the GenAI
semantic conventions' plus OpenInference's and agno's (docs/decisions.md).

Events carry no parent ids, so parents come from the OpenTelemetry context:
events are emitted synchronously by the task doing the work, so a start event
makes its span current in that task (and in every task it creates later: a
parallel branch, a tool call, a member run), and the matching end event
restores what was current before. Spans a failure or a pause left open are
closed when the run ends, with the status the run's outcome gives them.

Every string set on a span goes through the Redactor; content (inputs,
outputs, tool arguments and results) only with `capture_content`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...schemas.events import Event
from .otel_agents import AgentSpans
from .otel_spans import BLOCK_ENDS, BLOCK_STARTS, field_of, span_name


class OtelSink(AgentSpans):
    """An event listener that turns a run's events into spans and metrics."""

    def __call__(self, event: Event) -> None:
        handler = _HANDLERS.get(event.event)
        if handler is not None:
            handler(self, event)

    # --- workflows -----------------------------------------------------------------

    def _workflow_started(self, event: Event) -> None:
        name = event.workflow_name or "workflow"
        run = self._run(event, "workflow", name)
        attributes = {
            "openinference.span.kind": "CHAIN",
            "gen_ai.operation.name": "invoke_workflow",
            "gen_ai.workflow.name": name,
            "agno.workflow.name": name,
            "agno.workflow.id": name,
            "agno.run.id": event.run_id,
            **self._common(event),
        }
        if self.capture and field_of(event, "input", None) is not None:
            attributes["input.value"] = self._content(field_of(event, "input"))
        options = self._root_options(event) if run.root is None else {}
        if options:
            attributes["agno.resumed"] = True
        title = f"{span_name(name)}.arun"
        node = self._start(run, "workflow", title, event, attributes, key=name, **options)
        if run.root is None:  # else a nested workflow step
            self._set_root(run, node, event)
        run.workflows.append(node)

    def _workflow_ended(self, event: Event, status: str | None = None) -> None:
        run = self.runs.get(event.run_id)
        if run is None or not run.workflows:
            return
        node = run.workflows.pop()
        status = (
            status
            or {
                "WorkflowCompleted": "completed",
                "WorkflowError": "failed",
                "WorkflowCancelled": "cancelled",
                "WorkflowPaused": "paused",
            }[event.event]
        )
        attributes: dict[str, Any] = {"agno.status": status}
        content = field_of(event, "content", None)
        if self.capture and content is not None:
            attributes["output.value"] = self._content(content)
        attributes.update(self._usage(field_of(event, "metrics", None)))
        error = self._error_text(event) if status == "failed" else None
        if node is run.root:
            self._close_run(run, event, status, error)
        node.paused = status == "paused"
        self._end(run, node, event, error=error, attributes=attributes, ok=status == "completed")
        if node is run.root:
            self._finish_run(run, event, status)

    # --- steps and blocks ----------------------------------------------------------

    def _step_started(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        step_type = field_of(event, "step_type", None) or "step"
        self._start(
            run,
            "step",
            f"{span_name(event.step_name or 'step')}.aexecute",
            event,
            {
                "openinference.span.kind": "CHAIN",
                "graph.node.name": event.step_name,
                "agno.step.name": event.step_name,
                "agno.step.type": step_type,
            },
            key=event.step_name,
        )

    def _step_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        # StepError also ends a block that fails the run (agno reports it for any step).
        node = self._find(run, "step", event.step_name) or self._find(run, "block", event.step_name)
        step_type = field_of(event, "step_type", None) or "step"
        failed = event.event == "StepError"
        if node is None:  # on_error: continue before the step started (a human rejected it)
            if not failed:
                return
            node = self._start(
                run,
                "step",
                f"{span_name(event.step_name or 'step')}.aexecute",
                event,
                {"agno.step.name": event.step_name, "agno.step.type": step_type},
            )
        attributes: dict[str, Any] = {}
        if field_of(event, "attempts", None):
            attributes["agno.step.attempts"] = field_of(event, "attempts")
        skipped = bool(field_of(event, "skipped", None))
        if skipped:
            attributes["agno.step.skipped"] = True
        attributes.update(self._usage(field_of(event, "metrics", None)))
        content = field_of(event, "content", None)
        if self.capture and content is not None:
            attributes["output.value"] = self._content(content)
        error = self._error_text(event) if failed else None
        if failed:  # a failing block: what failed inside it is still open (agno reports it not)
            for inner in reversed(list(run.open.values())):
                if _inside(inner, node):
                    self._end(run, inner, event, error=error, error_type="StepFailed")
        self._end(run, node, event, error=error, error_type="StepError", attributes=attributes)
        if self.metrics is not None:
            status = "failed" if failed else ("skipped" if skipped else "completed")
            self.metrics.step(step_type, status)

    def _step_continued(self, event: Event) -> None:
        """A paused run continues without a new WorkflowStarted (agno): its root starts here,
        linked to the paused attempt's."""
        if event.run_id not in self.runs:
            self._workflow_started(event.model_copy(update={"resumed": True}))

    def _step_output(self, event: Event) -> None:
        """A top-level function step's result: it ends the step when it stopped the run
        early (agno sends no StepCompleted then); otherwise StepCompleted follows."""
        output = field_of(event, "step_output", None) or {}
        if output.get("stop"):
            self._step_ended(event)

    def _step_paused(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        node = self._find(run, "step", event.step_name)
        if node is None:  # paused before it started: waiting for a confirmation or input
            node = self._start(
                run,
                "step",
                f"{span_name(event.step_name or 'step')}.aexecute",
                event,
                {"agno.step.name": event.step_name, "agno.step.type": "step"},
                current=False,
                key=event.step_name,
            )
        node.paused = True
        pending = field_of(event, "pending", None) or {}
        node.span.set_attribute("agno.pending.kind", str(pending.get("kind") or "confirm"))
        if self.metrics is not None:
            self.metrics.step("step", "paused")
        # A waiting step pauses the whole run and agno reports nothing more: every
        # workflow level ends here as paused, innermost first.
        while run.workflows and event.run_id in self.runs:
            self._workflow_ended(event, status="paused")

    def _block_started(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        block = BLOCK_STARTS[event.event]
        attributes: dict[str, Any] = {
            "openinference.span.kind": "CHAIN",
            "graph.node.name": event.step_name,
            "agno.step.name": event.step_name,
            "agno.step.type": block,
        }
        for source, target in (
            ("parallel_step_count", "agno.parallel.step_count"),
            ("condition_result", "agno.condition.result"),
            ("max_iterations", "agno.loop.max_iterations"),
            ("selected_steps", "agno.router.selected_steps"),
            ("item_count", "agno.foreach.item_count"),
        ):
            value = field_of(event, source)
            if value is not None:
                attributes[target] = value
        title = f"{span_name(event.step_name or block)}.aexecute"
        self._start(run, "block", title, event, attributes, key=event.step_name)

    def _block_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        node = self._find(run, "block", event.step_name) if run is not None else None
        if run is None or node is None:
            return
        attributes = {}
        if field_of(event, "total_iterations", None) is not None:
            attributes["agno.loop.total_iterations"] = field_of(event, "total_iterations")
        if field_of(event, "branch", None) is not None:
            attributes["agno.condition.branch"] = field_of(event, "branch")
        self._end(run, node, event, attributes=attributes)
        if self.metrics is not None:
            self.metrics.step(str(node.attributes.get("agno.step.type")), "completed")

    def _iteration_started(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        iteration = field_of(event, "iteration", 0)
        self._start(
            run,
            "iteration",
            f"{span_name(event.step_name or 'loop')}.iteration",
            event,
            {"openinference.span.kind": "CHAIN", "agno.loop.iteration": iteration},
            key=f"{event.step_name}[{iteration}]",
        )

    def _iteration_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        name = f"{event.step_name}[{field_of(event, 'iteration', 0)}]"
        node = self._find(run, "iteration", name) if run is not None else None
        if run is not None and node is not None:
            self._end(run, node, event)


def _inside(node: Any, ancestor: Any) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


def _handlers() -> dict[str, Callable[[OtelSink, Event], Any]]:
    """Event name → what the sink does with it; made once, not per run."""
    sink = OtelSink
    handlers: dict[str, Callable[[OtelSink, Event], Any]] = {
        "WorkflowStarted": sink._workflow_started,
        "WorkflowCompleted": sink._workflow_ended,
        "WorkflowError": sink._workflow_ended,
        "WorkflowCancelled": sink._workflow_ended,
        "WorkflowPaused": sink._workflow_ended,
        "StepStarted": sink._step_started,
        "StepCompleted": sink._step_ended,
        "StepOutput": sink._step_output,
        "StepContinued": sink._step_continued,
        "StepError": sink._step_ended,
        "StepPaused": sink._step_paused,
        "LoopIterationStarted": sink._iteration_started,
        "LoopIterationCompleted": sink._iteration_ended,
    }
    for name in BLOCK_STARTS:
        handlers[name] = sink._block_started
    for name in BLOCK_ENDS:
        handlers[name] = sink._block_ended
    for prefix in ("", "Team"):
        handlers[f"{prefix}RunStarted"] = sink._runner_started
        handlers[f"{prefix}RunContent"] = sink._runner_content
        handlers[f"{prefix}RunCompleted"] = sink._runner_ended
        handlers[f"{prefix}RunError"] = sink._runner_ended
        handlers[f"{prefix}RunPaused"] = sink._runner_ended
        handlers[f"{prefix}ToolCallStarted"] = sink._tool_started
        handlers[f"{prefix}ToolCallCompleted"] = sink._tool_ended
        handlers[f"{prefix}ToolCallError"] = sink._tool_ended
        handlers[f"{prefix}ModelRequestStarted"] = sink._request_started
        handlers[f"{prefix}ModelRequestCompleted"] = sink._request_ended
    return handlers


_HANDLERS = _handlers()
