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
        # Written as agno's Document.to_dict is, field set and all: the key order of the
        # references (json.dumps of this dict) is then the one agno shows in this process.
        fields = {"name", "meta_data", "content"}
        return {
            field: getattr(self, field)
            for field in fields
            if getattr(self, field) is not None or field == "content"
        }
