"""Making a run survive its process: commit each step, restore on resume, pause.

The Recorder is the run's link to storage. It buffers events (as a
listener) and commits them together with each completed step's output, so a
step's output is durable before anything that depends on it starts. On
resume it hands back the outputs of steps that already completed.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from ..schemas.events import Event
from ..schemas.outputs import StepOutput
from .errors import AgnoDslError
from .storage import RunRecord, Storage
from .storage.sessions import Session

LEASE_SECONDS = 30.0


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


class Recorder:
    """Commits a run's progress to storage and restores it on resume."""

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
        self._events: list[dict[str, Any]] = []
        self._waiting: list[tuple[str, dict[str, Any], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._lease_task: asyncio.Task[None] | None = None

    # An event listener: events are committed with the next step or at the end.
    def __call__(self, event: Event) -> None:
        self._events.append(event.to_dict())

    def restored_output(self, key: str) -> StepOutput | None:
        return self.restored.get(key)

    async def step_done(self, key: str, output: StepOutput) -> None:
        """Return once the step is committed. Steps finishing together share a commit."""
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((key, output.model_dump(mode="json"), done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await asyncio.shield(done)

    async def _flush(self) -> None:
        # Group commit: everything queued while the previous commit ran goes in the next.
        while self._waiting:
            await asyncio.sleep(0)  # let steps finishing in this same tick join the batch
            batch, self._waiting = self._waiting, []
            events, self._events = self._events, []
            try:
                await self.storage.save_steps(
                    self.record.run_id, [(key, data) for key, data, _ in batch], events
                )
                await self.save_session()
            except BaseException as exc:
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, _, done in batch:
                if not done.done():
                    done.set_result(None)

    async def save_session(self) -> None:
        """session_state and history are persisted at the end of every step."""
        if self.session is not None:
            await self.storage.save_session(self.session.session_id, self.session.to_json())

    async def save(self, **changes: Any) -> None:
        """Update the run record (status, output, pending…) and flush events."""
        import time

        for name, value in changes.items():
            setattr(self.record, name, value)
        self.record.updated_at = time.time()
        events, self._events = self._events, []
        await self.storage.append_events(self.record.run_id, events)
        await self.storage.save_run(self.record)
        await self.save_session()

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
