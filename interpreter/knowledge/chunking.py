"""agno's chunking strategies: FixedSizeChunking and RecursiveChunking, same algorithms.

Both default to 5000 characters and no overlap (agno's defaults). A chunk's
meta_data carries `chunk` (1-based) and `chunk_size` as agno's do; a document
no longer than chunk_size stays whole under RecursiveChunking (agno returns it
untouched, without those keys).
"""

from __future__ import annotations

import re

from .documents import Document


def clean_text(text: str) -> str:
    """agno's ChunkingStrategy.clean_text: runs of each whitespace kind collapsed."""
    text = re.sub(r"\n+", "\n", text)
    text = re.sub(r" +", " ", text)
    text = re.sub(r"\t+", "\t", text)
    text = re.sub(r"\r+", "\r", text)
    text = re.sub(r"\f+", "\f", text)
    return re.sub(r"\v+", "\v", text)


def _chunk(document: Document, number: int, text: str) -> Document:
    meta_data = {**document.meta_data, "chunk": number, "chunk_size": len(text)}
    return Document(name=document.name, content=text, meta_data=meta_data)


def fixed_size(document: Document, chunk_size: int, overlap: int) -> list[Document]:
    """agno's FixedSizeChunking: cut at whitespace before chunk_size, then step back by overlap."""
    content = clean_text(document.content)
    chunks: list[Document] = []
    start = 0
    while start < len(content):
        end = min(start + chunk_size, len(content))
        if end < len(content):  # not in the middle of a word
            while end > start and content[end] not in (" ", "\n", "\r", "\t"):
                end -= 1
        if end == start:  # one word longer than a chunk: cut it
            end = start + chunk_size
        chunks.append(_chunk(document, len(chunks) + 1, content[start:end]))
        if end >= len(content):
            break
        start = max(start + 1, end - overlap)
    return chunks


def recursive(document: Document, chunk_size: int, overlap: int) -> list[Document]:
    """agno's RecursiveChunking: cut after the last newline (else full stop) of the window."""
    if len(document.content) <= chunk_size:
        return [document]
    content = document.content
    chunks: list[Document] = []
    start = 0
    while start < len(content):
        end = min(start + chunk_size, len(content))
        if end < len(content):
            for separator in ("\n", "."):
                last = content[start:end].rfind(separator)
                if last != -1:
                    end = start + last + 1
                    break
        chunks.append(_chunk(document, len(chunks) + 1, clean_text(content[start:end])))
        if end >= len(content):
            break
        new_start = end - overlap
        if new_start <= start:  # agno: move on by at least a tenth of a chunk
            new_start = min(len(content), start + max(1, chunk_size // 10))
        start = new_start
    return chunks


STRATEGIES = {"fixed": fixed_size, "recursive": recursive}
