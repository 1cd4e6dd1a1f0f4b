"""Shopping-list tools that keep the list in the session state."""


def add_item(item: str, session_state: dict) -> str:
    """Add an item to the shopping list."""
    session_state["items"].append(item)
    return f"added {item}"


def list_items(session_state: dict) -> str:
    """The items on the shopping list."""
    return ", ".join(session_state["items"]) or "the list is empty"
