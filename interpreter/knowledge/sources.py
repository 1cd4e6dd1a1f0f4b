"""Sources of a knowledge base: files, directories and globs of text and Markdown.

A file becomes one document named by its file name (agno's Knowledge.insert
of a path); a directory gives its text and Markdown files, recursively;
a glob the files it matches. Files are read as UTF-8: a binary file is an
error, not noise in the index.
"""

from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .documents import KnowledgeError

TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".rst")
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of a source, read: what loading needs to decide and to embed."""

    path: Path
    text: str
    content_hash: str  # bytes, source metadata and settings: any change re-embeds
    metadata: dict[str, Any]


def source_paths(pattern: str, base: Path, where: str) -> list[Path]:
    """The files a source names, sorted; a source naming nothing is an error."""
    if _GLOB_CHARS & set(pattern):
        root = pattern if Path(pattern).is_absolute() else str(base / pattern)
        found = [Path(p) for p in glob.glob(root, recursive=True) if Path(p).is_file()]
        if not found:
            raise KnowledgeError(f"{where}: no file matches {pattern!r}")
        return sorted(found)
    path = Path(pattern) if Path(pattern).is_absolute() else base / pattern
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)
    if path.is_file():
        return [path]
    raise KnowledgeError(f"{where}: source {pattern!r} does not exist (looked at {path})")


def read_source_file(
    path: Path, metadata: dict[str, Any], where: str, settings: str = ""
) -> SourceFile:
    """The file as text; a binary or non-UTF-8 file is an error that names it. `settings`
    (how chunks are cut and embedded) is part of the hash: changing them re-embeds."""
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise KnowledgeError(f"{where}: {path} is a binary file; sources are text or Markdown")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(
            f"{where}: {path} is not UTF-8 text (byte {exc.start}); sources are text or Markdown"
        ) from None
    digest = hashlib.sha256(data)
    digest.update(repr(sorted(metadata.items())).encode())
    digest.update(settings.encode())
    return SourceFile(path=path, text=text, content_hash=digest.hexdigest(), metadata=metadata)
