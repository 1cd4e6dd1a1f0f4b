"""Recorded runs: start a run in storage, resume it later (after a kill or a pause).

A run record keeps what is needed to continue in another process: the spec
file and its hash, the target, the input, the session, and the human
decisions given so far. Resuming re-loads the spec, restores every completed
step and runs the rest.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .interpreter.durability import LEASE_SECONDS, Pending, Recorder
from .interpreter.storage import RunRecord, Storage, open_storage
from .interpreter.storage.base import lease_owner
from .interpreter.storage.sessions import load_session
from .loader import Document, load_document
from .overrides import compiler_for
from .schemas.events import Event
from .schemas.outputs import RunOutput, TeamRunOutput, WorkflowRunOutput
from .schemas.spec import DEFAULT_STORAGE
from .telemetry import RunTracing, resume_point, run_tracing

if TYPE_CHECKING:
    from .interpreter.sinks.otel_export import Telemetry

Ask = Callable[[Pending], Awaitable[Any]]
FINISHED = ("completed", "failed")


class RunStateError(Exception):
    """The run cannot be resumed: unknown, finished, or held by another process."""


def storage_url(explicit: str | None, document: Document | None = None) -> str:
    """--storage, else AGNO_DSL_STORAGE, else the spec's storage:, else the default."""
    if explicit:
        return explicit
    if os.environ.get("AGNO_DSL_STORAGE"):
        return os.environ["AGNO_DSL_STORAGE"]
    if document is not None and document.spec.storage:
        return document.spec.storage
    return DEFAULT_STORAGE


def spec_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def run_recorded(
    document: Document,
    kind: str,
    name: str,
    input: Any,
    *,
    url: str,
    run_id: str,
    session_id: str | None,
    max_concurrency: int | None,
    models: dict[str, str] | None,
    listeners: list[Callable[[Event], None]],
    ask: Ask | None,
    trace: str | None = None,
    telemetry: Telemetry | None = None,
    opened: Storage | None = None,
) -> WorkflowRunOutput | RunOutput:
    """Record a new run and execute it; `opened` is a storage kept open by the caller
    (a batch runs thousands of runs on one), else `url` is opened for this run."""
    storage = opened or await open_storage(url)
    try:
        now = time.time()
        record = RunRecord(
            run_id=run_id,
            spec_path=str(document.path.resolve()),
            spec_hash=spec_hash(document.path),
            kind=kind,
            target=name,
            input=input,
            session_id=session_id,
            status="running",
            created_at=now,
            updated_at=now,
            max_concurrency=max_concurrency,
            models=dict(models or {}),
        )
        await storage.save_run(record)
        tracing = run_tracing(document, trace, telemetry)
        return await _execute(
            storage, document, record, [], listeners, ask, resumed=False, tracing=tracing
        )
    finally:
        if opened is None:
            await storage.close()


async def resume_recorded(
    run_id: str,
    *,
    url: str,
    decision: Any = None,
    listeners: list[Callable[[Event], None]],
    ask: Ask | None,
    force: bool = False,
    trace: str | None = None,
    telemetry: Telemetry | None = None,
    opened: Storage | None = None,
    document: Document | None = None,
) -> WorkflowRunOutput | RunOutput:
    """Continue a paused, interrupted or cancelled run without re-running what completed.

    `opened` as for `run_recorded`; `document` is the run's spec already loaded
    and checked by the caller (a batch), used wherever its file is."""
    storage = opened or await open_storage(url)
    try:
        record = await storage.get_run(run_id)
        if record is None:
            raise RunStateError(f"no run {run_id} in {storage.display_url}")
        if record.status in FINISHED:
            raise RunStateError(
                f"run {run_id} already finished ({record.status}); start a new run instead"
            )
        path = Path(record.spec_path)
        # A caller's document was checked by it (a batch; a Ray worker has the spec elsewhere).
        if document is None:
            if not path.is_file():
                raise RunStateError(f"run {run_id}: its spec {path} no longer exists")
            if spec_hash(path) != record.spec_hash and not force:
                raise RunStateError(
                    f"run {run_id}: {path} changed since the run started; "
                    "pass --force to resume with the new spec"
                )
        pending = Pending.from_json(record.pending) if record.pending else None
        if pending is not None and decision is None and ask is None:
            what = "--approve or --reject" if pending.kind == "confirm" else "-i key=value"
            raise RunStateError(
                f"run {run_id} waits at step '{pending.step_name}'"
                f"{': ' + pending.question if pending.question else ''}; "
                f"pass {what}"
            )
        if pending is not None and decision is not None:
            record.decisions[pending.key] = decision
        record.pending = None
        if document is None:
            document = load_document(path)
        restored = await storage.load_steps(run_id)
        tracing = run_tracing(document, trace, telemetry)
        return await _execute(
            storage, document, record, restored, listeners, ask, resumed=True, tracing=tracing
        )
    finally:
        if opened is None:
            await storage.close()


async def _execute(
    storage: Storage,
    document: Document,
    record: RunRecord,
    restored: list[tuple[str, dict[str, Any]]],
    listeners: list[Callable[[Event], None]],
    ask: Ask | None,
    resumed: bool,
    tracing: RunTracing | None = None,
) -> WorkflowRunOutput | RunOutput:
    from .interpreter.engine.workflow import execute_agent, execute_team, execute_workflow

    if tracing is not None:
        previous = await resume_point(storage, record.run_id) if resumed else None
        listeners = [*listeners, tracing.listener(previous)]
        try:
            return await _execute(storage, document, record, restored, listeners, ask, resumed)
        finally:
            await tracing.save(storage, record.run_id)

    owner = lease_owner()
    holder = await storage.acquire_lease(record.run_id, owner, LEASE_SECONDS)
    if holder is not None:
        raise RunStateError(f"run {record.run_id} is being run by another process ({holder})")
    compiler = compiler_for(document, record.models)
    session = None
    if record.session_id:
        section = {
            "workflow": document.spec.workflows,
            "agent": document.spec.agents,
            "team": document.spec.teams,
        }[record.kind]
        initial = section[record.target].session_state
        session = await load_session(storage, record.session_id, initial)
    recorder = Recorder(storage, record, restored, session)
    recorder.keep_lease(owner)
    try:
        if resumed:
            await recorder.save(status="running")
        if record.kind in ("agent", "team"):
            run_one = execute_agent if record.kind == "agent" else execute_team
            target = (compiler.agent if record.kind == "agent" else compiler.team)(record.target)
            result: WorkflowRunOutput | RunOutput | TeamRunOutput = await run_one(
                target,  # type: ignore[arg-type]
                record.input,
                models=compiler.models,
                listeners=[*listeners, recorder],
                session_id=record.session_id,
                run_id=record.run_id,
                recorder=recorder,
            )
            await recorder.save(
                status=result.status, output=result.model_dump(mode="json"), error=result.error
            )
            return result
        return await execute_workflow(
            compiler.workflow(record.target),
            record.input,
            models=compiler.models,
            listeners=[*listeners, recorder],
            session_id=record.session_id,
            max_concurrency=record.max_concurrency,
            run_id=record.run_id,
            recorder=recorder,
            decisions=record.decisions,
            ask=ask,
            resumed=resumed,
        )
    finally:
        await recorder.stop_lease(owner)
