"""The floor: W3, W4 and W5 in plain asyncio, W9 as a loop of the MCP SDK's own
`call_tool`, no framework. Run by run.py.

Each step is the same `bench_steps` body, each parallel block a TaskGroup; what
a framework adds on top of these figures is its own overhead.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_steps  # noqa: E402
from bench_timing import median_after_warmup  # noqa: E402


async def _fan(width: int, body: Any, head_tail: bool) -> float:
    started = time.perf_counter()
    if head_tail:
        await body()
    async with asyncio.TaskGroup() as group:
        for _ in range(width):
            group.create_task(body())
    if head_tail:
        await body()
    return time.perf_counter() - started


def fan(width: int, body: Any, head_tail: bool) -> dict[str, float]:
    return {"seconds_median": median_after_warmup(lambda: _fan(width, body, head_tail))}


def concurrent(runs: int) -> dict[str, float]:
    from bench_concurrency import measure_concurrent

    return measure_concurrent(lambda: _fan(8, bench_steps.sleep50, True), runs)


def mcp_calls(transport: str) -> dict[str, float]:
    """W9's floor: CALLS `session.call_tool` in a row on one open SDK session."""
    from contextlib import AsyncExitStack, nullcontext

    from bench_mcp import CALLS, STDIO_COMMAND, http_server
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from mcp.client.streamable_http import streamable_http_client

    with http_server() if transport == "http" else nullcontext() as url:

        async def main() -> float:
            async with AsyncExitStack() as stack:
                if url:
                    streams = await stack.enter_async_context(streamable_http_client(url))
                else:
                    command, *args = STDIO_COMMAND
                    server = StdioServerParameters(command=command, args=args)
                    streams = await stack.enter_async_context(stdio_client(server))
                session = await stack.enter_async_context(ClientSession(*streams))
                await session.initialize()
                await session.list_tools()

                async def once() -> float:
                    started = time.perf_counter()
                    for index in range(CALLS):
                        await session.call_tool("add", {"a": index, "b": 1})
                    return time.perf_counter() - started

                await once()
                return sorted([await once() for _ in range(5)])[2]

        return {"us_per_call": asyncio.run(main()) / CALLS * 1e6}


if __name__ == "__main__":
    workload, arg = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    if workload == "fanout":
        result = fan(8, bench_steps.sleep50, True)
    elif workload == "wide":
        result = fan(200, bench_steps.sleep20, False)
    elif workload == "concurrent":
        result = concurrent(int(arg or 100))
    elif workload == "mcp":
        result = mcp_calls(arg)
    else:
        raise SystemExit(f"bare: no workload {workload}")
    print(json.dumps(result))
