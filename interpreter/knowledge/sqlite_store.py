"""The embedded vector store: one SQLite file, searched exactly (brute force).

Chosen by measurement (docs/decisions.md, Knowledge; benchmarks/bench_knowledge.py):
at the sizes a spec's knowledge base has (thousands to tens of thousands of
chunks) an exact scan of vectors held in memory answers in milliseconds with
numpy (the `knowledge` extra), needs no server and no index to build, and
finds exactly the nearest chunks. Without numpy the same scan runs in pure
Python (fine to a few thousand chunks). Vectors are float32 blobs; the first
search of a process reads them once into memory.

Per file the store keeps its content hash, so loading skips unchanged files
and deletes the chunks of removed ones (`base.py`).
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from array import array
from operator import mul
from pathlib import Path
from typing import Any

from .documents import Document, KnowledgeError

_SCHEMA = """
create table if not exists kb_meta (kb text primary key, dimensions integer not null);
create table if not exists kb_files (
    kb text not null, path text not null, content_hash text not null,
    primary key (kb, path));
create table if not exists kb_chunks (
    kb text not null, path text not null, position integer not null,
    name text, content text not null, meta_data text not null, vector blob not null);
create index if not exists kb_chunks_file on kb_chunks (kb, path);
"""


class SqliteVectorStore:
    """Chunks, vectors and file hashes of the knowledge bases kept in one directory."""

    def __init__(self, directory: Path, where: str) -> None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(directory / "knowledge.db")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise KnowledgeError(f"{where}: cannot open the store at {directory}: {exc}") from None
        self._where = where
        self._cache: dict[str, list[tuple[Document, array[float]]]] = {}
        self._matrices: dict[str, Any] = {}  # kb -> numpy matrix of its vectors, when numpy is here

    def close(self) -> None:
        self._db.close()

    def dimensions(self, kb: str) -> int | None:
        row = self._db.execute("select dimensions from kb_meta where kb = ?", (kb,)).fetchone()
        return None if row is None else int(row[0])

    def file_hashes(self, kb: str) -> dict[str, str]:
        rows = self._db.execute("select path, content_hash from kb_files where kb = ?", (kb,))
        return dict(rows.fetchall())

    def replace_file(
        self,
        kb: str,
        path: str,
        content_hash: str,
        chunks: list[Document],
        vectors: list[list[float]],
        dimensions: int,
    ) -> None:
        """One file's chunks in one transaction: an interrupted load loses no finished file."""
        try:
            with self._db:
                self._db.execute(
                    "insert or ignore into kb_meta (kb, dimensions) values (?, ?)",
                    (kb, dimensions),
                )
                self._db.execute("delete from kb_chunks where kb = ? and path = ?", (kb, path))
                self._db.executemany(
                    "insert into kb_chunks values (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            kb,
                            path,
                            position,
                            chunk.name,
                            chunk.content,
                            json.dumps(chunk.meta_data, ensure_ascii=False),
                            array("f", vector).tobytes(),
                        )
                        for position, (chunk, vector) in enumerate(
                            zip(chunks, vectors, strict=True)
                        )
                    ],
                )
                self._db.execute(
                    "insert or replace into kb_files values (?, ?, ?)", (kb, path, content_hash)
                )
        except sqlite3.Error as exc:
            raise KnowledgeError(f"{self._where}: cannot write the store: {exc}") from None
        self._forget(kb)

    def remove_file(self, kb: str, path: str) -> None:
        with self._db:
            self._db.execute("delete from kb_chunks where kb = ? and path = ?", (kb, path))
            self._db.execute("delete from kb_files where kb = ? and path = ?", (kb, path))
        self._forget(kb)

    def _forget(self, kb: str) -> None:
        self._cache.pop(kb, None)
        self._matrices.pop(kb, None)

    def count(self, kb: str) -> int:
        row = self._db.execute("select count(*) from kb_chunks where kb = ?", (kb,)).fetchone()
        return int(row[0])

    def _rows(self, kb: str) -> list[tuple[Document, array[float]]]:
        if kb not in self._cache:
            rows = self._db.execute(
                "select name, content, meta_data, vector from kb_chunks where kb = ? "
                "order by rowid",
                (kb,),
            )
            loaded = []
            for name, content, meta_data, blob in rows:
                vector = array("f")
                vector.frombytes(blob)
                loaded.append((Document(name, content, json.loads(meta_data)), vector))
            self._cache[kb] = loaded
        return self._cache[kb]

    def search(
        self, kb: str, query: list[float], limit: int, filters: dict[str, Any] | None
    ) -> list[Document]:
        """The `limit` chunks most similar to `query` (dot product of unit vectors = cosine),
        among those whose meta_data has every filter's value; ties keep load order."""
        rows = self._rows(kb)
        positions = None  # every chunk
        if filters:
            positions = [
                i
                for i, (doc, _) in enumerate(rows)
                if all(doc.meta_data.get(k) == v for k, v in filters.items())
            ]
        best = self._best(kb, rows, positions, query, limit)
        return [
            Document(rows[i][0].name, rows[i][0].content, dict(rows[i][0].meta_data)) for i in best
        ]

    def _best(
        self,
        kb: str,
        rows: list[tuple[Document, array[float]]],
        positions: list[int] | None,
        query: list[float],
        limit: int,
    ) -> list[int]:
        """Positions of the best chunks, best first."""
        try:
            import numpy
        except ImportError:
            candidates = range(len(rows)) if positions is None else positions
            scored = ((sum(map(mul, query, rows[i][1])), -i) for i in candidates)
            return [-i for _, i in heapq.nlargest(limit, scored)]
        if not rows or positions == []:
            return []
        if kb not in self._matrices:
            blob = b"".join(vector.tobytes() for _, vector in rows)
            self._matrices[kb] = numpy.frombuffer(blob, dtype=numpy.float32).reshape(len(rows), -1)
        matrix = self._matrices[kb]
        chosen = None if positions is None else numpy.asarray(positions)
        if chosen is not None:  # a filter: only the chunks it keeps
            matrix = matrix[chosen]
        scores = matrix @ numpy.asarray(query, dtype=numpy.float32)
        if limit < len(scores):  # the best `limit`, then ordered; ties keep load order
            top = numpy.argpartition(-scores, limit - 1)[:limit]
            threshold = scores[top].min()
            top = numpy.flatnonzero(scores >= threshold)
        else:
            top = numpy.arange(len(scores))
        order = top[numpy.argsort(-scores[top], kind="stable")][:limit]
        return [int(i) if chosen is None else int(chosen[i]) for i in order]

    def metadata_keys(self, kb: str) -> set[str]:
        return {key for doc, _ in self._rows(kb) for key in doc.meta_data}
