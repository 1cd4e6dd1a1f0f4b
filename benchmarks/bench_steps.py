"""Step bodies shared by every system's workloads: identical latency everywhere."""

from __future__ import annotations

import asyncio
from typing import Any


async def noop(step_input: Any = None) -> str:
    return "ok"


async def sleep20(step_input: Any = None) -> str:
    await asyncio.sleep(0.020)
    return "ok"


async def sleep50(step_input: Any = None) -> str:
    await asyncio.sleep(0.050)
    return "ok"
