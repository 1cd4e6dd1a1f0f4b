"""Embedders: an offline deterministic hashing one, and OpenAI (or any compatible server).

The hashing embedder is feature hashing of lower-cased word tokens (signed,
blake2b), L2-normalised: the same text gives the same vector on every
machine, which is what tests, the cookbook and the benchmarks need. The
OpenAI SDK is imported only when an `openai` embedder embeds.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from typing import Any, Protocol

from .documents import KnowledgeError

HASHING_DIMENSIONS = 256
_WORD = re.compile(r"\w+")


class Embedder(Protocol):
    dimensions: int

    async def embed(self, texts: list[str]) -> list[list[float]]: ...


def hashing_vector(text: str, dimensions: int) -> list[float]:
    """The hashing embedder's vector of one text (shared with the parity pair's agno Embedder)."""
    vector = [0.0] * dimensions
    for token in _WORD.findall(text.lower()):
        digest = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")
        vector[digest % dimensions] += 1.0 if (digest >> 63) & 1 else -1.0
    norm = math.sqrt(sum(value * value for value in vector))
    return [value / norm for value in vector] if norm else vector


class HashingEmbedder:
    """Offline and deterministic; no SDK, no server."""

    def __init__(self, dimensions: int = HASHING_DIMENSIONS) -> None:
        self.dimensions = dimensions

    async def embed(self, texts: list[str]) -> list[list[float]]:
        return [hashing_vector(text, self.dimensions) for text in texts]


class OpenAIEmbedder:
    """The embeddings endpoint of OpenAI or of a compatible server (base_url)."""

    def __init__(
        self, model: str, dimensions: int | None, base_url: str | None, api_key_env: str
    ) -> None:
        # text-embedding-3-*: 1536 unless asked for fewer (agno's OpenAIEmbedder default).
        self.dimensions = dimensions or 1536
        self._ask_dimensions = dimensions
        self._model = model
        self._base_url = base_url
        self._api_key_env = api_key_env
        self._client: Any = None

    async def embed(self, texts: list[str]) -> list[list[float]]:
        if self._client is None:
            try:
                from openai import AsyncOpenAI
            except ImportError:
                raise KnowledgeError(
                    "the openai embedder needs the openai extra: pip install 'agno-dsl[openai]'"
                ) from None
            api_key = os.environ.get(self._api_key_env) or ("none" if self._base_url else None)
            if api_key is None:
                raise KnowledgeError(f"the openai embedder needs ${self._api_key_env} set")
            self._client = AsyncOpenAI(api_key=api_key, base_url=self._base_url)
        options: dict[str, Any] = {"model": self._model, "input": texts}
        if self._ask_dimensions is not None:
            options["dimensions"] = self._ask_dimensions
        try:
            response = await self._client.embeddings.create(**options)
        except Exception as exc:  # noqa: BLE001 - any SDK/transport failure is one line
            message = f"embedder {self._model} failed: {type(exc).__name__}: {exc}"
            raise KnowledgeError(message) from None
        return [list(item.embedding) for item in response.data]


def make_embedder(config: Any) -> Embedder:
    """The embedder a spec's `embedder:` describes."""
    if config.provider == "openai":
        return OpenAIEmbedder(config.model, config.dimensions, config.base_url, config.api_key_env)
    return HashingEmbedder(config.dimensions or HASHING_DIMENSIONS)


def check_dimensions(vectors: list[list[float]], expected: int, where: str) -> None:
    """Vectors of another size than the store's: one line, before anything is written."""
    for vector in vectors:
        if len(vector) != expected:
            raise KnowledgeError(
                f"{where}: the embedder returned vectors of {len(vector)} dimensions, "
                f"the store holds {expected}; set embedder.dimensions or use a new store path"
            )
