"""Batch throughput: a 10,000-row batch of a 3-step workflow (20 ms scripted steps).

    python benchmarks/bench_batch.py [--rows 10000] [--concurrency 200] [--rounds 3]

Each system runs the same rows in a process of its own, the order alternating
every round; figures are medians. Rows/s and CPU per row (process CPU time ÷
rows) of:

- `floor`: plain asyncio, the three step bodies awaited in turn per row, a
  semaphore for concurrency: what no framework can beat.
- `recorded loop`: plain asyncio over the same recorded runs `batch` starts
  (`runs.run_recorded` on one open SQLite storage): the floor for a batch.
- `batch local`: `agno-dsl batch`'s driver (inputs file, row records,
  results file in order), same storage.
- `batch ray`: the same on a one-node Ray cluster started here (when the
  `ray` extra is installed); its storage is Redis (SQLite is refused for Ray).
- `agno`: agno 3.1.10's equivalent Workflow, concurrent `arun` calls (no db).

Writes the table between the batch markers of README.md. Not part of the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SYSTEMS = ("floor", "recorded", "local", "ray", "agno")
LABELS = {
    "floor": "plain asyncio, step bodies only (floor)",
    "recorded": "plain asyncio over the same recorded runs",
    "local": "agno-dsl batch, local executor",
    "ray": "agno-dsl batch, ray executor (1 node, Redis)",
    "agno": "agno 3.1.10, concurrent Workflow.arun (no db)",
}
SPEC = """version: 1
name: batch-bench
workflows:
  three:
    steps:
      - {name: a, function: "bench_steps:sleep20"}
      - {name: b, function: "bench_steps:sleep20"}
      - {name: c, function: "bench_steps:sleep20"}
"""


def _write_inputs(folder: Path, rows: int) -> Path:
    path = folder / "rows.jsonl"
    path.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(rows)))
    (folder / "spec.yaml").write_text(SPEC)
    (folder / "bench_steps.py").write_text((HERE / "bench_steps.py").read_text())
    return path


async def _floor(rows: int, concurrency: int) -> None:
    sys.path.insert(0, str(HERE))
    import bench_steps

    limit = asyncio.Semaphore(concurrency)

    async def one(row: int) -> None:
        async with limit:
            for _ in range(3):
                await bench_steps.sleep20(row)

    await asyncio.gather(*(one(i) for i in range(rows)))


async def _recorded(folder: Path, rows: int, concurrency: int) -> None:
    from agno_dsl.interpreter.context import new_id
    from agno_dsl.interpreter.storage import open_storage
    from agno_dsl.loader import load_document
    from agno_dsl.runs import run_recorded

    document = load_document(folder / "spec.yaml")
    storage = await open_storage(f"sqlite:///{folder}/recorded.db")
    limit = asyncio.Semaphore(concurrency)

    async def one(row: int) -> None:
        async with limit:
            output = await run_recorded(
                document,
                "workflow",
                "three",
                {"n": row},
                url=storage.url,
                run_id=new_id(),
                session_id=None,
                max_concurrency=None,
                models=None,
                listeners=[],
                ask=None,
                opened=storage,
            )
            assert output.status == "completed", output.error

    await asyncio.gather(*(one(i) for i in range(rows)))


def start_ray_head(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A one-node Ray cluster (2 CPUs), started before the clock does."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = folder / "head.log"
    head = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "ray"),
            "start",
            "--head",
            "--block",
            "--num-cpus=2",
            f"--port={port}",
            "--node-ip-address=127.0.0.1",
            "--disable-usage-stats",
            "--include-dashboard=false",
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    while "block forever" not in log.read_text():
        time.sleep(0.5)
    return head, f"127.0.0.1:{port}"


def _group_cpu(group: int) -> float:
    """CPU seconds of the live processes of a process group (the Ray cluster's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp; utime, stime are fields 14, 15 of stat
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _batch(folder: Path, inputs: Path, concurrency: int, executor: str, address: str) -> None:
    url = f"sqlite:///{folder}/batch.db"
    options = []
    if executor == "ray":
        url = f"redis://127.0.0.1:6379/0?prefix=bench{os.getpid()}:"
        options = ["--executor", "ray", "--ray-address", address, "--ray-workers", "2"]
    command = [
        sys.executable,
        "-m",
        "agno_dsl",
        "batch",
        str(folder / "spec.yaml"),
        "--inputs",
        str(inputs),
        "--out",
        str(folder / "results.jsonl"),
        "--concurrency",
        str(concurrency),
        "--storage",
        url,
        *options,
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
    if done.returncode != 0:
        raise SystemExit(done.stderr)


async def _agno(rows: int, concurrency: int) -> None:
    sys.path.insert(0, str(HERE))
    import bench_steps
    from agno.workflow import Step, Workflow

    workflow = Workflow(
        name="three",
        steps=[Step(name=n, executor=bench_steps.sleep20) for n in ("a", "b", "c")],
    )
    limit = asyncio.Semaphore(concurrency)

    async def one(row: int) -> None:
        async with limit:
            await workflow.arun(input=json.dumps({"n": row}))

    await asyncio.gather(*(one(i) for i in range(rows)))


def measure_one(system: str, rows: int, concurrency: int) -> dict[str, float]:
    """In this process: run the batch once, return rows/s and CPU ms per row."""
    import resource

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        inputs = _write_inputs(folder, rows)
        head, address = start_ray_head(folder) if system == "ray" else (None, "")
        cluster_before = _group_cpu(head.pid) if head is not None else 0.0
        cpu_before, started = cpu(), time.perf_counter()
        if system == "floor":
            asyncio.run(_floor(rows, concurrency))
        elif system == "recorded":
            asyncio.run(_recorded(folder, rows, concurrency))
        elif system in ("local", "ray"):
            _batch(folder, inputs, concurrency, system, address)
        else:
            asyncio.run(_agno(rows, concurrency))
        seconds = time.perf_counter() - started
        spent = cpu() - cpu_before
        if head is not None:  # the cluster's processes are not our children: add theirs
            import signal

            spent += _group_cpu(head.pid) - cluster_before
            os.killpg(head.pid, signal.SIGKILL)
    return {"rows_per_second": rows / seconds, "cpu_ms_per_row": spent / rows * 1000}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--system", help=argparse.SUPPRESS)  # one measurement, in a child
    args = parser.parse_args()
    if args.system:
        print(json.dumps(measure_one(args.system, args.rows, args.concurrency)))
        return 0
    systems = [s for s in args.systems.split(",") if s]
    samples: dict[str, list[dict[str, float]]] = {s: [] for s in systems}
    for round_index in range(args.rounds):
        order = systems if round_index % 2 == 0 else list(reversed(systems))
        for system in order:
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--system",
                    system,
                    "--rows",
                    str(args.rows),
                    "--concurrency",
                    str(args.concurrency),
                ],
                capture_output=True,
                text=True,
                env={**os.environ, "AGNO_TELEMETRY": "false", "RAY_AUTH_MODE": "disabled"},
            )
            if done.returncode != 0:
                print(f"{system}: {done.stderr.strip()[-400:]}", file=sys.stderr)
                continue
            result = json.loads(done.stdout.splitlines()[-1])
            samples[system].append(result)
            print(f"round {round_index + 1} {system:<9} {result}", file=sys.stderr)
    write_table(samples, args.rows, args.concurrency, args.rounds)
    return 0


def write_table(
    samples: dict[str, list[dict[str, Any]]], rows: int, concurrency: int, rounds: int
) -> None:
    medians = {
        system: {key: statistics.median(r[key] for r in results) for key in results[0]}
        for system, results in samples.items()
        if results
    }
    recorded = medians.get("recorded", {}).get("rows_per_second")
    lines = [
        f"Batch: {rows:,} rows × 3 steps of 20 ms, concurrency {concurrency}, "
        f"{os.cpu_count()} CPUs, medians of {rounds} rounds "
        f"({time.strftime('%Y-%m-%d')}).",
        "",
        "| system | rows/s | CPU per row | ÷ recorded loop (time) |",
        "|---|---|---|---|",
    ]
    for system, figures in medians.items():
        ratio = f"{recorded / figures['rows_per_second']:.2f}×" if recorded else "—"
        lines.append(
            f"| {LABELS[system]} | {figures['rows_per_second']:.0f} | "
            f"{figures['cpu_ms_per_row']:.2f} ms | {ratio} |"
        )
    readme = HERE / "README.md"
    text = readme.read_text()
    start, end = "<!-- batch:start -->", "<!-- batch:end -->"
    block = start + "\n" + "\n".join(lines) + "\n" + end
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n## Batch\n\n" + block + "\n"
    readme.write_text(text)
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
