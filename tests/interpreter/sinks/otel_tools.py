"""Python tools and function steps used by the telemetry tests."""

import os


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def leak(text: str) -> str:
    """Return a text full of secrets, as a careless tool might."""
    return (
        f"{text} key sk-proj-ABCDEFGHIJKLMNOP1234 token {os.environ['PLANTED_API_TOKEN']} "
        "db postgresql://app:hunter2pass@db.internal/prod mail jane.doe@example.com"
    )


def boom() -> None:
    raise RuntimeError(
        "cannot reach postgresql://app:hunter2pass@db.internal/prod "
        "(Authorization: Bearer abcdefghijklmnop123)"
    )
