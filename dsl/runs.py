"""Recorded runs: start a run in storage, resume it later (after a kill or a pause).

A run record keeps what is needed to continue in another process: the spec
file and its hash, the target, the input, the session, and the human
decisions given so far. Resuming re-loads the spec, restores every completed
step and runs the rest.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .answers import check_answer
from .interpreter.durability import LEASE_SECONDS, Pending, Recorder
from .interpreter.errors import describe
from .interpreter.storage import RunRecord, Storage, open_storage
from .interpreter.storage.base import lease_owner
from .interpreter.storage.sessions import load_session
from .loader import Document, load_document
from .overrides import compiler_for
from .schemas.events import Event
from .schemas.outputs import RunOutput, TeamRunOutput, WorkflowRunOutput
from .storage_choice import choose_storage
from .telemetry import RunTracing, resume_point, run_tracing

if TYPE_CHECKING:
    from .interpreter.engine.workflow import Resumed
    from .interpreter.sinks.otel_export import Telemetry

Ask = Callable[[Pending], Awaitable[Any]]
# A failed run can be resumed (after a fix): its completed steps are kept.
FINISHED = ("completed",)


class RunStateError(Exception):
    """The run cannot be resumed: unknown, finished, or held by another process."""


def storage_url(explicit: str | None, document: Document | None = None) -> str:
    """--storage, else AGNO_DSL_STORAGE, else the spec's storage:, else the default."""
    return choose_storage(explicit, document).url


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
    user_id: str | None = None,
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
            allow_python=list(document.allow_python),
            user_id=user_id,
        )
        await storage.save_run(record)
        tracing = run_tracing(document, trace, telemetry)
        return await _execute(
            storage, document, record, [], listeners, ask, resumed=None, tracing=tracing
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
            raise RunStateError(
                f"no run {run_id} in {storage.display_url} (a run recorded through a "
                "spec's storage: is found by naming that spec: --spec FILE)"
            )
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
        if pending is None and decision is not None:
            raise RunStateError(
                f"run {run_id} is not waiting for an answer ({record.status}); "
                "resume it without --approve, --reject or -i"
            )
        if pending is not None and decision is not None:
            check_answer(run_id, pending, decision)  # a wrong answer leaves the run paused
            record.decisions[pending.key] = decision
        record.pending = None
        if document is None:
            document = load_document(path, allow_python=record.allow_python)
        restored = await storage.load_steps(run_id)
        paused = pending.state if pending is not None else None
        # A paused run continues (agno: no new WorkflowStarted); an interrupted one restarts.
        how: Resumed = "continued" if pending is not None else "restarted"
        tracing = run_tracing(document, trace, telemetry)
        run_args = (storage, document, record, restored, listeners, ask)
        return await _execute(*run_args, resumed=how, paused=paused, tracing=tracing)
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
    resumed: Resumed,
    paused: dict[str, Any] | None = None,
    tracing: RunTracing | None = None,
    streaming: bool | None = None,
) -> WorkflowRunOutput | RunOutput:
    from .interpreter.engine.workflow import execute_agent, execute_team, execute_workflow

    if streaming is None:
        # Someone asked for the run's events: agno's streaming path (docs/decisions.md).
        # The sinks added below (telemetry, the recorder) only observe.
        streaming = bool(listeners)
    if tracing is not None:
        previous = await resume_point(storage, record.run_id) if resumed else None
        listeners = [*listeners, tracing.listener(previous)]
        run_args = (storage, document, record, restored, listeners, ask)
        try:
            return await _execute(*run_args, resumed, paused=paused, streaming=streaming)
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
        session = await load_session(storage, record.session_id, initial, record.user_id)
    recorder = Recorder(storage, record, restored, session)
    recorder.keep_lease(owner)
    try:
        if resumed:
            await recorder.save(status="running")
        if record.kind in ("agent", "team"):
            result: WorkflowRunOutput | RunOutput | TeamRunOutput
            common: dict[str, Any] = {
                "models": compiler.models,
                "listeners": [*listeners, recorder],
                "session_id": record.session_id,
                "run_id": record.run_id,
                "recorder": recorder,
                "user_id": record.user_id,
            }
            if record.kind == "agent":
                result = await execute_agent(
                    compiler.agent(record.target),
                    record.input,
                    decisions=record.decisions,
                    resume=paused,
                    **common,
                )
            else:
                result = await execute_team(compiler.team(record.target), record.input, **common)
            await recorder.save(
                status=result.status,
                output=result.model_dump(mode="json"),
                error=result.error,
                pending=getattr(result, "pending", None),
                decisions=record.decisions,
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
            streaming=streaming,
            user_id=record.user_id,
        )
    except Exception as exc:
        # Whatever escaped the run, the record must not claim it is still running.
        await recorder.save(status="failed", error=describe(exc))
        raise
    finally:
        await recorder.stop_lease(owner)
