"""The openai embedder against a local OpenAI-compatible server (the real SDK client)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from agno_dsl.interpreter.knowledge import KnowledgeError
from agno_dsl.interpreter.knowledge.base import KnowledgeBase
from agno_dsl.schemas.knowledge import KnowledgeBase as KnowledgeConfig

from tests.interpreter.providers.fake_server import FakeModelServer, Reply


def embeddings(*vectors: list[float]) -> Reply:
    data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
    usage = {"prompt_tokens": 3, "total_tokens": 3}
    return Reply(json={"object": "list", "data": data, "model": "emb", "usage": usage})


def knowledge(tmp_path: Path, url: str, dimensions: int = 3) -> KnowledgeBase:
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "a.md").write_text("apples")
    config = KnowledgeConfig.model_validate(
        {
            "sources": [{"path": "docs"}],
            "store": {"path": "store"},
            "embedder": {
                "provider": "openai",
                "model": "emb",
                "dimensions": dimensions,
                "base_url": url,
                "api_key_env": "NO_SUCH_KEY_FOR_TESTS",
            },
        }
    )
    return KnowledgeBase("kb", config, tmp_path)


def test_a_compatible_server_embeds_chunks_and_queries(tmp_path: Path) -> None:
    with FakeModelServer() as server:
        server.reply(embeddings([1.0, 0.0, 0.0]), embeddings([0.9, 0.1, 0.0]))
        found = asyncio.run(knowledge(tmp_path, f"{server.url}/v1").search("fruit"))
        assert [d.content for d in found] == ["apples"]
        first, second = (r["body"] for r in server.requests)
        assert (first["model"], first["input"], first["dimensions"]) == ("emb", ["apples"], 3)
        assert second["input"] == ["fruit"]
        assert all(r["path"] == "/v1/embeddings" for r in server.requests)


def test_vectors_of_the_wrong_size_are_one_line(tmp_path: Path) -> None:
    with FakeModelServer() as server:
        server.reply(embeddings([1.0, 0.0]))  # asked for 3
        with pytest.raises(KnowledgeError, match="vectors of 2 dimensions, the store holds 3"):
            asyncio.run(knowledge(tmp_path, f"{server.url}/v1").load())


def test_a_server_that_is_down_is_one_line(tmp_path: Path) -> None:
    with FakeModelServer() as server:
        url = f"{server.url}/v1"
        server.reply(*[Reply(status=503, json={"error": {"message": "overloaded"}})] * 3)
        with pytest.raises(KnowledgeError, match=r"embedder emb failed: InternalServerError"):
            asyncio.run(knowledge(tmp_path, url).load())
