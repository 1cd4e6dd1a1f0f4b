"""The python tool unknown_tool_ref.yaml defines: it exists, so the only problem is the typo."""


def search(query: str) -> str:
    """Search for a query."""
    return query
