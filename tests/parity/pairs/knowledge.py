"""Knowledge pairs: agno's Knowledge beside agno-dsl's `knowledge:` on the same documents.

agno's side is its own Knowledge (readers, chunking, insert, search, the
search_knowledge_base tool, references) with an Embedder subclass computing
agno-dsl's hashing vectors, and an exact in-memory VectorDb written here
against agno's VectorDb interface (cosine over every chunk, metadata filters
by equality), so ranking and filters are agno's Knowledge calling a store,
not agno-dsl's store answering for both.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from agno.agent import Agent
from agno.knowledge.chunking.fixed import FixedSizeChunking
from agno.knowledge.document import Document
from agno.knowledge.embedder.base import Embedder
from agno.knowledge.knowledge import Knowledge
from agno.knowledge.reader.markdown_reader import MarkdownReader
from agno.knowledge.reader.text_reader import TextReader
from agno.vectordb.base import VectorDb
from agno.vectordb.search import SearchType
from agno_dsl.interpreter.knowledge.embedders import HASHING_DIMENSIONS, hashing_vector

from ..harness import Models, pair

DOCS = Path(__file__).resolve().parent.parent / "knowledge_docs"


class HashingEmbedder(Embedder):
    """agno's Embedder interface around agno-dsl's offline hashing vectors."""

    def __init__(self) -> None:
        super().__init__(dimensions=HASHING_DIMENSIONS)

    def get_embedding(self, text: str) -> list[float]:
        return hashing_vector(text, HASHING_DIMENSIONS)

    def get_embedding_and_usage(self, text: str) -> tuple[list[float], dict | None]:
        return self.get_embedding(text), None

    async def async_get_embedding(self, text: str) -> list[float]:
        return self.get_embedding(text)

    async def async_get_embedding_and_usage(self, text: str) -> tuple[list[float], dict | None]:
        return self.get_embedding(text), None


class ExactMemoryDb(VectorDb):
    """Every chunk in a list; search = cosine against all of them, best first."""

    def __init__(self, embedder: Embedder) -> None:
        super().__init__(name="exact-memory")
        self.embedder = embedder
        self.search_type = SearchType.vector
        self.rows: list[tuple[str, Document]] = []

    def create(self) -> None: ...

    async def async_create(self) -> None: ...

    def name_exists(self, name: str) -> bool:
        return any(doc.name == name for _, doc in self.rows)

    async def async_name_exists(self, name: str) -> bool:
        return self.name_exists(name)

    def id_exists(self, id: str) -> bool:
        return any(doc.id == id for _, doc in self.rows)

    def content_hash_exists(self, content_hash: str, user_id: str | None = None) -> bool:
        return any(h == content_hash for h, _ in self.rows)

    def insert(
        self, content_hash: str, documents: list[Document], filters: Any = None, user_id: Any = None
    ) -> None:  # noqa: E501
        for document in documents:
            document.embed(embedder=self.embedder)
            self.rows.append((content_hash, document))

    async def async_insert(
        self, content_hash: str, documents: list[Document], filters: Any = None, user_id: Any = None
    ) -> None:  # noqa: E501
        self.insert(content_hash, documents)

    def upsert(
        self, content_hash: str, documents: list[Document], filters: Any = None, user_id: Any = None
    ) -> None:  # noqa: E501
        self.rows = [row for row in self.rows if row[0] != content_hash]
        self.insert(content_hash, documents)

    async def async_upsert(
        self, content_hash: str, documents: list[Document], filters: Any = None, user_id: Any = None
    ) -> None:  # noqa: E501
        self.upsert(content_hash, documents)

    def search(
        self, query: str, limit: int = 5, filters: Any = None, user_id: Any = None
    ) -> list[Document]:  # noqa: E501
        vector = self.embedder.get_embedding(query)
        scored = []
        for position, (_, doc) in enumerate(self.rows):
            if filters and any(doc.meta_data.get(k) != v for k, v in filters.items()):
                continue
            similarity = sum(a * b for a, b in zip(vector, doc.embedding or [], strict=True))
            norm = math.sqrt(sum(b * b for b in doc.embedding or [])) or 1.0
            scored.append((-(similarity / norm), position, doc))
        return [doc for _, _, doc in sorted(scored, key=lambda item: item[:2])[:limit]]

    async def async_search(
        self, query: str, limit: int = 5, filters: Any = None, user_id: Any = None
    ) -> list[Document]:  # noqa: E501
        return self.search(query, limit, filters)

    def drop(self) -> None:
        self.rows = []

    async def async_drop(self) -> None:
        self.drop()

    def exists(self) -> bool:
        return True

    async def async_exists(self) -> bool:
        return True

    def delete(self) -> bool:
        self.rows = []
        return True

    def delete_by_id(self, id: str) -> bool:
        return False

    def delete_by_name(self, name: str) -> bool:
        return False

    def delete_by_metadata(self, metadata: dict[str, Any]) -> bool:
        return False

    def delete_by_content_id(self, content_id: str) -> bool:
        return False

    def get_supported_search_types(self) -> list[str]:
        return [SearchType.vector]


def handbook(max_results: int = 10) -> Knowledge:
    """The spec's `handbook`: every file of knowledge_docs/ with its source's metadata."""
    knowledge = Knowledge(
        name="handbook", vector_db=ExactMemoryDb(HashingEmbedder()), max_results=max_results
    )
    readers = {".md": MarkdownReader(chunking_strategy=FixedSizeChunking()), ".txt": TextReader()}
    areas = {"refunds": "money", "shipping": "delivery", "warranty": "money"}
    for path in sorted(DOCS.iterdir()):
        knowledge.insert(
            path=str(path), reader=readers[path.suffix], metadata={"area": areas[path.stem]}
        )
    return knowledge


@pair("How long do refunds take?")
def knowledge_agentic(models: Models) -> Agent:
    return Agent(name="helper", model=models["fake"], knowledge=handbook(max_results=2))


@pair("How long do refunds take?")
def knowledge_in_context(models: Models) -> Agent:
    return Agent(
        name="reader",
        model=models["fake"],
        knowledge=handbook(max_results=2),
        search_knowledge=False,
        add_knowledge_to_context=True,
    )


@pair("What does shipping cost?")
def knowledge_filtered(models: Models) -> Agent:
    return Agent(
        name="money_helper",
        model=models["fake"],
        knowledge=handbook(),
        knowledge_filters={"area": "money"},
    )
