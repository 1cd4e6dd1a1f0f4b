"""The state of one run: step outputs, session state, models, events.

Templates read a fresh view of this state (`template_context`); events go
to every listener in the order they are emitted.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..schemas.events import Event
from ..schemas.outputs import Metrics, StepOutput
from .providers import Model, create_model
from .providers.cassette import RECORDING

if TYPE_CHECKING:
    from .durability import Pending, Recorder
    from .providers.cassette import Cassette
    from .storage.sessions import Session

Listener = Callable[[Event], None]

_SYNC_WORKERS = 8


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(slots=True)
class Scope:
    """What a step sees locally: the previous output and block variables."""

    previous: StepOutput | None = None
    previous_name: str | None = None
    locals: dict[str, Any] = field(default_factory=dict)
    # Prefix of the durable keys of the steps run in this scope: "" at the top,
    # "polish[2]." inside loop iteration 2, "sub/" inside nested workflow sub.
    prefix: str = ""

    def child(self, prefix: str | None = None, **values: Any) -> Scope:
        return Scope(
            self.previous,
            self.previous_name,
            {**self.locals, **values},
            self.prefix if prefix is None else prefix,
        )

    def after(self, output: StepOutput | None, name: str | None) -> Scope:
        """This scope with `previous` moved on to `output`."""
        return Scope(output, name, self.locals, self.prefix)


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
    ) -> None:
        self.run_id = run_id or new_id()
        # agno gives every run a session; without one asked for, the run is its own
        self.session_id = session_id or new_id()
        self.workflow_name = workflow_name
        self.input = input
        self.state: dict[str, Any] = dict(session_state or {})
        self.steps: dict[str, dict[str, Any]] = {}
        self.step_outputs: dict[str, StepOutput] = {}
        # What function steps get: read-only and live, so it is made once per run.
        self.step_outputs_view: Mapping[str, StepOutput] = MappingProxyType(self.step_outputs)
        self.listeners = listeners
        self.stopped = False
        self.recorder: Recorder | None = None
        self.session: Session | None = None
        # --record: every model answer of the run is kept
        self.cassette: Cassette | None = RECORDING.get()
        # Human decisions by step key (approve/reject or input values), from resume.
        self.decisions: dict[str, Any] = {}
        # Asks a human on a terminal; None means pause the run instead.
        self.ask: Callable[[Pending], Awaitable[Any]] | None = None
        self.metrics = Metrics()
        self.stop_step: str | None = None
        self.model_configs = models
        self._models: dict[str, Model] = {}
        self.limit = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        self._executor: ThreadPoolExecutor | None = None
        self.run_info = {"id": self.run_id, "session_id": self.session_id}

    # --- events --------------------------------------------------------------------

    def emit(self, event: str, **fields: Any) -> None:
        if not self.listeners:
            return
        payload = Event.trusted(
            event=event,
            created_at=time.time(),
            run_id=self.run_id,
            session_id=self.session_id,
            workflow_name=self.workflow_name,
            **fields,
        )
        for listener in self.listeners:
            listener(payload)

    # --- values --------------------------------------------------------------------

    def record(self, output: StepOutput) -> None:
        name = output.step_name or ""
        self.step_outputs[name] = output
        self.steps[name] = {
            "output": output.content,
            "success": output.success,
            "error": output.error,
        }

    def template_context(self, scope: Scope, **extra: Any) -> dict[str, Any]:
        previous = scope.previous
        context = {
            "input": self.input,
            "steps": self.steps,
            "previous": {"output": previous.content, "name": scope.previous_name}
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

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
