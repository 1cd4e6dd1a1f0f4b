"""The storage interface every backend implements, and what it stores.

A run is one record (its spec, target, input, status, final output and any
pending human decision), plus the outputs of its completed steps keyed by
step key, plus its events in order, plus its telemetry spans when traced.
Sessions hold agent history and state.
"""

from __future__ import annotations

import os
import socket
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SCHEMA_VERSION = 1


class StorageError(Exception):
    """The storage cannot be used; the message names the URL without its password."""


def redact_url(url: str) -> str:
    """`postgresql://user:secret@host/db` → `postgresql://user:***@host/db`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass
class RunRecord:
    """A run as storage keeps it: status, input, pending step, decisions."""

    run_id: str
    spec_path: str
    spec_hash: str
    kind: str  # workflow | agent
    target: str
    input: Any
    session_id: str | None
    status: str
    created_at: float
    updated_at: float
    max_concurrency: int | None = None
    models: dict[str, str] = field(default_factory=dict)
    output: Any = None
    error: str | None = None
    pending: dict[str, Any] | None = None
    decisions: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        # Shallow on purpose: asdict() deep-copies the whole run output on every save.
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})


def lease_owner() -> str:
    """Who holds a lease: host and pid, so a dead local holder can be detected."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_dead(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Storage(ABC):
    """Async storage of runs, step outputs, events and sessions."""

    url: str

    @property
    def display_url(self) -> str:
        return redact_url(self.url)

    @abstractmethod
    async def open(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def save_run(self, record: RunRecord) -> None:
        """Insert or replace a run record."""

    @abstractmethod
    async def get_run(self, run_id: str) -> RunRecord | None: ...

    @abstractmethod
    async def list_runs(self, status: str | None = None, limit: int = 20) -> list[RunRecord]:
        """Newest first."""

    @abstractmethod
    async def save_steps(
        self, run_id: str, steps: list[tuple[str, dict[str, Any]]], events: list[dict[str, Any]]
    ) -> None:
        """Commit completed steps (and the events before them) in one transaction."""

    async def save_step(
        self, run_id: str, key: str, output: dict[str, Any], events: list[dict[str, Any]]
    ) -> None:
        await self.save_steps(run_id, [(key, output)], events)

    @abstractmethod
    async def load_steps(self, run_id: str) -> list[tuple[str, dict[str, Any]]]:
        """Completed steps in the order they were saved."""

    @abstractmethod
    async def append_events(self, run_id: str, events: list[dict[str, Any]]) -> None: ...

    @abstractmethod
    async def load_events(self, run_id: str) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def save_spans(self, run_id: str, spans: list[dict[str, Any]]) -> None:
        """Append finished telemetry spans of the run (a resumed run adds its own)."""

    @abstractmethod
    async def load_spans(self, run_id: str) -> list[dict[str, Any]]:
        """The run's spans in the order they were saved."""

    @abstractmethod
    async def acquire_lease(self, run_id: str, owner: str, ttl: float) -> str | None:
        """Take the run's lease; return None on success, else the current holder."""

    @abstractmethod
    async def release_lease(self, run_id: str, owner: str) -> None: ...

    @abstractmethod
    async def get_session(self, session_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    async def save_session(self, session_id: str, data: dict[str, Any]) -> None: ...

    @abstractmethod
    async def list_sessions(self, limit: int = 50) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def drop_all(self) -> None:
        """Remove everything this storage holds (tests use it to clean up)."""
