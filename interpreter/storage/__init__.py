"""Storage of runs and sessions, chosen by URL: sqlite://, postgresql://, redis://."""

from __future__ import annotations

from .base import RunRecord, Storage, StorageError, redact_url, url_has_secret

__all__ = [
    "RunRecord",
    "Storage",
    "StorageError",
    "open_storage",
    "redact_url",
    "url_has_secret",
]


async def open_storage(url: str) -> Storage:
    """An opened storage for `url`; drivers are imported only when used."""
    scheme = url.split(":", 1)[0]
    storage: Storage
    if scheme == "sqlite":
        from .sqlite import shared_sqlite

        return await shared_sqlite(url)
    elif scheme in ("postgresql", "postgres"):
        from .postgres import PostgresStorage

        storage = PostgresStorage(url)
    elif scheme in ("redis", "rediss"):
        from .redis import RedisStorage

        storage = RedisStorage(url)
    else:
        raise StorageError(
            f"unsupported storage URL {redact_url(url)}; use sqlite://, postgresql:// or redis://"
        )
    await storage.open()
    return storage
