"""Python tools and hooks shared by both sides of the parity pairs (one function object each)."""

from __future__ import annotations

import asyncio


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two numbers."""
    return a * b


async def slow_lookup(city: str) -> str:
    """Look up the weather of a city (slowly)."""
    await asyncio.sleep(0.05)
    return f"sunny in {city}"


def explode(reason: str) -> str:
    """A tool that always fails."""
    raise RuntimeError(f"boom: {reason}")
