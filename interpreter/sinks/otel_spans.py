"""The span bookkeeping under the telemetry sink: open spans per run, start, end, find.

A start makes its span current in the OpenTelemetry context of the calling
task (so spans started later in that task, or in tasks it creates, nest
under it); an end restores what was current before. Every string set on a
span goes through the Redactor first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags

from ...schemas.events import Event
from .otel_export import Telemetry

MODEL_CLASS = {"openai": "OpenAIChat", "anthropic": "Claude", "ollama": "Ollama"}
LLM_PROVIDER = {"openai": "OpenAI", "anthropic": "Anthropic", "ollama": "Ollama"}
BLOCK_STARTS = {
    "ParallelExecutionStarted": "parallel",
    "ConditionExecutionStarted": "condition",
    "LoopExecutionStarted": "loop",
    "RouterExecutionStarted": "router",
    "ForeachExecutionStarted": "foreach",
}
BLOCK_ENDS = {
    "ParallelExecutionCompleted",
    "ConditionExecutionCompleted",
    "LoopExecutionCompleted",
    "RouterExecutionCompleted",
    "ForeachExecutionCompleted",
}
_CONTENT_LIMIT = 8192
_ERROR_TYPE = re.compile(r"\b([A-Z]\w*(?:Error|Exception)): ")
MODEL_METRIC_KEYS = ("gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model")


def _ns(seconds: float) -> int:
    return int(seconds * 1e9)


def field_of(event: Event, name: str, default: Any = None) -> Any:
    """An event's own field (agno's extras: step_type, metrics, tool_name…).

    Read from the extras directly: pydantic's attribute fallback costs a few
    µs per field, and a run reads hundreds of them.
    """
    extra = event.__pydantic_extra__
    return extra.get(name, default) if extra else default


def span_name(name: str) -> str:
    # OpenInference's agno spans replace spaces and hyphens the same way.
    return name.replace(" ", "_").replace("-", "_")


@dataclass(eq=False, slots=True)
class Node:
    """An open span and what is needed to close it."""

    span: Any
    kind: str  # workflow | step | block | iteration | agent | team | model | tool
    name: str
    parent: Node | None
    before: Any  # the context that was current before this span was made current
    started: float
    attributes: dict[str, Any] = field(default_factory=dict)
    paused: bool = False
    # Tokens (input, output) of the member runs under a team's span.
    member_tokens: list[int] = field(default_factory=lambda: [0, 0])

    @property
    def span_id(self) -> int:
        return int(self.span.get_span_context().span_id)


@dataclass(eq=False, slots=True)
class Run:
    """The spans of one run still open, and how to find them again."""

    kind: str
    name: str
    root: Node | None = None
    open: dict[int, Node] = field(default_factory=dict)
    workflows: list[Node] = field(default_factory=list)
    runners: dict[str, Node] = field(default_factory=dict)  # agent/team run id → span
    turns: dict[str, Node] = field(default_factory=dict)  # agent/team run id → model request
    tools: dict[tuple[str, str], Node] = field(default_factory=dict)
    tools_running: dict[str, int] = field(default_factory=dict)
    failed: set[int] = field(default_factory=set)  # spans on the path of an error


class SpanBook:
    """The open spans of the runs one sink follows, and the primitives on them."""

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
        self.metrics = telemetry.run_metrics
        # (trace id, root span id) of the run this one resumes, hex as stored.
        self.resume_from = resume_from
        self.runs: dict[str, Run] = {}
        self.trace_ids: dict[str, str] = {}  # run id → trace id (hex), for the owner
        # Set when model requests are reported by events; until then each model
        # turn is derived from the tool calls around it.
        self.explicit_requests = False

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

    def _current(self, run: Run) -> Node | None:
        """The innermost open span of this run in the calling task, else the root."""
        span_id = trace.get_current_span().get_span_context().span_id
        return run.open.get(span_id, run.root)

    def _start(
        self,
        run: Run,
        kind: str,
        name: str,
        event: Event,
        attributes: dict[str, Any],
        *,
        parent: Node | None = None,
        span_kind: SpanKind = SpanKind.INTERNAL,
        current: bool = True,
        links: list[Link] | None = None,
        root_context: Any = None,
        key: str | None = None,
    ) -> Node:
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
        node = Node(span, kind, key or name, parent, before, event.created_at, attributes)
        run.open[node.span_id] = node
        if current:
            otel_context.attach(trace.set_span_in_context(span, before))
        return node

    def _end(
        self,
        run: Run,
        node: Node,
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
            # Errors arrive described ("RuntimeError: …"): the named type is the one to search by.
            named = _ERROR_TYPE.search(message)
            span.add_event(
                "exception",
                {
                    "exception.type": named.group(1) if named else error_type or "Error",
                    "exception.message": message,
                },
                timestamp=_ns(event.created_at),
            )
            ancestor: Node | None = node
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

    def _find(self, run: Run, kind: str, name: str | None) -> Node | None:
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

    def _run(self, event: Event, kind: str, name: str) -> Run:
        run = self.runs.get(event.run_id)
        if run is None:
            run = self.runs[event.run_id] = Run(kind, name)
        return run

    def _root_options(self, event: Event) -> dict[str, Any]:
        """A resumed run continues its trace: same trace id, linked to the first attempt."""
        if self.resume_from is None or not field_of(event, "resumed", None):
            return {}
        trace_hex, span_hex = self.resume_from
        self.telemetry.ids.next_trace_id = int(trace_hex, 16)
        previous = SpanContext(
            int(trace_hex, 16), int(span_hex, 16), is_remote=True, trace_flags=TraceFlags(1)
        )
        link = Link(previous, {"agno.link": "resumed_from"})
        # An empty context: the resumed root has no parent, only the link.
        return {"links": [link], "root_context": otel_context.Context()}

    def _set_root(self, run: Run, node: Node, event: Event) -> None:
        run.root = node
        self.trace_ids[event.run_id] = format(node.span.get_span_context().trace_id, "032x")

    def _close_run(self, run: Run, event: Event, status: str, error: str | None) -> None:
        """End every span a failure, a pause or a cancellation left open, innermost first."""
        for node in reversed(list(run.open.values())):
            if node is run.root:
                continue
            if status == "failed" and node.span_id in run.failed:
                self._end(run, node, event, error=error, error_type="StepFailed")
            elif status == "paused" or node.paused:
                node.paused = True
                self._end(run, node, event)
            elif status == "completed":
                # agno reports no end for a step skipped after an error, nor for one
                # that stopped the run early: the run went on, so the span just ends.
                self._end(run, node, event, attributes={"agno.status": "ended"})
            else:
                self._end(run, node, event, attributes={"agno.status": "cancelled"}, ok=False)

    def _finish_run(self, run: Run, event: Event, status: str) -> None:
        self.runs.pop(event.run_id, None)
        if self.metrics is not None and run.root is not None:
            self.metrics.run(run.kind, run.name, status, event.created_at - run.root.started)

    # --- helpers -------------------------------------------------------------------

    def _error_text(self, event: Event) -> str:
        # a tool error's text is `error`; a run error's is its `content` (agno's RunError)
        return str(
            field_of(event, "error", None) or field_of(event, "content", None) or event.event
        )

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
