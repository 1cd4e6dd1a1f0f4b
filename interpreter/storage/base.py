"""The storage interface every backend implements, and what it stores.

A run is one record (its spec, target, input, status, final output and any
pending human decision), plus the outputs of its completed steps keyed by
step key, plus its events in order, plus its telemetry spans when traced.
Sessions hold agent history and state.

A running run writes through `Storage.commit`: one `Commit` (steps, the events
before them, and the run record or session when they changed), encoded as
JSON once by the Recorder, written atomically in one round trip.
"""

from __future__ import annotations

import json
import os
import socket
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .memories import MemoryStore

SCHEMA_VERSION = 1


class StorageError(Exception):
    """The storage cannot be used; the message names the URL without its password."""


# Query parameters that carry credentials in the URLs libpq and redis-py accept.
SECRET_PARAMS = frozenset({"password", "passwd", "pass", "token", "secret", "sslpassword", "key"})


def url_has_secret(url: str) -> bool:
    """A password in the URL's user part, or a credential in its query string."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return False
    return bool(password) or any(
        key.lower() in SECRET_PARAMS for key, _ in parse_qsl(parts.query, keep_blank_values=True)
    )


def redact_url(url: str) -> str:
    """`postgresql://user:secret@host/db?password=x` → `postgresql://user:***@host/db?password=***`."""
    if not url_has_secret(url):
        return url  # untouched: urlunsplit would also respell sqlite:////abs paths
    parts = urlsplit(url)
    password = parts.password
    if password is not None:
        netloc = parts.netloc.replace(f":{password}@", ":***@", 1)
        parts = parts._replace(netloc=netloc)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key.lower() in SECRET_PARAMS for key, _ in query):
        hidden = [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in query]
        parts = parts._replace(query=urlencode(hidden, safe="*"))
    return urlunsplit(parts)


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
    allow_python: list[str] = field(default_factory=list)  # the policy widened at run time
    user_id: str | None = None  # the user the run is for (memories)

    def to_json(self) -> dict[str, Any]:
        # Shallow on purpose: asdict() deep-copies the whole run output on every save.
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})


def encode(value: Any) -> str:
    """JSON text as every backend stores it."""
    return json.dumps(value, default=str)


@dataclass(frozen=True)
class EncodedRun:
    """A run record ready to store: what backends index it by, and its JSON."""

    run_id: str
    status: str
    created_at: float
    data: str

    @classmethod
    def of(cls, record: RunRecord) -> EncodedRun:
        return cls(record.run_id, record.status, record.created_at, encode(record.to_json()))


@dataclass
class Commit:
    """One atomic write of a run's progress, already encoded as JSON text.

    Events are appended after the run's last one, steps are saved (or replaced)
    by key, and the run record and session are replaced when present. The
    Recorder is a run's only writer (the lease keeps other processes out and it
    writes one Commit at a time), so backends need no lock of their own here.
    """

    run_id: str
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step key, output JSON)
    events: list[str] = field(default_factory=list)  # JSON, in order
    run: EncodedRun | None = None
    session: tuple[str, str] | None = None  # (session id, document JSON)


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


def live_holder(row: Any) -> str | None:
    """The owner of a (lease_owner, lease_until) row while its lease is alive, else None."""
    if not row or not row[0] or not row[1] or row[1] <= time.time() or owner_is_dead(row[0]):
        return None
    return str(row[0])


class Storage(MemoryStore, ABC):
    """Async storage of runs, step outputs, events, sessions and user memories."""

    url: str
    # Shared by the runs of one event loop (shared.py): close() leaves it open
    # for the next run, and the loop's end closes it.
    shared = False

    @property
    def display_url(self) -> str:
        return redact_url(self.url)

    @abstractmethod
    async def open(self) -> None: ...

    async def close(self) -> None:
        if not self.shared:
            await self.close_connections()

    @abstractmethod
    async def close_connections(self) -> None:
        """Close for real, shared or not."""

    async def save_run(self, record: RunRecord) -> None:
        """Insert or replace a run record."""
        await self.commit(Commit(record.run_id, run=EncodedRun.of(record)))

    @abstractmethod
    async def get_run(self, run_id: str) -> RunRecord | None: ...

    @abstractmethod
    async def list_runs(self, status: str | None = None, limit: int = 20) -> list[RunRecord]:
        """Newest first."""

    @abstractmethod
    async def commit(self, commit: Commit) -> None:
        """Write `commit` atomically; once this returns it survives our process dying."""

    # True when commit_now can work: a commit costs less than a turn of the loop.
    commits_now = False

    def commit_now(self, commit: Commit) -> bool:
        """`commit` right now without waiting for anything, if that is possible;
        False (nothing written) when it would have to wait: then use `commit`."""
        return False

    async def save_steps(
        self, run_id: str, steps: list[tuple[str, dict[str, Any]]], events: list[dict[str, Any]]
    ) -> None:
        """Commit completed steps (and the events before them) in one transaction."""
        encoded = [(key, encode(output)) for key, output in steps]
        await self.commit(Commit(run_id, encoded, list(map(encode, events))))

    async def save_step(
        self, run_id: str, key: str, output: dict[str, Any], events: list[dict[str, Any]]
    ) -> None:
        await self.save_steps(run_id, [(key, output)], events)

    @abstractmethod
    async def load_steps(self, run_id: str) -> list[tuple[str, dict[str, Any]]]:
        """Completed steps in the order they were saved."""

    async def append_events(self, run_id: str, events: list[dict[str, Any]]) -> None:
        if events:
            await self.commit(Commit(run_id, events=list(map(encode, events))))

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
    async def lease_holder(self, run_id: str) -> str | None:
        """Who runs this run now: the holder of a lease that has neither expired nor lost
        its (local) process; None when nobody does, e.g. after a kill."""

    @abstractmethod
    async def get_session(self, session_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    async def save_session(self, session_id: str, data: dict[str, Any]) -> None: ...

    @abstractmethod
    async def list_sessions(self, limit: int = 50) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def drop_all(self) -> None:
        """Remove everything this storage holds (tests use it to clean up)."""
