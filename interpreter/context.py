"""The state of one run: step outputs, session state, models, events.

Templates read a fresh view of this state (`template_context`); events go
to every listener in the order they are emitted.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..schemas.events import Event
from ..schemas.outputs import Metrics, StepOutput
from .providers import Model, create_model
from .providers.cassette import RECORDING
from .storage.memories import PROCESS_MEMORIES, MemoryStore
from .tools.mcp import McpServers

if TYPE_CHECKING:
    from .durability import Pending, Recorder
    from .providers.cassette import Cassette
    from .storage.sessions import Session

Listener = Callable[[Event], None]

# agno's `step_index` of the step running in this task (an int at the top of a
# workflow, a tuple inside blocks): the events of the agent or team a step runs
# carry it, as agno's do. A context variable, so parallel branches keep their own.
STEP_INDEX: ContextVar[Any] = ContextVar("agno_dsl_step_index", default=None)

# Events that carry the workflow's name; an agent's or team's events inside a
# workflow do not (agno).
_AGENT_EVENT_PREFIXES = ("Run", "Team", "Tool", "Model", "PreHook", "PostHook", "Memory")


class EventFeed:
    """The caller's own event listener (`on_event`, `agno_dsl.stream`): a run with one is
    agno's streaming path (`stream=True, stream_events=True`). agno's two paths differ in
    what a team leader reads of its members (the text of their streamed content events,
    or each answer whole), and agno-dsl keeps both."""

    __slots__ = ("listener",)

    def __init__(self, listener: Listener) -> None:
        self.listener = listener

    def __call__(self, event: Event) -> None:
        self.listener(event)


_SYNC_WORKERS = 8


def new_id() -> str:
    """A random (version 4) UUID as text, as `str(uuid.uuid4())` gives it.

    Built from the bytes directly: uuid.UUID's constructor is most of the cost
    of an id, and every run and agent run takes one.
    """
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(slots=True)
class Scope:
    """What a step sees locally: the previous output and block variables."""

    previous: StepOutput | None = None
    previous_name: str | None = None
    locals: dict[str, Any] = field(default_factory=dict)
    # Prefix of the durable keys of the steps run in this scope: "" at the top,
    # "polish[2]." inside loop iteration 2, "sub/" inside nested workflow sub.
    prefix: str = ""
    # agno's step_index of the i-th step of this scope's chain: None means the
    # top of a workflow (the index is i); a block sets how its children count.
    index_of: Callable[[int], Any] | None = None
    # What agno hands a function step as `previous_step_outputs`: the outputs
    # of the steps before it at its level and above (None: the run's top level).
    outputs: dict[str, StepOutput] | None = None

    @property
    def nested(self) -> bool:
        """Inside a block (not at the top level of a workflow)."""
        return self.index_of is not None

    def child(
        self,
        prefix: str | None = None,
        index_of: Callable[[int], Any] | None = None,
        outputs: dict[str, StepOutput] | None = None,
        **values: Any,
    ) -> Scope:
        return Scope(
            self.previous,
            self.previous_name,
            {**self.locals, **values} if values else self.locals,
            self.prefix if prefix is None else prefix,
            self.index_of if index_of is None else index_of,
            self.outputs if outputs is None else outputs,
        )

    def after(self, output: StepOutput | None, name: str | None) -> Scope:
        """This scope with `previous` moved on to `output`."""
        return Scope(output, name, self.locals, self.prefix, self.index_of, self.outputs)


_CONTAINERS = frozenset({"Condition", "Loop", "Router", "Steps"})


def template_value(output: StepOutput) -> Any:
    """What templates read as a step's `output`.

    agno gives blocks a summary text as content ("Loop review completed 2
    iterations…"); templates read what the language promises instead: a
    parallel block's mapping branch → output, and for the other blocks the
    output of the last step that ran inside.
    """
    kind = output.step_type
    if kind == "Parallel":
        return {inner.step_name: template_value(inner) for inner in output.steps or ()}
    if kind in _CONTAINERS and output.steps:
        return template_value(output.steps[-1])
    return output.content


class RunContext:
    """Everything shared by the steps of one run."""

    def __init__(
        self,
        *,
        input: Any,
        workflow_name: str | None,
        session_id: str | None,
        models: dict[str, Any],
        listeners: list[Listener],
        max_concurrency: int | None,
        session_state: dict[str, Any] | None = None,
        run_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        self.run_id = run_id or new_id()
        # agno gives every run a session; without one asked for, the run is its own
        self.session_id = session_id or new_id()
        self.workflow_name = workflow_name
        self.input = input
        self.state: dict[str, Any] = dict(session_state or {})
        self.steps: dict[str, dict[str, Any]] = {}
        self.step_outputs: dict[str, StepOutput] = {}
        # The outputs of the workflow's top-level steps, in order: agno's
        # previous_step_outputs at the top, and the run's step results.
        self.top_outputs: dict[str, StepOutput] = {}
        self.top_outputs_view: Mapping[str, StepOutput] = MappingProxyType(self.top_outputs)
        # What function steps get: read-only and live, so it is made once per run.
        self.step_outputs_view: Mapping[str, StepOutput] = MappingProxyType(self.step_outputs)
        self.listeners = listeners
        self.stopped = False
        self.recorder: Recorder | None = None
        self.session: Session | None = None
        self.user_id = user_id
        # Where user memories live: the run's storage, else the process (storage/memories.py)
        self.memories: MemoryStore = PROCESS_MEMORIES
        # --record: every model answer of the run is kept
        self.cassette: Cassette | None = RECORDING.get()
        # The caller listens (EventFeed): agno's streaming path, where agno's two paths
        # differ (docs/decisions.md); a workflow run decides it from its listeners.
        self.streaming = any(isinstance(listener, EventFeed) for listener in listeners)
        # Human decisions by step key (approve/reject or input values), from resume.
        self.decisions: dict[str, Any] = {}
        # Asks a human on a terminal; None means pause the run instead.
        self.ask: Callable[[Pending], Awaitable[Any]] | None = None
        self._metrics: Metrics | None = None
        self.stop_step: str | None = None
        self.model_configs = models
        self._models: dict[str, Model] = {}
        self.limit = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        self._executor: ThreadPoolExecutor | None = None
        # MCP sessions, one per server, opened on first use; nested runs share their parent's.
        self.mcp = McpServers()
        self.run_info = {"id": self.run_id, "session_id": self.session_id, "user_id": user_id}

    @property
    def metrics(self) -> Metrics:
        """The run's token totals, made on first use: a run of function steps never
        adds any, and with thousands of runs alive each one's copy counts."""
        if self._metrics is None:
            self._metrics = Metrics()
        return self._metrics

    def final_metrics(self) -> Metrics:
        """A copy of the run's totals for its output."""
        return self._metrics.model_copy() if self._metrics is not None else Metrics()

    # --- events --------------------------------------------------------------------

    def emit(self, event: str, **fields: Any) -> None:
        if not self.listeners:
            return
        if "step_index" not in fields and not event.startswith("Workflow"):
            index = STEP_INDEX.get()
            if index is not None:
                fields["step_index"] = index
        payload = Event.trusted(
            event=event,
            created_at=time.time(),
            run_id=fields.pop("run_id", self.run_id),
            session_id=self.session_id,
            workflow_name=None if event.startswith(_AGENT_EVENT_PREFIXES) else self.workflow_name,
            **fields,
        )
        for listener in self.listeners:
            listener(payload)

    # --- values --------------------------------------------------------------------

    def record(self, output: StepOutput, name: str | None = None) -> None:
        name = name or output.step_name or ""
        self.step_outputs[name] = output
        self.steps[name] = {
            "output": template_value(output) if output.steps else output.content,
            "success": output.success,
            "error": output.error,
        }

    def template_context(self, scope: Scope, **extra: Any) -> dict[str, Any]:
        previous = scope.previous
        context = {
            "input": self.input,
            "steps": self.steps,
            "previous": {"output": template_value(previous), "name": scope.previous_name}
            if previous is not None
            else {"output": None, "name": None},
            "state": self.state,
            "run": self.run_info,
        }
        if scope.locals:
            context.update(scope.locals)
        if extra:
            context.update(extra)
        return context

    # --- resources -----------------------------------------------------------------

    def share_models(self, parent: RunContext) -> None:
        """A nested run uses its parent's model instances (and scripted cursors)."""
        self._models = parent._models

    def model(self, name: str) -> Model:
        model = self._models.get(name)
        if model is None:
            model = create_model(name, self.model_configs[name])
            if self.cassette is not None:
                model = self.cassette.wrap(model)
            self._models[name] = model
        return model

    def executor(self) -> ThreadPoolExecutor:
        # Sync functions run here so they never block the event loop.
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=_SYNC_WORKERS, thread_name_prefix="agno-dsl-step"
            )
        return self._executor

    async def close_servers(self) -> None:
        """Close the run's MCP sessions; shielded, so a cancelled run still stops its servers."""
        await asyncio.shield(self.mcp.aclose())

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
