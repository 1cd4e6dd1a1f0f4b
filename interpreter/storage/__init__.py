"""Storage of runs and sessions, chosen by URL: sqlite://, postgresql://, redis://."""

from __future__ import annotations

from .base import (
    Commit,
    EncodedRun,
    RunRecord,
    Storage,
    StorageError,
    encode,
    redact_url,
    url_has_secret,
)

__all__ = [
    "Commit",
    "EncodedRun",
    "RunRecord",
    "Storage",
    "StorageError",
    "encode",
    "open_storage",
    "redact_url",
    "url_has_secret",
]


async def open_storage(url: str) -> Storage:
    """An opened storage for `url`; drivers are imported only when used."""
    scheme = url.split(":", 1)[0]
    if scheme == "sqlite":
        from .sqlite import shared_sqlite

        return await shared_sqlite(url)
    from .shared import shared_storage

    if scheme in ("postgresql", "postgres"):
        from .postgres import PostgresStorage

        return await shared_storage(url, lambda: PostgresStorage(url))
    if scheme in ("redis", "rediss"):
        from .redis import RedisStorage

        return await shared_storage(url, lambda: RedisStorage(url))
    raise StorageError(
        f"unsupported storage URL {redact_url(url)}; use sqlite://, postgresql:// or redis://"
    )
