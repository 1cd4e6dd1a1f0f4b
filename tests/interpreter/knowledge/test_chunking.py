"""Our chunkers against agno's own on the same texts: same chunks, same meta_data."""

from __future__ import annotations

import pytest
from agno.knowledge.chunking.fixed import FixedSizeChunking
from agno.knowledge.chunking.recursive import RecursiveChunking
from agno.knowledge.document.base import Document as AgnoDocument
from agno_dsl.interpreter.knowledge.chunking import fixed_size, recursive
from agno_dsl.interpreter.knowledge.documents import Document
from hypothesis import given, settings
from hypothesis import strategies as st

TEXT = (
    "# Returns\n\nItems can be returned  within 30 days.\n\n\nRefunds are paid in 14 days. "
    "Shipping is free above 50 euros.\tGift cards are final.\nAsk support for anything else. "
) * 7

texts = st.text(alphabet=st.sampled_from(list("ab .\n\t")), min_size=0, max_size=400)


def ours(chunker, text: str, size: int, overlap: int) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(c.content, c.meta_data) for c in chunker(Document("doc", text), size, overlap)]


def agnos(strategy, text: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    chunks = strategy.chunk(AgnoDocument(name="doc", content=text))
    return [(c.content, c.meta_data) for c in chunks]


@pytest.mark.parametrize(("size", "overlap"), [(5000, 0), (60, 0), (60, 10), (13, 5)])
def test_fixed_size_chunks_are_agnos(size: int, overlap: int) -> None:
    assert ours(fixed_size, TEXT, size, overlap) == agnos(FixedSizeChunking(size, overlap), TEXT)


@pytest.mark.parametrize(("size", "overlap"), [(5000, 0), (60, 0), (80, 5), (20, 2)])
def test_recursive_chunks_are_agnos(size: int, overlap: int) -> None:
    expected = agnos(RecursiveChunking(size, overlap), TEXT)
    assert ours(recursive, TEXT, size, overlap) == expected


@settings(max_examples=60, deadline=None)
@given(text=texts, size=st.integers(2, 40), overlap=st.integers(0, 1))
def test_both_strategies_match_agno_on_any_text(text: str, size: int, overlap: int) -> None:
    assert ours(fixed_size, text, size, overlap) == agnos(FixedSizeChunking(size, overlap), text)
    assert ours(recursive, text, size, overlap) == agnos(RecursiveChunking(size, overlap), text)
