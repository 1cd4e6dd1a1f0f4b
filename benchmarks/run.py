"""Run the workloads on agno-dsl and agno side by side; write JSON and a README table.

    python benchmarks/run.py [--agno-python PATH] [--rounds 3]

Each measurement runs in its own process; systems alternate within every
round so machine noise hits them alike. Not part of the test suite: timings
are noisy. Figures are medians over rounds.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKLOADS: list[tuple[str, str, str]] = [
    ("W2 chain 10", "chain", "10"),
    ("W2 chain 100", "chain", "100"),
    ("W2 chain 1,000", "chain", "1000"),
    ("W2 chain 10,000", "chain", "10000"),
    ("W3 1→8→1 × 50 ms", "fanout", ""),
    ("W4 200 × 20 ms", "wide", ""),
]
# agno-dsl only: what recording a run in storage costs (agno has no such layer here).
STORAGE = ["sqlite", "postgresql", "redis"]
CRITICAL_PATH = {"fanout": 0.150, "wide": 0.020}


def measure(python: str, script: str, workload: str, arg: str) -> dict[str, float]:
    command = [python, str(HERE / script), workload] + ([arg] if arg else [])
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--agno-python",
        default=sys.executable,
        help="A Python with agno==3.1.10 installed (default: this one).",
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    probe = subprocess.run([args.agno_python, "-c", "import agno.workflow"], capture_output=True)
    systems = {"agno-dsl": (sys.executable, "system_agno_dsl.py")}
    if probe.returncode == 0:
        systems["agno"] = (args.agno_python, "system_agno.py")
    else:
        print(
            "agno is not importable; install the `bench` extra or pass --agno-python",
            file=sys.stderr,
        )
    samples: dict[str, dict[str, list[dict[str, float]]]] = {}
    for round_index in range(args.rounds):
        for label, workload, arg in WORKLOADS:
            order = list(systems.items())
            if round_index % 2:
                order.reverse()
            for system, (python, script) in order:
                result = measure(python, script, workload, arg)
                samples.setdefault(label, {}).setdefault(system, []).append(result)
                print(f"round {round_index + 1} {label:<20} {system:<9} {result}", file=sys.stderr)
    storage_rows = []
    for backend in STORAGE:
        results = [
            measure(sys.executable, "system_agno_dsl.py", "storage", backend)
            for _ in range(args.rounds)
        ]
        storage_rows.append(
            {
                "backend": backend,
                "us_per_step": statistics.median(r["us_per_step"] for r in results),
                "fanout_x_critical_path": statistics.median(
                    r["fanout_x_critical_path"] for r in results
                ),
            }
        )
        print(f"storage {backend} {storage_rows[-1]}", file=sys.stderr)
    rows = summarize(samples)
    stamp = datetime.date.today().isoformat()
    out = HERE / "results" / f"{stamp}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "date": stamp,
                "machine": machine(),
                "rounds": args.rounds,
                "results": rows,
                "storage": storage_rows,
            },
            indent=2,
        )
        + "\n"
    )
    write_table(rows, storage_rows, stamp)
    print(f"wrote {out.relative_to(HERE.parent)} and the table in benchmarks/README.md")
    return 0


def summarize(samples: dict[str, dict[str, list[dict[str, float]]]]) -> list[dict[str, Any]]:
    rows = []
    for label, workload, _ in WORKLOADS:
        row: dict[str, Any] = {"workload": label}
        for system, results in samples.get(label, {}).items():
            if workload == "chain":
                row[system] = {"us_per_step": statistics.median(r["us_per_step"] for r in results)}
            else:
                seconds = statistics.median(r["seconds_median"] for r in results)
                row[system] = {
                    "seconds": seconds,
                    "x_critical_path": seconds / CRITICAL_PATH[workload],
                }
        rows.append(row)
    return rows


def machine() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


def write_table(rows: list[dict[str, Any]], storage_rows: list[dict[str, Any]], stamp: str) -> None:
    lines = [
        f"Measured {stamp} (medians; ratio = agno-dsl ÷ agno).",
        "",
        "| workload | agno-dsl | agno | ratio |",
        "|---|---|---|---|",
    ]
    for row in rows:
        ours, theirs = row.get("agno-dsl", {}), row.get("agno", {})
        if "us_per_step" in ours:
            a = f"{ours['us_per_step']:.1f} µs/step"
            b = f"{theirs['us_per_step']:.1f} µs/step" if theirs else "—"
            ratio = f"{ours['us_per_step'] / theirs['us_per_step']:.2f}×" if theirs else "—"
        else:
            a = f"{ours['x_critical_path']:.3f}× critical path"
            b = f"{theirs['x_critical_path']:.3f}× critical path" if theirs else "—"
            ratio = f"{ours['seconds'] / theirs['seconds']:.2f}×" if theirs else "—"
        lines.append(f"| {row['workload']} | {a} | {b} | {ratio} |")
    lines += [
        "",
        "Recording runs in storage (agno-dsl; a 100-step chain and W3 with recording on):",
        "",
        "| backend | added per step | W3 1→8→1 × 50 ms recorded |",
        "|---|---|---|",
    ]
    for storage_row in storage_rows:
        lines.append(
            f"| {storage_row['backend']} | {storage_row['us_per_step']:.0f} µs | "
            f"{storage_row['fanout_x_critical_path']:.3f}× critical path |"
        )
    readme = HERE / "README.md"
    text = readme.read_text()
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    readme.write_text(head + start + "\n" + "\n".join(lines) + "\n" + end + tail)


if __name__ == "__main__":
    raise SystemExit(main())
