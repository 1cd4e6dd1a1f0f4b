"""Tools of the agent-with-tools scenario."""


def multiply_add(a: int, b: int, c: int = 0) -> int:
    """Multiply two numbers and add a third.

    Args:
        a: First factor.
        b: Second factor.
        c: Added to the product.
    """
    return a * b + c


def utc_time() -> str:
    """The current time in UTC (fixed here so the scenario is deterministic)."""
    return "12:00"
