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

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags

from ...schemas.events import Event
from .otel_export import Telemetry
from .otel_metrics import RunMetrics

# agno's model class names, which its traces use as model span names.
_MODEL_CLASS = {"openai": "OpenAIChat", "anthropic": "Claude", "ollama": "Ollama"}
_LLM_PROVIDER = {"openai": "OpenAI", "anthropic": "Anthropic", "ollama": "Ollama"}
_BLOCK_STARTS = {
    "ParallelExecutionStarted": "parallel",
    "ConditionExecutionStarted": "condition",
    "LoopExecutionStarted": "loop",
    "RouterExecutionStarted": "router",
    "ForeachExecutionStarted": "foreach",
}
_BLOCK_ENDS = {
    "ParallelExecutionCompleted",
    "ConditionExecutionCompleted",
    "LoopExecutionCompleted",
    "RouterExecutionCompleted",
    "ForeachExecutionCompleted",
}
_CONTENT_LIMIT = 8192
_MODEL_METRIC_KEYS = ("gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model")


def _ns(seconds: float) -> int:
    return int(seconds * 1e9)


def _field(event: Event, name: str, default: Any = None) -> Any:
    """An event's own field (agno's extras: step_type, metrics, tool_name…).

    Read from the extras directly: pydantic's attribute fallback costs a few
    µs per field, and a run reads hundreds of them.
    """
    extra = event.__pydantic_extra__
    return extra.get(name, default) if extra else default


def _span_name(name: str) -> str:
    # OpenInference's agno spans replace spaces and hyphens the same way.
    return name.replace(" ", "_").replace("-", "_")


@dataclass(eq=False, slots=True)
class _Node:
    """An open span and what is needed to close it."""

    span: Any
    kind: str  # workflow | step | block | iteration | agent | team | model | tool
    name: str
    parent: _Node | None
    before: Any  # the context that was current before this span was made current
    started: float
    attributes: dict[str, Any] = field(default_factory=dict)
    paused: bool = False

    @property
    def span_id(self) -> int:
        return int(self.span.get_span_context().span_id)


@dataclass(eq=False, slots=True)
class _Run:
    """The spans of one run still open, and how to find them again."""

    kind: str
    name: str
    root: _Node | None = None
    open: dict[int, _Node] = field(default_factory=dict)
    workflows: list[_Node] = field(default_factory=list)
    runners: dict[str, _Node] = field(default_factory=dict)  # agent/team run id → span
    turns: dict[str, _Node] = field(default_factory=dict)  # agent/team run id → model request
    tools: dict[tuple[str, str], _Node] = field(default_factory=dict)
    tools_running: dict[str, int] = field(default_factory=dict)
    failed: set[int] = field(default_factory=set)  # spans on the path of an error


class OtelSink:
    """An event listener that turns a run's events into spans and metrics."""

    def __init__(
        self,
        telemetry: Telemetry,
        *,
        resume_from: tuple[str, str] | None = None,
    ) -> None:
        self.telemetry = telemetry
        self.tracer = telemetry.tracer
        self.redactor = telemetry.config.redactor
        self.capture = telemetry.config.capture_content
        self.user_id = telemetry.config.user_id
        self.metrics = RunMetrics(telemetry.meter) if telemetry.meter is not None else None
        # (trace id, root span id) of the run this one resumes, hex as stored.
        self.resume_from = resume_from
        self.runs: dict[str, _Run] = {}
        self.trace_ids: dict[str, str] = {}  # run id → trace id (hex), for the owner
        # Set when model requests are reported by events; until then each model
        # turn is derived from the tool calls around it.
        self.explicit_requests = False

    def __call__(self, event: Event) -> None:
        handler = _HANDLERS.get(event.event)
        if handler is not None:
            handler(self, event)

    # --- spans ---------------------------------------------------------------------

    def _text(self, value: Any) -> str:
        return self.redactor.text(str(value))

    def _content(self, value: Any) -> str:
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        return self.redactor.content(text[:_CONTENT_LIMIT])

    def _common(self, event: Event) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        if event.session_id:
            attributes["session.id"] = attributes["gen_ai.conversation.id"] = event.session_id
        if self.user_id:
            attributes["user.id"] = self._text(self.user_id)
        return attributes

    def _current(self, run: _Run) -> _Node | None:
        """The innermost open span of this run in the calling task, else the root."""
        span_id = trace.get_current_span().get_span_context().span_id
        return run.open.get(span_id, run.root)

    def _start(
        self,
        run: _Run,
        kind: str,
        name: str,
        event: Event,
        attributes: dict[str, Any],
        *,
        parent: _Node | None = None,
        span_kind: SpanKind = SpanKind.INTERNAL,
        current: bool = True,
        links: list[Link] | None = None,
        root_context: Any = None,
        key: str | None = None,
    ) -> _Node:
        """Start a span under `parent` (default: the current one) and, by default, make it
        current; `key` is the name `_find` looks it up by (default: the span name)."""
        before = otel_context.get_current()
        if parent is None and root_context is None:
            parent = self._current(run)
        parent_context = (
            trace.set_span_in_context(parent.span, before) if parent is not None else root_context
        )
        span = self.tracer.start_span(
            name,
            context=parent_context,
            kind=span_kind,
            attributes=attributes,
            links=links,
            start_time=_ns(event.created_at),
        )
        node = _Node(span, kind, key or name, parent, before, event.created_at, attributes)
        run.open[node.span_id] = node
        if current:
            otel_context.attach(trace.set_span_in_context(span, before))
        return node

    def _end(
        self,
        run: _Run,
        node: _Node,
        event: Event,
        *,
        error: str | None = None,
        error_type: str | None = None,
        attributes: dict[str, Any] | None = None,
        ok: bool = True,
    ) -> None:
        span = node.span
        if attributes:
            span.set_attributes(attributes)
        if error is not None:
            message = self._text(error)
            span.set_status(Status(StatusCode.ERROR, message))
            span.add_event(
                "exception",
                {"exception.type": error_type or "Error", "exception.message": message},
                timestamp=_ns(event.created_at),
            )
            ancestor: _Node | None = node
            while ancestor is not None:  # the error passed through every ancestor
                run.failed.add(ancestor.span_id)
                ancestor = ancestor.parent
        elif node.paused:
            span.set_attribute("agno.status", "paused")
        elif ok:  # as agno's tracing does; paused and cancelled spans stay UNSET
            span.set_status(Status(StatusCode.OK))
        span.end(end_time=_ns(event.created_at))
        run.open.pop(node.span_id, None)
        if trace.get_current_span() is span:
            otel_context.attach(node.before)

    def _find(self, run: _Run, kind: str, name: str | None) -> _Node | None:
        """The open span of this kind and name: the current one, else the newest."""
        node = self._current(run)
        while node is not None:
            if node.kind == kind and node.name == name:
                return node
            node = node.parent
        for candidate in reversed(list(run.open.values())):
            if candidate.kind == kind and candidate.name == name:
                return candidate
        return None

    def _run(self, event: Event, kind: str, name: str) -> _Run:
        run = self.runs.get(event.run_id)
        if run is None:
            run = self.runs[event.run_id] = _Run(kind, name)
        return run

    def _root_options(self, event: Event) -> dict[str, Any]:
        """A resumed run continues its trace: same trace id, linked to the first attempt."""
        if self.resume_from is None or not _field(event, "resumed", None):
            return {}
        trace_hex, span_hex = self.resume_from
        self.telemetry.ids.next_trace_id = int(trace_hex, 16)
        previous = SpanContext(
            int(trace_hex, 16), int(span_hex, 16), is_remote=True, trace_flags=TraceFlags(1)
        )
        link = Link(previous, {"agno.link": "resumed_from"})
        # An empty context: the resumed root has no parent, only the link.
        return {"links": [link], "root_context": otel_context.Context()}

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
        if self.capture and _field(event, "input", None) is not None:
            attributes["input.value"] = self._content(_field(event, "input"))
        options = self._root_options(event) if run.root is None else {}
        if options:
            attributes["agno.resumed"] = True
        span_name = f"{_span_name(name)}.arun"
        node = self._start(run, "workflow", span_name, event, attributes, key=name, **options)
        if run.root is None:  # else a nested workflow step
            self._set_root(run, node, event)
        run.workflows.append(node)

    def _workflow_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None or not run.workflows:
            return
        node = run.workflows.pop()
        status = {
            "WorkflowCompleted": "completed",
            "WorkflowError": "failed",
            "WorkflowCancelled": "cancelled",
            "WorkflowPaused": "paused",
        }[event.event]
        attributes: dict[str, Any] = {"agno.status": status}
        content = _field(event, "content", None)
        if self.capture and content is not None:
            attributes["output.value"] = self._content(content)
        attributes.update(self._usage(_field(event, "metrics", None)))
        error = self._error_text(event) if status == "failed" else None
        if node is run.root:
            self._close_run(run, event, status, error)
        node.paused = status == "paused"
        self._end(run, node, event, error=error, attributes=attributes, ok=status == "completed")
        if node is run.root:
            self._finish_run(run, event, status)

    def _set_root(self, run: _Run, node: _Node, event: Event) -> None:
        run.root = node
        self.trace_ids[event.run_id] = format(node.span.get_span_context().trace_id, "032x")

    def _close_run(self, run: _Run, event: Event, status: str, error: str | None) -> None:
        """End every span a failure, a pause or a cancellation left open, innermost first."""
        for node in reversed(list(run.open.values())):
            if node is run.root:
                continue
            if status == "failed" and node.span_id in run.failed:
                self._end(run, node, event, error=error, error_type="StepFailed")
            elif status == "paused" or node.paused:
                node.paused = True
                self._end(run, node, event)
            else:
                self._end(run, node, event, attributes={"agno.status": "cancelled"}, ok=False)

    def _finish_run(self, run: _Run, event: Event, status: str) -> None:
        self.runs.pop(event.run_id, None)
        if self.metrics is not None and run.root is not None:
            self.metrics.run(run.kind, run.name, status, event.created_at - run.root.started)

    # --- steps and blocks ----------------------------------------------------------

    def _step_started(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        step_type = _field(event, "step_type", None) or "step"
        self._start(
            run,
            "step",
            f"{_span_name(event.step_name or 'step')}.aexecute",
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
        node = self._find(run, "step", event.step_name)
        step_type = _field(event, "step_type", None) or "step"
        failed = event.event == "StepError"
        if node is None:  # on_error: continue before the step started (a human rejected it)
            if not failed:
                return
            node = self._start(
                run,
                "step",
                f"{_span_name(event.step_name or 'step')}.aexecute",
                event,
                {"agno.step.name": event.step_name, "agno.step.type": step_type},
            )
        attributes: dict[str, Any] = {}
        if _field(event, "attempts", None):
            attributes["agno.step.attempts"] = _field(event, "attempts")
        skipped = bool(_field(event, "skipped", None))
        if skipped:
            attributes["agno.step.skipped"] = True
        attributes.update(self._usage(_field(event, "metrics", None)))
        content = _field(event, "content", None)
        if self.capture and content is not None:
            attributes["output.value"] = self._content(content)
        error = self._error_text(event) if failed else None
        self._end(run, node, event, error=error, error_type="StepError", attributes=attributes)
        if self.metrics is not None:
            status = "failed" if failed else ("skipped" if skipped else "completed")
            self.metrics.step(step_type, status)

    def _step_paused(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        node = self._find(run, "step", event.step_name)
        if node is None:  # paused before it started: waiting for a confirmation or input
            node = self._start(
                run,
                "step",
                f"{_span_name(event.step_name or 'step')}.aexecute",
                event,
                {"agno.step.name": event.step_name, "agno.step.type": "step"},
                current=False,
                key=event.step_name,
            )
        node.paused = True
        pending = _field(event, "pending", None) or {}
        node.span.set_attribute("agno.pending.kind", str(pending.get("kind") or "confirm"))
        if self.metrics is not None:
            self.metrics.step("step", "paused")

    def _block_started(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        block = _BLOCK_STARTS[event.event]
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
            value = _field(event, source)
            if value is not None:
                attributes[target] = value
        span_name = f"{_span_name(event.step_name or block)}.aexecute"
        self._start(run, "block", span_name, event, attributes, key=event.step_name)

    def _block_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        node = self._find(run, "block", event.step_name) if run is not None else None
        if run is None or node is None:
            return
        attributes = {}
        if _field(event, "total_iterations", None) is not None:
            attributes["agno.loop.total_iterations"] = _field(event, "total_iterations")
        if _field(event, "branch", None) is not None:
            attributes["agno.condition.branch"] = _field(event, "branch")
        self._end(run, node, event, attributes=attributes)
        if self.metrics is not None:
            self.metrics.step(str(node.attributes.get("agno.step.type")), "completed")

    def _iteration_started(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        iteration = _field(event, "iteration", 0)
        self._start(
            run,
            "iteration",
            f"{_span_name(event.step_name or 'loop')}.iteration",
            event,
            {"openinference.span.kind": "CHAIN", "agno.loop.iteration": iteration},
            key=f"{event.step_name}[{iteration}]",
        )

    def _iteration_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        name = f"{event.step_name}[{_field(event, 'iteration', 0)}]"
        node = self._find(run, "iteration", name) if run is not None else None
        if run is not None and node is not None:
            self._end(run, node, event)

    # --- agents and teams ----------------------------------------------------------

    @staticmethod
    def _runner_id(event: Event) -> str:
        return str(_field(event, "team_run_id", None) or _field(event, "agent_run_id", ""))

    def _runner_started(self, event: Event) -> None:
        is_team = event.event.startswith("Team")
        name = (_field(event, "team_name", None) if is_team else event.agent_name) or "agent"
        run = self._run(event, "team" if is_team else "agent", name)
        provider = str(_field(event, "model_provider", None) or "")
        model = str(_field(event, "model", None) or "")
        runner_id = self._runner_id(event)
        attributes: dict[str, Any] = {
            "openinference.span.kind": "AGENT",
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": name,
            "gen_ai.agent.id": name,
            "agent.name": name,
            "graph.node.name": name,
            "gen_ai.provider.name": provider,
            "gen_ai.request.model": model,
            "agno.run.id": runner_id,
            **self._common(event),
        }
        if is_team:
            attributes.update({"agno.team": name, "agno.team.id": name})
            if _field(event, "mode", None):
                attributes["agno.team.mode"] = _field(event, "mode")
        else:
            attributes.update({"agno.agent": name, "agno.agent.id": name})
        parent = self._current(run)
        if parent is not None and parent.kind == "step" and parent.name == event.step_name:
            key = "agno.step.team_name" if is_team else "agno.step.agent_name"
            parent.span.set_attribute(key, name)
        kind = "team" if is_team else "agent"
        node = self._start(run, kind, f"{_span_name(name)}.arun", event, attributes, key=name)
        if run.root is None:  # the agent or team is the run
            self._set_root(run, node, event)
        run.runners[runner_id] = node
        if not self.explicit_requests:
            self._turn_started(run, runner_id, event)

    def _runner_content(self, event: Event) -> None:
        if _field(event, "delta", None) or self.explicit_requests:
            return
        run = self.runs.get(event.run_id)
        if run is not None:
            self._turn_ended(run, self._runner_id(event), event, finish="stop")

    def _runner_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        runner_id = self._runner_id(event)
        node = run.runners.pop(runner_id, None) if run is not None else None
        if run is None or node is None:
            return
        failed = event.event.endswith("Error")
        paused = failed and _field(event, "error_type", None) == "RunPaused"
        error = self._error_text(event) if failed and not paused else None
        if run.turns.get(runner_id) is not None:
            self._turn_ended(
                run, runner_id, event, finish="error" if error else "stop", error=error
            )
        metrics = _field(event, "metrics", None)
        attributes = self._usage(metrics)
        content = _field(event, "content", None)
        if self.capture and content is not None:
            attributes["output.value"] = self._content(content)
        node.paused = paused
        self._end(
            run,
            node,
            event,
            error=error,
            error_type=_field(event, "error_type", None),
            attributes=attributes,
        )
        if not self.explicit_requests and self.metrics is not None and metrics:
            # Without per-request events, a run's own tokens are measured once per run.
            self.metrics.model_request(
                self._model_attributes(node),
                duration=None,
                input_tokens=metrics.get("input_tokens") if node.kind == "agent" else None,
                output_tokens=metrics.get("output_tokens") if node.kind == "agent" else None,
                time_to_first_token=metrics.get("time_to_first_token"),
            )
        if node is run.root:
            self._finish_run(
                run, event, "paused" if paused else ("failed" if error else "completed")
            )

    # --- model requests ------------------------------------------------------------

    def _model_attributes(self, runner: _Node) -> dict[str, Any]:
        provider = str(runner.attributes.get("gen_ai.provider.name") or "")
        return {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider,
            "gen_ai.request.model": str(runner.attributes.get("gen_ai.request.model") or ""),
        }

    def _turn_started(self, run: _Run, runner_id: str, event: Event) -> _Node | None:
        runner = run.runners.get(runner_id)
        if runner is None:
            return None
        attributes = self._model_attributes(runner)
        provider = attributes["gen_ai.provider.name"]
        model = str(_field(event, "model", None) or attributes["gen_ai.request.model"])
        attributes.update(
            {
                "gen_ai.request.model": model,
                "openinference.span.kind": "LLM",
                "llm.model_name": model,
                "llm.provider": _LLM_PROVIDER.get(provider, provider),
            }
        )
        name = _MODEL_CLASS.get(provider, provider.title() or "Model")
        node = self._start(
            run,
            "model",
            f"{name}.ainvoke",
            event,
            attributes,
            parent=runner,
            span_kind=SpanKind.CLIENT,
            current=False,  # nothing runs inside a model request
        )
        run.turns[runner_id] = node
        return node

    def _turn_ended(
        self,
        run: _Run,
        runner_id: str,
        event: Event,
        *,
        finish: str,
        error: str | None = None,
        usage: dict[str, Any] | None = None,
    ) -> None:
        node = run.turns.pop(runner_id, None)
        if node is None:
            return
        attributes: dict[str, Any] = {"gen_ai.response.finish_reasons": [finish]}
        attributes.update(self._usage(usage))
        self._end(
            run, node, event, error=error, error_type="ModelProviderError", attributes=attributes
        )
        if self.metrics is not None:
            # Tokens per request when events report them; else per run (_runner_ended).
            usage = usage or {}
            self.metrics.model_request(
                {key: node.attributes[key] for key in _MODEL_METRIC_KEYS},
                duration=event.created_at - node.started,
                input_tokens=usage.get("input_tokens"),
                output_tokens=usage.get("output_tokens"),
                time_to_first_token=usage.get("time_to_first_token"),
            )

    def _request_started(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        runner_id = self._runner_id(event)
        if not self.explicit_requests:
            self.explicit_requests = True
            if runner_id in run.turns:  # the turn derived at the run's start is this request
                return
        if runner_id not in run.turns:
            self._turn_started(run, runner_id, event)

    def _request_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        usage = {
            key: _field(event, key)
            for key in ("input_tokens", "output_tokens", "time_to_first_token")
        }
        finish = "tool_calls" if _field(event, "tool_calls", None) else "stop"
        self._turn_ended(run, self._runner_id(event), event, finish=finish, usage=usage)

    # --- tool calls ----------------------------------------------------------------

    def _tool_started(self, event: Event) -> _Node | None:
        run = self.runs.get(event.run_id)
        runner_id = self._runner_id(event)
        runner = run.runners.get(runner_id) if run is not None else None
        if run is None or runner is None:
            return None
        if not self.explicit_requests:
            self._turn_ended(run, runner_id, event, finish="tool_calls")
            run.tools_running[runner_id] = run.tools_running.get(runner_id, 0) + 1
        tool = str(_field(event, "tool_name", "tool"))
        call_id = str(_field(event, "tool_call_id", ""))
        attributes: dict[str, Any] = {
            "openinference.span.kind": "TOOL",
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool,
            "gen_ai.tool.call.id": call_id,
            "gen_ai.tool.type": "function",
            "tool.name": tool,
        }
        if self.capture and _field(event, "tool_args", None) is not None:
            arguments = self._content(_field(event, "tool_args"))
            attributes["gen_ai.tool.call.arguments"] = attributes["input.value"] = arguments
        # Current: a member's run started by a delegation tool nests under it.
        node = self._start(run, "tool", _span_name(tool), event, attributes, parent=runner)
        run.tools[(runner_id, call_id)] = node
        return node

    def _tool_ended(self, event: Event) -> None:
        run = self.runs.get(event.run_id)
        if run is None:
            return
        runner_id = self._runner_id(event)
        key = (runner_id, str(_field(event, "tool_call_id", "")))
        node = run.tools.pop(key, None)
        if node is None:  # rejected by a human, or no such tool: a call that never started
            node = self._tool_started(event)
            if node is None:
                return
            run.tools.pop(key, None)
        failed = event.event.endswith("Error")
        attributes: dict[str, Any] = {}
        if self.capture and _field(event, "result", None) is not None:
            result = self._content(_field(event, "result"))
            attributes["gen_ai.tool.call.result"] = attributes["output.value"] = result
        if _field(event, "stopped_run", None):
            attributes["agno.tool.stopped_run"] = True
        error = self._error_text(event) if failed else None
        self._end(run, node, event, error=error, error_type="ToolCallError", attributes=attributes)
        if self.metrics is not None:
            self.metrics.tool_call(node.name, event.created_at - node.started, failed)
        if not self.explicit_requests:
            running = run.tools_running.get(runner_id, 1) - 1
            run.tools_running[runner_id] = running
            if running == 0:  # every call of the batch answered: the model is asked again
                self._turn_started(run, runner_id, event)

    # --- helpers -------------------------------------------------------------------

    def _error_text(self, event: Event) -> str:
        return str(_field(event, "error", None) or event.event)

    @staticmethod
    def _usage(metrics: Any) -> dict[str, Any]:
        if not isinstance(metrics, dict):
            return {}
        usage: dict[str, Any] = {}
        for source, targets in (
            ("input_tokens", ("gen_ai.usage.input_tokens", "llm.token_count.prompt")),
            ("output_tokens", ("gen_ai.usage.output_tokens", "llm.token_count.completion")),
        ):
            value = metrics.get(source)
            if value is not None:
                for target in targets:
                    usage[target] = value
        if metrics.get("total_tokens") is not None:
            usage["llm.token_count.total"] = metrics["total_tokens"]
        if metrics.get("time_to_first_token") is not None:
            usage["gen_ai.response.time_to_first_chunk"] = metrics["time_to_first_token"]
        return usage


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
        "StepError": sink._step_ended,
        "StepPaused": sink._step_paused,
        "LoopIterationStarted": sink._iteration_started,
        "LoopIterationCompleted": sink._iteration_ended,
    }
    for name in _BLOCK_STARTS:
        handlers[name] = sink._block_started
    for name in _BLOCK_ENDS:
        handlers[name] = sink._block_ended
    for prefix in ("", "Team"):
        handlers[f"{prefix}RunStarted"] = sink._runner_started
        handlers[f"{prefix}RunContent"] = sink._runner_content
        handlers[f"{prefix}RunCompleted"] = sink._runner_ended
        handlers[f"{prefix}RunError"] = sink._runner_ended
        handlers[f"{prefix}ToolCallStarted"] = sink._tool_started
        handlers[f"{prefix}ToolCallCompleted"] = sink._tool_ended
        handlers[f"{prefix}ToolCallError"] = sink._tool_ended
        handlers[f"{prefix}ModelRequestStarted"] = sink._request_started
        handlers[f"{prefix}ModelRequestCompleted"] = sink._request_ended
    return handlers


_HANDLERS = _handlers()
