"""The Ray executor: rows spread over async Ray actors, each running many runs on its loop.

The driver (the `agno-dsl batch` process) keeps the batch: it reads rows,
writes results and row records. Workers are async actors, each holding the
spec (shipped with the runtime_env working_dir: the spec's folder with its
helper modules), an open storage, and a RowRunner. Storage must be shared
(PostgreSQL or Redis). A worker that dies is restarted by Ray; its rows are
sent again with `resuming`, so their runs continue from storage, completed
steps not run again. The per-model limit is one `ModelSlots` actor for the
whole cluster.
"""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path
from typing import Any

from ..interpreter.storage.batches import BatchRow

# Rows re-sent after their worker died, before the row counts as failed.
WORKER_DEATHS_PER_ROW = 3
_EXCLUDES = ["*.db", "*.db-wal", "*.db-shm", ".agno-dsl", ".git", ".venv", "__pycache__"]


class RayError(Exception):
    """Ray cannot run the batch (not installed, no cluster at the address, wrong storage)."""


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayError("--executor ray needs Ray: pip install 'agno-dsl[ray]'") from None
    return ray


def check_storage(url: str) -> None:
    if url.startswith("sqlite"):
        raise RayError(
            "--executor ray needs storage every worker reaches: --storage postgresql://… "
            "or redis://… (SQLite is a file on one machine)"
        )


def connect(address: str | None, working_dir: Path, inputs: Path) -> Any:
    """ray.init on the cluster at `address` (or a local one), shipping the spec's folder."""
    ray = import_ray()
    if address and address != "auto":
        host, _, port = address.removeprefix("ray://").rpartition(":")
        try:
            socket.create_connection((host or "127.0.0.1", int(port)), timeout=5).close()
        except (OSError, ValueError):
            # ray.init would retry for minutes before saying so
            raise RayError(f"--ray-address {address}: no Ray cluster answers there") from None
    excludes = list(_EXCLUDES)
    if inputs.resolve().is_relative_to(working_dir.resolve()):
        excludes.append(str(inputs.resolve().relative_to(working_dir.resolve())))
    ray.init(
        address=address,
        runtime_env={"working_dir": str(working_dir), "excludes": excludes},
        logging_level="ERROR",
        log_to_driver=False,
        configure_logging=False,
    )
    return ray


class ModelSlots:
    """The cluster-wide per-model limit: one semaphore per model name, in one actor."""

    def __init__(self) -> None:
        self.semaphores: dict[str, asyncio.Semaphore] = {}

    async def acquire(self, model: str, limit: int) -> None:
        await self.semaphores.setdefault(model, asyncio.Semaphore(limit)).acquire()

    async def release(self, model: str) -> None:
        self.semaphores[model].release()


class _SlotsLimiter:
    """Takes model slots from the ModelSlots actor (providers/limits.Limiter)."""

    def __init__(self, slots: Any) -> None:
        self.slots = slots

    async def acquire(self, model: str, limit: int) -> None:
        await self.slots.acquire.remote(model, limit)

    async def release(self, model: str) -> None:
        await self.slots.release.remote(model)


class BatchWorker:
    """One Ray actor: runs rows of one batch, many at once on its event loop."""

    def __init__(
        self,
        spec_name: str,
        kind: str,
        target: str,
        batch_id: str,
        url: str,
        models: dict[str, str] | None,
        rate: dict[str, int] | None,
        allow_python: tuple[str, ...],
        slots: Any,
    ) -> None:
        self.args = (spec_name, kind, target, batch_id, url, models, allow_python)
        self.rate = rate
        self.slots = slots
        self.runner: Any = None

    async def _runner(self) -> Any:
        if self.runner is None:
            from ..interpreter.storage import open_storage
            from ..loader import load_document
            from .rows import RowRunner

            spec_name, kind, target, batch_id, url, models, allow_python = self.args
            document = load_document(Path.cwd() / spec_name, allow_python=allow_python)
            storage = await open_storage(url)
            self.runner = RowRunner(document, kind, target, batch_id, storage, models)
        return self.runner

    async def pid(self) -> int:
        return os.getpid()

    async def run(self, index: int, value: Any, resuming: bool) -> dict[str, Any]:
        from ..interpreter.providers.limits import LIMITER, RATE

        LIMITER.set(_SlotsLimiter(self.slots))
        if self.rate:
            RATE.set(self.rate)
        runner = await self._runner()
        row: BatchRow = await runner.run(index, value, resuming)
        return row.to_json()


class RayRows:
    """The driver's side: sends each row to the least busy worker, re-sends it when
    its worker dies."""

    def __init__(self, ray: Any, workers: list[Any]) -> None:
        self.ray = ray
        self.workers = workers
        self.busy = [0] * len(workers)

    @classmethod
    def start(
        cls,
        ray: Any,
        record: Any,
        url: str,
        settings: Any,
        workers: int | None,
        allow_python: tuple[str, ...],
    ) -> RayRows:
        count = workers or max(int(ray.cluster_resources().get("CPU", 1)), 1)
        slots = ray.remote(ModelSlots).options(max_concurrency=10_000, num_cpus=0).remote()
        per_worker = max(settings.concurrency // count, 1) + 1
        actor = ray.remote(BatchWorker).options(
            max_concurrency=per_worker, max_restarts=-1, max_task_retries=0, num_cpus=1
        )
        spec_name = Path(record.spec_path).name
        handles = [
            actor.remote(
                spec_name,
                record.kind,
                record.target,
                record.batch_id,
                url,
                settings.models,
                settings.rate,
                allow_python,
                slots,
            )
            for _ in range(count)
        ]
        return cls(ray, handles)

    async def run_row(self, index: int, value: Any, resuming: bool) -> BatchRow:
        from ray.exceptions import RayActorError, RayTaskError

        from ..interpreter.storage import StorageError

        for _ in range(WORKER_DEATHS_PER_ROW):
            slot = self.busy.index(min(self.busy))
            self.busy[slot] += 1
            try:
                data = await self.workers[slot].run.remote(index, value, resuming)
                return BatchRow.from_json(data)
            except RayActorError:
                resuming = True  # the run may have started: continue it, not a new one
            except RayTaskError as exc:
                cause = exc.cause if hasattr(exc, "cause") else None
                if isinstance(cause, StorageError):
                    raise StorageError(f"{cause} (from a Ray worker)") from None
                raise
            finally:
                self.busy[slot] -= 1
        return BatchRow(index, None, "failed", error="its Ray workers died again and again")

    def close(self) -> None:
        self.ray.shutdown()
