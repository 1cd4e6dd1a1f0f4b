"""Python tools and hooks shared by both sides of the parity pairs (one function object each)."""

from __future__ import annotations

import asyncio
from typing import Any

from agno.exceptions import RetryAgentRun as AgnoRetryAgentRun
from agno.exceptions import StopAgentRun as AgnoStopAgentRun


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


def add_item(run_context: Any, item: str) -> str:
    """Add an item to the shopping list kept in the session state."""
    items = run_context.session_state.setdefault("items", [])
    items.append(item)
    return f"added {item}; list: {', '.join(items)}"


def ship(order_id: str) -> str:
    """Ship an order (needs a human's approval)."""
    return f"order {order_id} shipped"


def final_answer(text: str) -> str:
    """Give the final answer; the run ends with it."""
    return f"FINAL: {text}"


def weather_report(city: str) -> dict:
    """A structured weather report for a city."""
    return {"city": city, "sky": "clear", "celsius": 21}


def halt(reason: str) -> str:
    """Stop the whole run."""
    raise AgnoStopAgentRun(f"stopped: {reason}")  # agno's own: a tool written for agno


def picky(units: str) -> str:
    """Only metric units are accepted; otherwise ask the model to try again."""
    if units != "metric":
        raise AgnoRetryAgentRun("try again with metric units")
    return "12 km"
