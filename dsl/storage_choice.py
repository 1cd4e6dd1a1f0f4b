"""Which storage a command uses, where that choice came from, and how to find it again.

A run recorded through `--storage`, `AGNO_DSL_STORAGE` or a spec's `storage:`
can only be resumed by a command that looks in the same place. The hints the
CLI prints (on a pause, Ctrl-C, a failure) are built here from the choice, and
never show a password: when the URL holds one, the hint says how to give it
again instead of printing it.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .interpreter.storage.base import url_has_secret

if TYPE_CHECKING:
    from .loader import Document

Source = Literal["option", "env", "spec", "default"]
ENV_VAR = "AGNO_DSL_STORAGE"


@dataclass(frozen=True)
class StorageChoice:
    """A storage URL and what chose it (`spec_file` as the user wrote it)."""

    url: str
    source: Source
    spec_file: str | None = None

    @property
    def has_secret(self) -> bool:
        return url_has_secret(self.url)

    def where_flags(self) -> str:
        """The flags a later command needs to look in this storage.

        None for the default, nor for AGNO_DSL_STORAGE (still set where the user
        runs the next command), nor for a URL holding a password (see `note`).
        """
        if self.source == "spec" and self.spec_file is not None:
            return f" --spec {shlex.quote(self.spec_file)}"
        if self.source == "option" and not self.has_secret:
            return f" --storage {shlex.quote(self.url)}"
        return ""

    def note(self) -> str:
        """A sentence to print after the command when it alone cannot find the run."""
        if self.source == "option" and self.has_secret:
            return (
                "(the storage URL holds a password and is not shown: set "
                f"{ENV_VAR} to it, or pass it again with --storage)"
            )
        return ""

    def command(self, words: str, answer: str = "") -> str:
        """`agno-dsl WORDS`, the flags that find this storage, `answer`, and the note."""
        note = self.note()
        text = f"agno-dsl {words}{self.where_flags()}"
        return text + (f" {answer}" if answer else "") + (f" {note}" if note else "")


def choose_storage(
    explicit: str | None, document: Document | None = None, spec_file: str | None = None
) -> StorageChoice:
    """--storage, else AGNO_DSL_STORAGE, else the spec's storage:, else the default."""
    if explicit:
        return StorageChoice(explicit, "option")
    if os.environ.get(ENV_VAR):
        return StorageChoice(os.environ[ENV_VAR], "env")
    if document is not None and document.spec.storage:
        return StorageChoice(document.spec.storage, "spec", spec_file or str(document.path))
    # Imported here: the language's models (pydantic) are not needed for `--help`.
    from .schemas.spec import DEFAULT_STORAGE

    return StorageChoice(DEFAULT_STORAGE, "default")
