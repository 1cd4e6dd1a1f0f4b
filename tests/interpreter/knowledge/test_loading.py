"""Loading a knowledge base: incremental by content hash, and its errors as one line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from agno_dsl.interpreter.knowledge import KnowledgeError
from agno_dsl.interpreter.knowledge.base import KnowledgeBase
from agno_dsl.interpreter.knowledge.embedders import HashingEmbedder
from agno_dsl.schemas.knowledge import KnowledgeBase as KnowledgeConfig


def knowledge(tmp_path: Path, **config: object) -> KnowledgeBase:
    settings = {"sources": [{"path": "docs"}], "store": {"path": "store"}, **config}
    return KnowledgeBase("kb", KnowledgeConfig.model_validate(settings), tmp_path)


def write(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / name).write_text(text)


def test_unchanged_files_are_not_embedded_again_and_removed_ones_are_deleted(
    tmp_path: Path,
) -> None:
    write(tmp_path, "a.md", "apples are red")
    write(tmp_path, "b.txt", "bananas are yellow")
    first = asyncio.run(knowledge(tmp_path).load())
    assert (first.new, first.changed, first.unchanged, first.removed) == (2, 0, 0, 0)

    write(tmp_path, "b.txt", "bananas are green when young")
    (tmp_path / "docs" / "a.md").unlink()
    write(tmp_path, "c.md", "cherries are dark")
    kb = knowledge(tmp_path)  # a new process: only the store remembers
    second = asyncio.run(kb.load())
    assert (second.new, second.changed, second.unchanged, second.removed) == (1, 1, 0, 1)
    assert second.chunks == 2
    third = asyncio.run(knowledge(tmp_path).load())
    assert (third.new, third.changed, third.unchanged, third.removed, third.chunks) == (
        0,
        0,
        2,
        0,
        0,
    )
    names = {d.name for d in asyncio.run(kb.search("fruit", max_results=10))}
    assert names == {"b.txt", "c.md"}


def test_search_ranks_by_similarity_and_applies_metadata_filters(tmp_path: Path) -> None:
    write(tmp_path, "refunds.md", "Refunds are paid within 14 days.")
    write(tmp_path, "shipping.md", "Parcels ship from Lyon every weekday.")
    (tmp_path / "legal").mkdir()
    (tmp_path / "legal" / "terms.md").write_text("Refunds follow the law of France.")
    kb = knowledge(
        tmp_path,
        sources=[
            {"path": "docs/*.md", "metadata": {"area": "support"}},
            {"path": "legal", "metadata": {"area": "legal"}},
        ],
    )
    found = asyncio.run(kb.search("when are refunds paid", max_results=2))
    assert [d.name for d in found] == ["refunds.md", "terms.md"]
    assert found[0].meta_data == {
        "chunk": 1,
        "chunk_size": 32,
        "area": "support",
        "linked_to": "kb",
    }
    legal = asyncio.run(kb.search("refunds", filters={"area": "legal"}))
    assert [d.name for d in legal] == ["terms.md"]


def test_a_missing_source_is_one_line_naming_it(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match=r"source 1: source 'docs' does not exist"):
        asyncio.run(knowledge(tmp_path).load())
    with pytest.raises(KnowledgeError, match=r"no file matches 'nothing/\*\.md'"):
        asyncio.run(knowledge(tmp_path, sources=[{"path": "nothing/*.md"}]).load())


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "logo.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(KnowledgeError, match=r"logo.md is a binary file"):
        asyncio.run(knowledge(tmp_path).load())


def test_an_embedder_of_another_dimension_than_the_store_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "apples are red")
    asyncio.run(knowledge(tmp_path).load())
    write(tmp_path, "a.md", "apples are green")
    other = knowledge(tmp_path, embedder={"provider": "hashing", "dimensions": 64})
    with pytest.raises(KnowledgeError, match=r"vectors of 64 dimensions, the store holds 256"):
        asyncio.run(other.load())
    # nothing already loaded was lost: the store still answers with the old chunk
    store = knowledge(tmp_path).store
    [vector] = asyncio.run(HashingEmbedder().embed(["apples"]))
    assert [d.content for d in store.search("kb", vector, 5, None)] == ["apples are red"]


def test_the_hashing_embedder_is_deterministic_and_unit_length() -> None:
    [a, b] = asyncio.run(HashingEmbedder().embed(["Same text", "same TEXT"]))
    assert a == b and len(a) == 256
    assert abs(sum(v * v for v in a) - 1.0) < 1e-9


def test_numpy_and_pure_python_searches_find_the_same_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(40):
        write(tmp_path, f"{i:02}.md", f"note {i} about {'tea' if i % 3 else 'coffee'} w{i % 7}")
    kb = knowledge(tmp_path, sources=[{"path": "docs", "metadata": {"kind": "note"}}])
    queries = ["tea w3", "coffee", "note 12", "w5 tea about"]
    with_numpy = [[d.name for d in asyncio.run(kb.search(q, max_results=7))] for q in queries]
    filtered = [d.name for d in asyncio.run(kb.search("tea", 5, {"kind": "note"}))]
    monkeypatch.setitem(__import__("sys").modules, "numpy", None)  # the store's fallback
    pure = [[d.name for d in asyncio.run(kb.search(q, max_results=7))] for q in queries]
    assert with_numpy == pure
    assert filtered == [d.name for d in asyncio.run(kb.search("tea", 5, {"kind": "note"}))]
