"""Knowledge bases as agno's `Knowledge` keeps them: sources, chunking, embedders, stores, search.

`base.py` ties the parts together (load, search); the agent side — agno's
`search_knowledge_base` tool and references added to the user message — is
`search_tool.py`. Store and embedder SDKs are imported only when a knowledge
base is loaded or searched, never by a plain run.
"""

from .documents import Document, KnowledgeError

__all__ = ["Document", "KnowledgeError"]
