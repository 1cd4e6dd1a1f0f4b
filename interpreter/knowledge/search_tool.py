"""The agent side of knowledge, in agno's words: the search_knowledge_base tool, the
system-prompt block that announces it, and references added to the user message.

- `search_knowledge` (agno's default: on when an agent has knowledge): the
  agent gets `search_knowledge_base(query)`; its result is the documents as
  indented JSON (or YAML with `references_format: yaml`), "No documents found"
  when none match, and every search with results is recorded on the run output
  as agno's MessageReferences (query, references, time).
- `add_knowledge_to_context`: the user's message is searched before the model
  runs and the references are appended to it under agno's heading.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import KnowledgeBase
from .documents import KnowledgeError

TOOL_NAME = "search_knowledge_base"
TOOL_DESCRIPTION = "Use this function to search the knowledge base for information about a query."
TOOL_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {"query": {"type": "string", "description": "The query to search for."}},
    "required": ["query"],
    "additionalProperties": False,
}
NO_DOCUMENTS = "No documents found"
SEARCH_INSTRUCTIONS = (
    "<knowledge_base>\n"
    "You have a knowledge base you can search using the search_knowledge_base tool. "
    "Search before answering questions—don't assume you know the answer. "
    "For ambiguous questions, search first rather than asking for clarification."
    "\n</knowledge_base>\n"
)
REFERENCES_HEADING = "\n\nUse the following references from the knowledge base if it helps:\n"


@dataclass(frozen=True, slots=True)
class KnowledgeRef:
    """What an agent plan says about its knowledge base (the base is opened per process)."""

    name: str
    config: Any  # schemas.knowledge.KnowledgeBase
    base_dir: Path
    where: str
    source_wheres: tuple[str, ...] = ()


_OPEN: dict[tuple[str, str, str], KnowledgeBase] = {}


def knowledge_base(ref: KnowledgeRef) -> KnowledgeBase:
    """The process's KnowledgeBase of `ref`: loaded once, then searched by every run."""
    key = (ref.name, str(ref.base_dir), ref.config.model_dump_json())
    if key not in _OPEN:
        _OPEN[key] = KnowledgeBase(ref.name, ref.config, ref.base_dir, ref.where, ref.source_wheres)
    return _OPEN[key]


async def relevant_documents(
    ref: KnowledgeRef, query: str, filters: dict[str, Any] | None
) -> list[dict[str, Any]] | None:
    """agno's get_relevant_docs_from_knowledge: the documents as dicts, None when none."""
    documents = await knowledge_base(ref).search(query, filters=filters)
    return [document.to_dict() for document in documents] or None


def format_results(documents: list[dict[str, Any]] | None, references_format: str) -> str:
    """The tool's answer, as agno's _format_results writes it."""
    if not documents:
        return NO_DOCUMENTS
    if references_format == "json":
        return json.dumps(documents, indent=2, default=str, ensure_ascii=False)
    import yaml

    return str(yaml.dump(documents, default_flow_style=False, allow_unicode=True))


def references_text(documents: list[dict[str, Any]], references_format: str) -> str:
    """agno's convert_documents_to_string (no default=str, unlike the tool's)."""
    if references_format == "yaml":
        import yaml

        return str(yaml.dump(documents, allow_unicode=True))
    return json.dumps(documents, indent=2, ensure_ascii=False)


def message_references(query: str, documents: list[Any] | None, started: float) -> dict[str, Any]:
    """agno's MessageReferences as a dict (what the run output keeps)."""
    return {
        "query": query,
        "references": documents,
        "time": round(time.perf_counter() - started, 4),
    }


async def _recorded_search(
    ref: KnowledgeRef, query: str, filters: dict[str, Any] | None, references: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """The documents of a search; one that found any is recorded as agno's MessageReferences."""
    started = time.perf_counter()
    documents = await relevant_documents(ref, query, filters)
    if documents:
        references.append(message_references(query, documents, started))
    return documents


async def search_for_tool(
    ref: KnowledgeRef,
    query: str,
    filters: dict[str, Any] | None,
    references_format: str,
    references: list[dict[str, Any]],
) -> str:
    """One call of search_knowledge_base: the text the model gets."""
    try:
        documents = await _recorded_search(ref, query, filters, references)
    except KnowledgeError:
        raise  # a spec problem (missing source, binary file…): the user must see it
    except Exception as exc:  # noqa: BLE001 - agno answers the model with the error's type
        return f"Error searching knowledge base: {type(exc).__name__}"
    return format_results(documents, references_format)


async def add_references(
    ref: KnowledgeRef,
    text: str,
    filters: dict[str, Any] | None,
    references_format: str,
    references: list[dict[str, Any]],
) -> str:
    """add_knowledge_to_context: the user's text with agno's <references> block, when any."""
    try:
        documents = await _recorded_search(ref, text, filters, references)
    except KnowledgeError:
        raise
    except Exception:  # noqa: BLE001 - agno logs "Failed to get references" and runs on
        return text
    if documents is None:
        return text
    block = references_text(documents, references_format)
    return f"{text}{REFERENCES_HEADING}<references>\n{block}\n</references>"
