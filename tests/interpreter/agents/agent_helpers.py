"""Tools and hooks used by the agent and team tests."""

from __future__ import annotations

import asyncio
from typing import Any

from agno_dsl import InputCheckError, RetryAgentRun, StopAgentRun

PAIR = asyncio.Barrier(2)
CALLS: dict[str, int] = {}


def reset() -> None:
    global PAIR
    PAIR = asyncio.Barrier(2)
    CALLS.clear()


def add(a: int, b: int = 0) -> int:
    """Add two numbers.

    Args:
        a: The first number.
        b: The second number.
    """
    CALLS["add"] = CALLS.get("add", 0) + 1
    return a + b


async def meet(name: str) -> str:
    """Finishes only when a second call arrives: proves calls run together."""
    await asyncio.wait_for(PAIR.wait(), timeout=5)
    return f"met {name}"


async def slow(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "slow done"


def broken() -> str:
    raise ValueError("database is down")


def stop_now(reason: str) -> str:
    raise StopAgentRun(f"stopped: {reason}")


def retry_please(hint: str) -> str:
    raise RetryAgentRun(f"try again with {hint}")


def remember(key: str, value: str, session_state: dict[str, Any]) -> str:
    """Store a value in the session state."""
    session_state[key] = value
    return f"stored {key}"


def no_secrets(run_input: Any) -> None:
    if "password" in run_input.input_content_string():
        raise InputCheckError("input mentions a password", check_trigger="input_not_allowed")
