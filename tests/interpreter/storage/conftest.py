"""Storage backends for tests: SQLite in a temp dir, and PostgreSQL and Redis servers
(the machine's, or started for the session: tests/servers.py), each test in its own
schema or key prefix. Nothing here skips."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from tests.servers import SERVERS

BACKENDS = ["sqlite", "postgresql", "redis"]


def storage_url_for(kind: str, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A URL of a fresh, empty storage of `kind` (its own file, schema or key prefix)."""
    unique = "t" + uuid.uuid4().hex[:12]
    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/{unique}.db"
    base = SERVERS.url(kind)
    join = "&" if "?" in base else "?"
    if kind == "postgresql":
        return f"{base}{join}schema={unique}"
    return f"{base}{join}prefix={unique}:"


def drop(url: str) -> None:
    from agno_dsl.interpreter.storage import open_storage

    async def go() -> None:
        storage = await open_storage(url)
        try:
            await storage.drop_all()
        finally:
            await storage.close()

    asyncio.run(go())


@pytest.fixture(params=BACKENDS)
def storage_url(request, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url = storage_url_for(request.param, tmp_path)
    yield url
    drop(url)
