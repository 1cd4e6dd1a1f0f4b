"""Server storages (PostgreSQL, Redis) shared by the runs of one event loop.

Opening one costs milliseconds (connecting, creating the tables), more than a
whole recorded run, so every run on an event loop reuses the storage its URL
opened first. Connections belong to the loop that made them, hence one per
loop. They are closed when that loop shuts down (`asyncio.run` finalizes
async generators as it ends; a suspended one here closes them) or when
`drop_all` removed what they serve.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable

from .base import Storage


class _LoopStorages:
    """The storages one loop opened, by URL, and the generator that closes them."""

    def __init__(self) -> None:
        self.opening: dict[str, asyncio.Future[Storage]] = {}
        self.closer: AsyncIterator[None] | None = None

    async def close_all(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            opening, self.opening = self.opening, {}
            for future in opening.values():
                if future.done() and not future.cancelled() and future.exception() is None:
                    await future.result().close_connections()


_LOOPS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopStorages] = (
    weakref.WeakKeyDictionary()
)


async def shared_storage(url: str, make: Callable[[], Storage]) -> Storage:
    """The open storage for `url` on the running loop, opened by `make()` on first use."""
    loop = asyncio.get_running_loop()
    storages = _LOOPS.get(loop)
    if storages is None:
        storages = _LOOPS[loop] = _LoopStorages()
        storages.closer = storages.close_all()
        await storages.closer.__anext__()  # now the loop finalizes it at shutdown
    future = storages.opening.get(url)
    if future is None:
        # Runs starting together open the storage once: the others wait for it.
        future = storages.opening[url] = loop.create_future()
        storage = make()
        try:
            await storage.open()
        except BaseException as exc:
            del storages.opening[url]
            future.set_exception(exc)
            future.exception()  # retrieved: the waiters (if any) get it too
            raise
        storage.shared = True
        future.set_result(storage)
    return await asyncio.shield(future)


def forget(storage: Storage) -> None:
    """Runs opening `storage.url` after this get a fresh one (its tables were dropped)."""
    storages = _LOOPS.get(asyncio.get_running_loop())
    if storages is not None:
        future = storages.opening.get(storage.url)
        if future is not None and future.done() and future.result() is storage:
            del storages.opening[storage.url]
    storage.shared = False
