"""Batch records: one per `agno-dsl batch`, plus one row record per finished input row.

Kept apart from the run tables and from the backends' own modules: a batch
store borrows its storage's connection (`batch_tables.batch_store(storage)`) and owns two
tables (or key families) of its own, created on first use. A row record is
written once its run has finished; the run itself (steps, events, output)
lives in the run tables under a run id derived from the batch id and the row
index, so a row that was running when the process died is found and resumed.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from .base import Storage

# Run ids of batch rows are uuid5(batch id, row index): stable across resumes.
_ROW_NAMESPACE = uuid.UUID("6f1d2c1e-4b0a-5d8e-9c3f-7a2b1e0d4c5b")


def row_run_id(batch_id: str, index: int) -> str:
    return str(uuid.uuid5(_ROW_NAMESPACE, f"{batch_id}:{index}"))


@dataclass
class BatchRecord:
    """One batch: what it runs, over which inputs, with which options, how far."""

    batch_id: str
    spec_path: str
    spec_hash: str
    kind: str  # workflow | agent | team
    target: str
    inputs: str  # the inputs file, absolute
    status: str  # running | completed | aborted | interrupted
    created_at: float
    updated_at: float
    # how rows become inputs and what the batch tolerates (the CLI options given)
    options: dict[str, Any] = field(default_factory=dict)
    total: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BatchRecord:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass
class BatchRow:
    """The result of one input row, as the results file shows it."""

    index: int
    run_id: str | None
    status: str  # completed | failed | skipped (a bad row) | paused
    output: Any = None
    error: str | None = None
    tokens: int = 0
    duration: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BatchRow:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


class BatchStore(ABC):
    """Batch and row records in one storage."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    @abstractmethod
    async def save_batch(self, record: BatchRecord) -> None:
        """Insert or replace the batch record."""

    @abstractmethod
    async def get_batch(self, batch_id: str) -> BatchRecord | None: ...

    @abstractmethod
    async def save_rows(self, batch_id: str, rows: list[BatchRow]) -> None:
        """Insert or replace finished rows, all in one transaction."""

    @abstractmethod
    async def load_rows(self, batch_id: str) -> list[BatchRow]:
        """Every finished row of the batch, by index."""

    @abstractmethod
    async def list_batches(self, limit: int = 20) -> list[BatchRecord]:
        """Newest first."""

    @abstractmethod
    async def drop_batches(self) -> None:
        """Remove every batch record (tests clean up with it)."""
