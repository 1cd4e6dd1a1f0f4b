"""How many requests a model may have in flight at once: `max_concurrency:` on a
model, or `batch --rate`, shared by every run of the process.

A `Limiter` hands out slots per model name. The default one keeps an asyncio
semaphore per model and event loop; the Ray executor installs one backed by a
cluster-wide actor, so the limit holds across machines.
"""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from .base import Model, ModelResponse


class Limiter(Protocol):
    async def acquire(self, model: str, limit: int) -> None: ...

    async def release(self, model: str) -> None: ...


class LocalLimiter:
    """One semaphore per model name, per event loop (a semaphore belongs to its loop)."""

    def __init__(self) -> None:
        self._loops: weakref.WeakKeyDictionary[Any, dict[str, asyncio.Semaphore]] = (
            weakref.WeakKeyDictionary()
        )

    def _semaphore(self, model: str, limit: int) -> asyncio.Semaphore:
        semaphores = self._loops.setdefault(asyncio.get_running_loop(), {})
        if model not in semaphores:
            semaphores[model] = asyncio.Semaphore(limit)
        return semaphores[model]

    async def acquire(self, model: str, limit: int) -> None:
        await self._semaphore(model, limit).acquire()

    async def release(self, model: str) -> None:
        self._loops[asyncio.get_running_loop()][model].release()


LOCAL = LocalLimiter()
# Set by `batch`: the limiter in use and limits given on the command line
# (model name → most requests; "*" for every model), over the spec's.
LIMITER: contextvars.ContextVar[Limiter] = contextvars.ContextVar("limiter", default=LOCAL)
RATE: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar("rate", default=None)


def limit_of(name: str, config: Any) -> int | None:
    rate = RATE.get() or {}
    return rate.get(name) or rate.get("*") or getattr(config, "max_concurrency", None)


class LimitedModel:
    """A model whose requests wait for a slot of its limiter."""

    def __init__(self, model: Model, limit: int) -> None:
        self.model = model
        self.limit = limit
        self.name, self.provider, self.id = model.name, model.provider, model.id

    def __getattr__(self, attribute: str) -> Any:  # cursors, settings of the wrapped model
        return getattr(self.model, attribute)

    async def respond(self, messages: Any, **options: Any) -> ModelResponse:
        limiter = LIMITER.get()
        await limiter.acquire(self.name, self.limit)
        try:
            return await self.model.respond(messages, **options)
        finally:
            await asyncio.shield(limiter.release(self.name))


def limited(model: Model, config: Any) -> Model:
    limit = limit_of(model.name, config)
    if limit is None:
        return model
    wrap: Callable[[Model, int], Any] = LimitedModel
    return wrap(model, limit)  # type: ignore[no-any-return]
