"""agno-dsl side of the workloads; prints one JSON result. Run by run.py."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _plan(yaml_text: str):  # type: ignore[no-untyped-def]
    from agno_dsl.compiler import Compiler
    from agno_dsl.loader import load_document

    folder = Path(tempfile.mkdtemp())
    path = folder / "spec.yaml"
    path.write_text(yaml_text)
    document = load_document(path)
    compiler = Compiler(document)
    return compiler, compiler.workflow(next(iter(document.spec.workflows)))


def _step(name: str, body: str) -> str:
    return f'      - {{name: {name}, function: "bench_steps:{body}"}}\n'


def chain(n: int) -> dict[str, float]:
    from agno_dsl.interpreter.workflow import execute_workflow

    spec = "version: 1\nworkflows:\n  w:\n    steps:\n" + "".join(
        _step(f"s{i}", "noop") for i in range(n)
    )
    compiler, plan = _plan(spec)

    async def once() -> float:
        started = time.perf_counter()
        output = await execute_workflow(plan, "x", models={}, listeners=[])
        assert output.status == "completed", output.error
        return time.perf_counter() - started

    async def main() -> float:
        await once()  # warm up
        runs = max(3, 20_000 // n)
        return min([await once() for _ in range(runs)])

    best = asyncio.run(main())
    return {"seconds": best, "us_per_step": best / n * 1e6}


def fan(width: int, body: str, head_tail: bool) -> dict[str, float]:
    from agno_dsl.interpreter.workflow import execute_workflow

    branches = "".join("        " + _step(f"b{i}", body).lstrip() for i in range(width))
    parallel = f"      - parallel:\n          name: p\n          steps:\n{branches}"
    parallel = parallel.replace("        - ", "            - ")
    steps = (
        (_step("first", body) if head_tail else "")
        + parallel
        + (_step("last", body) if head_tail else "")
    )
    compiler, plan = _plan("version: 1\nworkflows:\n  w:\n    steps:\n" + steps)

    async def once() -> float:
        started = time.perf_counter()
        output = await execute_workflow(plan, "x", models={}, listeners=[])
        assert output.status == "completed", output.error
        return time.perf_counter() - started

    async def main() -> list[float]:
        await once()
        return [await once() for _ in range(5)]

    samples = asyncio.run(main())
    return {"seconds_median": sorted(samples)[len(samples) // 2]}


if __name__ == "__main__":
    workload, arg = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    if workload == "chain":
        result = chain(int(arg))
    elif workload == "fanout":
        result = fan(8, "sleep50", True)
    else:
        result = fan(200, "sleep20", False)
    print(json.dumps(result))
