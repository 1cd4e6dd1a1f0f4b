"""A knowledge base at run time: incremental loading and search.

Loading is incremental by content hash: a file whose bytes (and source
metadata) are unchanged keeps its chunks and is not re-embedded; a changed
file is re-chunked and re-embedded; a file no longer named by any source has
its chunks deleted. Each file is written in its own transaction, so a load
that stops half-way keeps what it finished and the next load continues.
A chunk's meta_data is agno's: `chunk`, `chunk_size`, the source's metadata,
then `linked_to` (the knowledge base's name).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .chunking import STRATEGIES
from .documents import Document, KnowledgeError
from .embedders import check_dimensions, make_embedder
from .sources import read_source_file, source_paths

STORE_FORMAT = 2  # bump when what a chunk holds changes: every file is embedded again


@dataclass(slots=True)
class LoadSummary:
    """What one load did: files new, changed, unchanged and removed; chunks embedded."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0  # chunks embedded by this load
    seconds: float = 0.0

    def line(self, name: str) -> str:
        rate = self.chunks / self.seconds if self.seconds else 0.0
        return (
            f"knowledge {name}: {self.new} new, {self.changed} changed, "
            f"{self.unchanged} unchanged, {self.removed} removed; "
            f"{self.chunks} chunks embedded in {self.seconds:.2f}s ({rate:.0f} chunks/s)"
        )


class KnowledgeBase:
    """One `knowledge:` entry: its sources, chunking, embedder and store."""

    def __init__(
        self,
        name: str,
        config: Any,
        base_dir: Path,
        where: str = "",
        source_wheres: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        # file:line:col of each source entry, for errors about it
        self.source_wheres = source_wheres
        self.config = config
        self.base_dir = base_dir
        self.where = where or f"knowledge '{name}'"
        self.max_results: int = config.max_results
        self.embedder = make_embedder(config.embedder)
        self._store: Any = None
        self._loaded = False

    @property
    def store(self) -> Any:
        if self._store is None:
            from .sqlite_store import SqliteVectorStore

            path = Path(self.config.store.path)
            self._store = SqliteVectorStore(
                path if path.is_absolute() else self.base_dir / path, self.where
            )
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def _settings(self) -> str:
        """What, besides a file's bytes, decides its chunks and vectors."""
        embedder = self.config.embedder
        return json.dumps(
            {
                "format": STORE_FORMAT,
                "chunking": self.config.chunking.model_dump(),
                "embedder": [embedder.provider, embedder.model, self.embedder.dimensions],
            },
            sort_keys=True,
        )

    def _chunks(self, path: Path, text: str, metadata: dict[str, Any]) -> list[Document]:
        chunking = self.config.chunking
        document = Document(name=path.name, content=text)  # agno: content.name = path.name
        chunks = STRATEGIES[chunking.strategy](document, chunking.chunk_size, chunking.overlap)
        for chunk in chunks:  # agno's _prepare_documents_for_insert
            chunk.meta_data = {**chunk.meta_data, **metadata, "linked_to": self.name}
        return chunks

    async def load(self, progress: Callable[[str], None] | None = None) -> LoadSummary:
        """Bring the store up to date with the sources; what changed."""
        started = time.perf_counter()
        summary = LoadSummary()
        store = self.store
        stored = store.file_hashes(self.name)
        seen: set[str] = set()
        settings = self._settings()
        for index, source in enumerate(self.config.sources):
            where = (
                self.source_wheres[index]
                if index < len(self.source_wheres)
                else f"{self.where}, source {index + 1}"
            )
            for path in source_paths(source.path, self.base_dir, where):
                key = str(path.resolve())
                if key in seen:
                    continue
                seen.add(key)
                read = read_source_file(path, dict(source.metadata), where, settings)
                if stored.get(key) == read.content_hash:
                    summary.unchanged += 1
                    continue
                chunks = self._chunks(path, read.text, read.metadata)
                vectors = await self.embedder.embed([chunk.content for chunk in chunks])
                expected = store.dimensions(self.name) or self.embedder.dimensions
                check_dimensions(vectors, expected, self.where)
                store.replace_file(self.name, key, read.content_hash, chunks, vectors, expected)
                summary.chunks += len(chunks)
                if key in stored:
                    summary.changed += 1
                else:
                    summary.new += 1
                if progress is not None:
                    progress(f"{path}: {len(chunks)} chunks")
        for key in stored.keys() - seen:
            store.remove_file(self.name, key)
            summary.removed += 1
        summary.seconds = time.perf_counter() - started
        self._loaded = True
        return summary

    async def ensure_loaded(self) -> None:
        """A run loads the knowledge base once per process (cheap when nothing changed)."""
        if not self._loaded:
            await self.load()

    async def search(
        self, query: str, max_results: int | None = None, filters: dict[str, Any] | None = None
    ) -> list[Document]:
        """agno's Knowledge.search: the max_results chunks nearest to the query."""
        await self.ensure_loaded()
        [vector] = await self.embedder.embed([query])
        expected = self.store.dimensions(self.name)
        if expected is not None:
            check_dimensions([vector], expected, self.where)
        return self.store.search(self.name, vector, max_results or self.max_results, filters)

    def valid_filter_keys(self) -> set[str]:
        return set(self.store.metadata_keys(self.name))


def open_knowledge(
    configs: dict[str, Any], base_dir: Path, where: Callable[[str], str] | None = None
) -> dict[str, KnowledgeBase]:
    """The spec's knowledge bases by name (nothing is read until one is loaded or searched)."""
    return {
        name: KnowledgeBase(name, config, base_dir, where(name) if where else "")
        for name, config in configs.items()
    }


__all__ = ["KnowledgeBase", "KnowledgeError", "LoadSummary", "open_knowledge"]
