"""A chunk of a knowledge base, with agno's dict form (what references show)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigurationError


class KnowledgeError(ConfigurationError):
    """A knowledge base cannot be loaded or searched: one line for the user."""


@dataclass(slots=True)
class Document:
    """agno's Document, as far as a search result shows it."""

    name: str | None
    content: str
    meta_data: dict[str, Any] = field(default_factory=dict)
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """agno's Document.to_dict: name (when set), meta_data, content. agno builds it from a
        set, so its key order varies from process to process; ours is fixed."""
        shown: dict[str, Any] = {} if self.name is None else {"name": self.name}
        return {**shown, "meta_data": self.meta_data, "content": self.content}
