"""What recording a run costs per step, beside the same run in memory.

    python benchmarks/bench_recording.py                 # sqlite, postgresql, redis
    python benchmarks/bench_recording.py sqlite --rounds 30

A chain of 100 no-op steps (`--steps`) runs in memory and recorded, alternately, in
one process; the figures are µs per step: the best in-memory run, the best
recorded run, and what recording adds (wall clock, and this process's CPU
time, which a busy machine disturbs less). The best of many rounds, because
on a shared machine noise only ever adds. `run.py`'s storage rows measure the
same thing with fewer rounds, beside the other workloads.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from system_agno_dsl import _step  # noqa: E402


def storage_url(backend: str, folder: Path) -> str:
    unique = "bench" + uuid.uuid4().hex[:8]
    return {
        "sqlite": f"sqlite:///{folder}/bench.db",
        "postgresql": f"postgresql://postgres@127.0.0.1:5432/test?schema={unique}",
        "redis": f"redis://127.0.0.1:6379/0?prefix={unique}:",
    }[backend]


async def measure(backend: str, rounds: int, steps: int) -> dict[str, float]:
    import agno_dsl
    from agno_dsl.interpreter.storage import open_storage

    folder = Path(tempfile.mkdtemp())
    url = storage_url(backend, folder)
    path = folder / "chain.yaml"
    path.write_text(
        "version: 1\nworkflows:\n  w:\n    steps:\n"
        + "".join(_step(f"s{i}", "noop") for i in range(steps))
    )
    spec = agno_dsl.load(path)

    async def timed(url: str | None) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        output = await agno_dsl.arun(spec, "x", storage=url)
        assert output.status == "completed", output.error
        return time.perf_counter() - wall, time.process_time() - cpu

    await timed(None)
    await timed(url)  # warm up: the storage is opened and its tables made
    plain, recorded = [], []
    for _ in range(rounds):
        plain.append(await timed(None))
        recorded.append(await timed(url))
    store = await open_storage(url)
    await store.drop_all()
    await store.close()
    per_step = 1e6 / steps
    best_plain, best_recorded = min(plain), min(recorded)
    return {
        "in_memory_us": best_plain[0] * per_step,
        "recorded_us": best_recorded[0] * per_step,
        "added_us": (best_recorded[0] - best_plain[0]) * per_step,
        "added_cpu_us": (min(c for _, c in recorded) - min(c for _, c in plain)) * per_step,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("backends", nargs="*", default=["sqlite", "postgresql", "redis"])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=100, help="length of the chain")
    args = parser.parse_args()
    print("backend      in memory   recorded   added   added CPU   (µs per step)")
    for backend in args.backends:
        result = asyncio.run(measure(backend, args.rounds, args.steps))
        print(
            f"{backend:<12} {result['in_memory_us']:>9.1f} {result['recorded_us']:>10.1f} "
            f"{result['added_us']:>7.1f} {result['added_cpu_us']:>11.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
