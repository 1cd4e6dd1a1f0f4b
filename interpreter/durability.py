"""Making a run survive its process: commit each step, restore on resume, pause.

The Recorder is the run's link to storage. It buffers events (as a
listener) and commits them together with each completed step's output, so a
step's output is durable before anything that depends on it starts. On
resume it hands back the outputs of steps that already completed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

from ..schemas.events import Event
from ..schemas.outputs import StepOutput
from .errors import AgnoDslError
from .storage import Commit, EncodedRun, RunRecord, Storage, encode
from .storage.sessions import Session

LEASE_SECONDS = 30.0
IDLE_EVENT_FLUSH = 0.5  # seconds events may wait for a step's commit before going alone


@dataclass(frozen=True)
class Pending:
    """A step waiting for a human: a confirmation or some input."""

    key: str
    step_name: str
    kind: str  # "confirm" | "input"
    question: str | None = None
    schema: dict[str, Any] | None = None
    # A paused agent's conversation, so resuming continues it (agno's continue_run)
    state: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "step_name": self.step_name,
            "kind": self.kind,
            "question": self.question,
            "schema": self.schema,
            "state": self.state,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pending:
        return cls(**data)

    def with_state(self, state: dict[str, Any]) -> Pending:
        return Pending(self.key, self.step_name, self.kind, self.question, self.schema, state)


class RunPaused(AgnoDslError):  # noqa: N818 - a signal, like agno's pause
    """Raised inside the run when a step waits for a human."""

    def __init__(self, pending: Pending) -> None:
        super().__init__(f"step '{pending.step_name}' waits for a human")
        self.pending = pending


def _settle(waiting: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for done in waiting:
        if done.done():
            continue  # its caller was cancelled
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)


class Recorder:
    """Commits a run's progress to storage and restores it on resume.

    It is the run's only writer, one `Commit` at a time, so a run's events and
    steps reach storage in order and backends need no lock of their own.
    Outputs and events are encoded to JSON once, when they are handed over.
    Steps finishing in the same turn of the event loop, or while a commit is
    under way, go together in the next commit (group commit). A storage that
    can commit without waiting (SQLite, when not busy) commits right in the
    step's task; otherwise a writer task does, one commit after the other.
    """

    def __init__(
        self,
        storage: Storage,
        record: RunRecord,
        restored: list[tuple[str, dict[str, Any]]] | None = None,
        session: Session | None = None,
    ) -> None:
        self.storage = storage
        self.session = session
        self.record = record
        self.restored = {key: StepOutput.model_validate(data) for key, data in restored or []}
        self.restored_order = [key for key, _ in restored or []]
        self._events: list[str] = []
        self._steps: dict[str, str] = {}
        self._record_changed = False
        self._waiting: list[asyncio.Future[None]] = []
        self._writer: asyncio.Task[None] | None = None
        self._lease_task: asyncio.Task[None] | None = None
        self._idle_flush: asyncio.TimerHandle | None = None

    # An event listener: events are committed with the next step or at the end, or,
    # when no step commits for IDLE_EVENT_FLUSH seconds, on their own, so a run killed
    # inside a long step still shows which step it cut off.
    def __call__(self, event: Event) -> None:
        self._events.append(event.model_dump_json(exclude_none=True))
        if self._idle_flush is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            self._idle_flush = loop.call_later(IDLE_EVENT_FLUSH, self._flush_idle_events)

    def _flush_idle_events(self) -> None:
        self._idle_flush = None
        if self._events and self._writer is None and not self._waiting:
            # A commit of the events alone, through the same single writer path.
            task = asyncio.get_running_loop().create_task(self._committed())
            task.add_done_callback(_ignore_failure)

    def restored_output(self, key: str) -> StepOutput | None:
        return self.restored.get(key)

    async def step_done(self, key: str, output: StepOutput) -> None:
        """Return once the step is committed. Steps finishing together share a commit."""
        self._steps[key] = output.model_dump_json()
        await self._committed()

    async def save(self, **changes: Any) -> None:
        """Update the run record (status, output, pending…) and commit it with the events."""
        if self._idle_flush is not None:
            self._idle_flush.cancel()
            self._idle_flush = None
        for name, value in changes.items():
            setattr(self.record, name, value)
        self.record.updated_at = time.time()
        self._record_changed = True
        await self._committed()

    async def _committed(self) -> None:
        # One future per caller: a cancelled caller cancels only its own wait,
        # never the commit the others are waiting for.
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._waiting.append(done)
        if self._writer is None and self.storage.commits_now:
            try:
                await asyncio.sleep(0)  # steps finishing in this same turn join the commit
            except asyncio.CancelledError:
                done.cancel()  # what it waited for is committed with whatever comes next
                raise
            if self._writer is None and self._waiting:
                commit, waiting = self._take()
                try:
                    committed = self.storage.commit_now(commit)
                except Exception as exc:
                    self._events[:0] = commit.events  # they go with the next commit
                    _settle(waiting, exc)
                else:
                    if committed:
                        _settle(waiting, None)
                    else:  # the database is busy: wait for it off the loop
                        self._writer = loop.create_task(self._write((commit, waiting)))
        elif self._writer is None:
            # Started on the next turn of the loop, so that steps finishing in
            # this same turn join the first commit.
            self._writer = loop.create_task(self._write())
        await done

    async def _write(self, first: tuple[Commit, list[asyncio.Future[None]]] | None = None) -> None:
        try:
            while first is not None or self._waiting:
                commit, waiting = first or self._take()
                first = None
                try:
                    await self.storage.commit(commit)
                except BaseException as exc:
                    self._events[:0] = commit.events  # they go with the next commit
                    _settle(waiting, exc)
                    if isinstance(exc, asyncio.CancelledError):
                        raise
                    continue
                _settle(waiting, None)
        finally:
            self._writer = None

    def _take(self) -> tuple[Commit, list[asyncio.Future[None]]]:
        """What is waiting, as one Commit; session_state is saved with every step."""
        commit = Commit(self.record.run_id, list(self._steps.items()), self._events)
        if self._record_changed:
            commit.run = EncodedRun.of(self.record)
        if self.session is not None:
            commit.session = (self.session.session_id, encode(self.session.to_json()))
        waiting, self._waiting = self._waiting, []
        self._steps, self._events, self._record_changed = {}, [], False
        return commit, waiting

    def keep_lease(self, owner: str) -> None:
        """Renew the run's lease in the background while it runs."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(LEASE_SECONDS / 3)
                await self.storage.acquire_lease(self.record.run_id, owner, LEASE_SECONDS)

        self._lease_task = asyncio.create_task(renew())

    async def stop_lease(self, owner: str) -> None:
        if self._lease_task is not None:
            self._lease_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lease_task
        await self.storage.release_lease(self.record.run_id, owner)


def _ignore_failure(task: asyncio.Task[None]) -> None:
    """An idle flush that failed keeps its events queued for the next commit; the
    exception is read here so asyncio does not log it as never retrieved."""
    if not task.cancelled():
        task.exception()
