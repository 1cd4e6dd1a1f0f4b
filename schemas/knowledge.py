"""Knowledge bases: sources, chunking, embedder, vector store (agno's `Knowledge`)."""

from typing import Any, Literal

from pydantic import Field, NonNegativeInt, PositiveInt, model_validator
from pydantic_core import PydanticCustomError

from .base import SpecModel

# agno: FixedSizeChunking / RecursiveChunking default to 5000 characters, no overlap.
DEFAULT_CHUNK_SIZE = 5000
DEFAULT_MAX_RESULTS = 10  # agno's Knowledge.max_results
DEFAULT_DIMENSIONS = 256  # the hashing embedder's vector size
DEFAULT_STORE_PATH = ".agno-dsl/knowledge"


class Source(SpecModel):
    """Files to load: a file, a directory (every text/Markdown file in it) or a glob."""

    path: str = Field(description="File, directory or glob, relative to the spec.")
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="Metadata of every chunk of the source (for filters)."
    )


class Chunking(SpecModel):
    """How documents are split (agno's chunking strategies and defaults)."""

    strategy: Literal["fixed", "recursive"] = Field(
        "fixed", description="agno's FixedSizeChunking (its readers' default) or RecursiveChunking."
    )
    chunk_size: PositiveInt = Field(DEFAULT_CHUNK_SIZE, description="Characters per chunk.")
    overlap: NonNegativeInt = Field(0, description="Characters shared by consecutive chunks.")

    @model_validator(mode="after")
    def _overlap_below_size(self) -> "Chunking":
        if self.overlap >= self.chunk_size:
            raise PydanticCustomError(
                "chunk_overlap",
                "overlap ({overlap}) must be less than chunk_size ({size})",
                {"overlap": self.overlap, "size": self.chunk_size},
            )
        return self


class Embedder(SpecModel):
    """What turns text into vectors."""

    provider: Literal["hashing", "openai"] = Field(
        "hashing",
        description="hashing: offline and deterministic (tests, cookbook); openai: the OpenAI "
        "embeddings API or any compatible server (base_url).",
    )
    model: str = Field("text-embedding-3-small", description="openai: the embedding model.")
    dimensions: PositiveInt | None = Field(
        None, description=f"Vector size (hashing: {DEFAULT_DIMENSIONS}; openai: the model's)."
    )
    base_url: str | None = Field(None, description="openai: an OpenAI-compatible server.")
    api_key_env: str = Field("OPENAI_API_KEY", description="openai: env var of the API key.")


class VectorStore(SpecModel):
    """Where chunks and vectors are kept: an embedded store needing no server."""

    provider: Literal["sqlite"] = Field(
        "sqlite", description="An SQLite file searched exactly (docs/decisions.md, Knowledge)."
    )
    path: str = Field(
        DEFAULT_STORE_PATH, description="Directory of the store, relative to the spec."
    )


class KnowledgeBase(SpecModel):
    """A knowledge base an agent can search."""

    sources: list[Source] = Field(min_length=1, description="Files, directories or globs.")
    chunking: Chunking = Field(default_factory=lambda: Chunking(), description="Chunking.")
    embedder: Embedder = Field(default_factory=lambda: Embedder(), description="Embedder.")
    store: VectorStore = Field(default_factory=lambda: VectorStore(), description="Store.")
    max_results: PositiveInt = Field(DEFAULT_MAX_RESULTS, description="Documents a search returns.")
    search_type: Literal["vector"] = Field("vector", description="agno's SearchType.")
