"""Storage backends for tests: SQLite in a temp dir, and the real PostgreSQL and Redis
servers of the machine, each test in its own schema or key prefix."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator

import pytest

SERVERS = {"postgresql": ("PostgreSQL", 5432), "redis": ("Redis", 6379)}
BACKENDS = ["sqlite", "postgresql", "redis"]


def require_server(kind: str) -> None:
    """Skip locally when the server is down; in CI that is a failure, never a skip."""
    if kind not in SERVERS:
        return
    name, port = SERVERS[kind]
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        message = f"{name} is not reachable at 127.0.0.1:{port}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def storage_url_for(kind: str, tmp_path) -> str:  # type: ignore[no-untyped-def]
    unique = "t" + uuid.uuid4().hex[:12]
    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/{unique}.db"
    if kind == "postgresql":
        return f"postgresql://postgres@127.0.0.1:5432/test?schema={unique}"
    return f"redis://127.0.0.1:6379/0?prefix={unique}:"


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
    require_server(request.param)
    url = storage_url_for(request.param, tmp_path)
    yield url
    drop(url)
