"""The Python API: load a spec, run it, stream its events."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from .errors import UsageError
from .loader import Document, load_document
from .overrides import compiler_for
from .schemas.base import unknown_name_message
from .schemas.events import Event
from .schemas.outputs import RunOutput, WorkflowRunOutput
from .schemas.spec import Spec

if TYPE_CHECKING:
    from .interpreter.sinks.otel_export import Telemetry

Target: TypeAlias = str | os.PathLike[str] | Spec


def load(path: str | os.PathLike[str], *, allow_python: Iterable[str] = ()) -> Spec:
    """Load and check a spec file; raise SpecError listing every problem.

    `allow_python` widens the spec's Python policy like its `python_allow:`
    (module names, or `module:callable`).
    """
    document = load_document(path, allow_python=allow_python)
    document.spec._document = document
    return document.spec


def _document(target: Target) -> Document:
    if isinstance(target, Spec):
        if target._document is None:
            raise UsageError("this Spec was not made by agno_dsl.load(); pass a file path")
        return target._document  # type: ignore[no-any-return]
    return load_document(target)


def choose_target(
    document: Document,
    workflow: str | None = None,
    agent: str | None = None,
    team: str | None = None,
) -> tuple[str, str]:
    """('workflow' | 'agent' | 'team', name) of what to run."""
    spec = document.spec
    chosen = [
        (kind, name)
        for kind, name in (("workflow", workflow), ("agent", agent), ("team", team))
        if name is not None
    ]
    if len(chosen) > 1:
        raise UsageError("name one of --workflow, --agent, --team")
    if chosen:
        kind, name = chosen[0]
        known = getattr(spec, kind + "s")
        if name not in known:
            raise UsageError(unknown_name_message(kind, name, set(known)))
        return kind, name
    entry = _entry_workflows(document)
    if len(entry) == 1 and len(spec.workflows) > 1:
        return "workflow", entry[0]  # the others only run as its nested steps
    top_teams = [
        name for name in spec.teams if not any(name in team.members for team in spec.teams.values())
    ]
    if not spec.workflows and len(top_teams) == 1 and len(spec.teams) > 1:
        return "team", top_teams[0]  # the others are its members
    for kind in ("workflow", "team", "agent"):
        known = list(getattr(spec, kind + "s"))
        if len(known) == 1 and (kind == "workflow" or not spec.workflows):
            return kind, known[0]
        if len(known) > 1:
            raise UsageError(
                f"the spec has {len(known)} {kind}s ({', '.join(known)}); "
                f"choose one with --{kind} NAME"
            )
    raise UsageError("the spec defines no workflow, team or agent to run")


def _entry_workflows(document: Document) -> list[str]:
    """Workflows that no other workflow runs as a step."""
    nested = {
        step.step.workflow
        for outline in document.outlines.values()
        for step in outline.walk()
        if step.kind == "workflow"
    }
    return [name for name in document.spec.workflows if name not in nested]


async def arun(
    target: Target,
    input: Any = None,
    *,
    workflow: str | None = None,
    agent: str | None = None,
    team: str | None = None,
    session_id: str | None = None,
    max_concurrency: int | None = None,
    models: dict[str, str] | None = None,
    run_id: str | None = None,
    on_event: Callable[[Event], None] | None = None,
    storage: str | None = None,
    record: str | os.PathLike[str] | None = None,
    ask: Any = None,
    trace: str | None = None,
    telemetry: Telemetry | None = None,
    user_id: str | None = None,
) -> WorkflowRunOutput | RunOutput:
    """Run a workflow (or an agent) of a spec and return its output.

    `user_id` names the user the run is for: agents with memory options keep
    and read that user's memories (agno's "default" user when omitted).

    With `storage` (a URL), or a spec with `storage:`, the run is recorded so
    it can be resumed (`resume`). Run-time failures are reported in the
    output's `status` and `error`; bad specs raise SpecError, bad input
    raises InputCheckError. `trace` (otlp, console or a FILE.jsonl) turns
    telemetry on, as the spec's `telemetry:` section does; `telemetry` is a
    ready OpenTelemetry setup to use instead (own exporters or readers).
    """
    with _recording(record):
        return await _arun(
            _document(target),
            input,
            (workflow, agent, team),
            session_id=session_id,
            max_concurrency=max_concurrency,
            models=models,
            run_id=run_id,
            listeners=_feed(on_event),
            storage=storage,
            ask=ask,
            trace=trace,
            telemetry=telemetry,
            user_id=user_id,
        )


@contextlib.contextmanager
def _recording(record: str | os.PathLike[str] | None) -> Iterator[None]:
    """With a path: keep every model answer, and write them there as a cassette."""
    if record is None:
        yield
        return
    from .interpreter.providers.cassette import RECORDING, Cassette

    cassette = Cassette()
    token = RECORDING.set(cassette)
    try:
        yield
    finally:
        RECORDING.reset(token)
        cassette.save(Path(record))


async def _arun(
    document: Document,
    input: Any,
    names: tuple[str | None, str | None, str | None],
    *,
    session_id: str | None,
    max_concurrency: int | None,
    models: dict[str, str] | None,
    run_id: str | None,
    listeners: list[Callable[[Event], None]],
    storage: str | None,
    ask: Any,
    trace: str | None,
    telemetry: Telemetry | None,
    user_id: str | None,
) -> WorkflowRunOutput | RunOutput:
    """What `arun` does once the spec is loaded: recorded, or kept nowhere."""
    from .interpreter.context import new_id

    kind, name = choose_target(document, *names)
    compiler = compiler_for(document, models)
    url = storage or document.spec.storage
    if url:
        from .runs import run_recorded

        if kind == "workflow":  # check the input before anything is recorded
            from .interpreter.inputs import check_input

            plan = compiler.workflow(name)
            check_input(plan.input_schema, input, plan.input_schema_where, f"workflow '{name}'")
        return await run_recorded(
            document,
            kind,
            name,
            input,
            url=url,
            run_id=run_id or new_id(),
            session_id=session_id,
            max_concurrency=max_concurrency,
            models=models,
            listeners=listeners,
            ask=ask,
            trace=trace,
            telemetry=telemetry,
            user_id=user_id,
        )
    from .telemetry import run_tracing

    options: dict[str, Any] = {
        "session_id": session_id,
        "max_concurrency": max_concurrency,
        "run_id": run_id,
        "ask": ask,
        "user_id": user_id,
    }
    tracing = run_tracing(document, trace, telemetry)
    if tracing is None:
        return await _run_unrecorded(compiler, kind, name, input, listeners, **options)
    listeners.append(tracing.listener())
    try:
        return await _run_unrecorded(compiler, kind, name, input, listeners, **options)
    finally:
        tracing.discard()


async def _run_unrecorded(
    compiler: Any,
    kind: str,
    name: str,
    input: Any,
    listeners: list[Callable[[Event], None]],
    *,
    session_id: str | None,
    max_concurrency: int | None,
    run_id: str | None,
    ask: Any,
    user_id: str | None = None,
) -> WorkflowRunOutput | RunOutput:
    """A run kept nowhere: nothing to resume, events only to the listeners; user
    memories are kept by the process (interpreter/storage/memories.py)."""
    from .interpreter.engine.workflow import execute_agent, execute_workflow

    if kind == "team":
        from .interpreter.engine.workflow import execute_team

        return await execute_team(
            compiler.team(name),
            input,
            models=compiler.models,
            listeners=listeners,
            session_id=session_id,
            run_id=run_id,
            user_id=user_id,
        )
    if kind == "workflow":
        plan = compiler.workflow(name)
        return await execute_workflow(
            plan,
            input,
            models=compiler.models,
            listeners=listeners,
            session_id=session_id,
            max_concurrency=max_concurrency,
            run_id=run_id,
            ask=ask,
            user_id=user_id,
        )
    return await execute_agent(
        compiler.agent(name),
        input,
        models=compiler.models,
        listeners=listeners,
        session_id=session_id,
        run_id=run_id,
        user_id=user_id,
    )


async def aresume(
    run_id: str,
    *,
    storage: str | None = None,
    spec: str | os.PathLike[str] | None = None,
    approve: bool | None = None,
    values: dict[str, Any] | None = None,
    on_event: Callable[[Event], None] | None = None,
    ask: Any = None,
    force: bool = False,
    trace: str | None = None,
    telemetry: Telemetry | None = None,
) -> WorkflowRunOutput | RunOutput:
    """Continue a paused, interrupted, cancelled or failed run; completed steps are not
    run again.

    The run is looked up in `storage` (a URL), else AGNO_DSL_STORAGE, else the
    `storage:` of `spec` (the spec file the run was started with), else the
    default. A run waiting at a `confirm:` step is answered with
    `approve=True` (run it) or `approve=False` (skip it); one waiting at an
    `input_required:` step with `values={...}` matching its schema (or
    `approve=False` to skip it). An answer that does not fit raises
    UsageError and leaves the run paused. A traced run continues its trace
    (same trace id, a link to the previous attempt's root span).
    """
    from .runs import resume_recorded
    from .storage_choice import choose_storage

    if approve is not None and values is not None:
        raise UsageError("give approve= or values=, not both; nothing was changed")
    decision: Any = None
    if approve is not None:
        decision = "approve" if approve else "reject"
    elif values is not None:
        decision = values
    document = load_document(spec) if spec is not None else None
    return await resume_recorded(
        run_id,
        url=choose_storage(storage, document).url,
        decision=decision,
        listeners=_feed(on_event),
        ask=ask,
        force=force,
        trace=trace,
        telemetry=telemetry,
    )


def _feed(on_event: Callable[[Event], None] | None) -> list[Callable[[Event], None]]:
    """The caller's listener, marked as agno's streaming path."""
    if on_event is None:
        return []
    from .interpreter.context import EventFeed

    return [EventFeed(on_event)]


def _outside_event_loop(function: str) -> None:
    """asyncio.run() cannot start inside a running loop (Jupyter, async code): say what to use."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise UsageError(
        f"agno_dsl.{function}() was called inside a running event loop (Jupyter, async "
        f"code); use `await agno_dsl.a{function}(...)` there"
    )


def resume(
    run_id: str,
    *,
    storage: str | None = None,
    spec: str | os.PathLike[str] | None = None,
    approve: bool | None = None,
    values: dict[str, Any] | None = None,
    on_event: Callable[[Event], None] | None = None,
    ask: Any = None,
    force: bool = False,
    trace: str | None = None,
    telemetry: Telemetry | None = None,
) -> WorkflowRunOutput | RunOutput:
    """Synchronous `aresume` (outside a running event loop)."""
    _outside_event_loop("resume")
    return asyncio.run(
        aresume(
            run_id,
            storage=storage,
            spec=spec,
            approve=approve,
            values=values,
            on_event=on_event,
            ask=ask,
            force=force,
            trace=trace,
            telemetry=telemetry,
        )
    )


def run(
    target: Target,
    input: Any = None,
    *,
    workflow: str | None = None,
    agent: str | None = None,
    team: str | None = None,
    session_id: str | None = None,
    max_concurrency: int | None = None,
    models: dict[str, str] | None = None,
    run_id: str | None = None,
    on_event: Callable[[Event], None] | None = None,
    storage: str | None = None,
    record: str | os.PathLike[str] | None = None,
    ask: Any = None,
    trace: str | None = None,
    telemetry: Telemetry | None = None,
    user_id: str | None = None,
) -> WorkflowRunOutput | RunOutput:
    """Synchronous `arun` (outside a running event loop; there, `await arun(...)`)."""
    _outside_event_loop("run")
    return asyncio.run(
        arun(
            target,
            input,
            workflow=workflow,
            agent=agent,
            team=team,
            session_id=session_id,
            max_concurrency=max_concurrency,
            models=models,
            run_id=run_id,
            on_event=on_event,
            storage=storage,
            record=record,
            ask=ask,
            trace=trace,
            telemetry=telemetry,
            user_id=user_id,
        )
    )


async def stream(
    target: Target,
    input: Any = None,
    *,
    workflow: str | None = None,
    agent: str | None = None,
    team: str | None = None,
    session_id: str | None = None,
    max_concurrency: int | None = None,
    models: dict[str, str] | None = None,
    run_id: str | None = None,
    storage: str | None = None,
    record: str | os.PathLike[str] | None = None,
    ask: Any = None,
    trace: str | None = None,
    telemetry: Telemetry | None = None,
    user_id: str | None = None,
) -> AsyncIterator[Event]:
    """Run and yield each event as it happens; the last one ends the run."""
    queue: asyncio.Queue[Event | None] = asyncio.Queue()
    task = asyncio.create_task(
        arun(
            target,
            input,
            workflow=workflow,
            agent=agent,
            team=team,
            session_id=session_id,
            max_concurrency=max_concurrency,
            models=models,
            run_id=run_id,
            on_event=queue.put_nowait,
            storage=storage,
            record=record,
            ask=ask,
            trace=trace,
            telemetry=telemetry,
            user_id=user_id,
        )
    )
    task.add_done_callback(lambda _: queue.put_nowait(None))
    try:
        while (event := await queue.get()) is not None:
            yield event
        task.result()  # re-raise SpecError / InputCheckError
    finally:
        if not task.done():
            task.cancel()
