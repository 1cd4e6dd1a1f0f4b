"""Run the workloads on agno-dsl, agno and LangGraph side by side; write JSON and a table.

    python benchmarks/run.py [--peer-python PATH] [--rounds 3] [--only W9-stdio,W9-http]

`--peer-python` is a Python with agno==3.1.10, langgraph and psutil (the
`bench` extra); by default this one. Every measurement runs in a process of
its own and the systems alternate within each round, so machine noise hits
them alike. Figures are medians over rounds. Not part of the test suite.
`--only` measures the named rows alone and puts them into the newest results
(their own date is kept beside them), leaving every other figure as it was.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPTS = {
    "agno-dsl": "system_agno_dsl.py",
    "agno": "system_agno.py",
    "langgraph": "system_langgraph.py",
    "bare": "system_bare.py",
}
ALL = ("agno-dsl", "agno", "langgraph")
# Plain asyncio with the same step bodies: the floor no framework can go below.
WITH_FLOOR = (*ALL, "bare")
# LangGraph has no MCP client of its own; the floor is the MCP SDK's call_tool in a loop.
MCP = ("agno-dsl", "agno", "bare")
# (id, label, workload, argument, systems, what the figure is)
WORKLOADS: list[tuple[str, str, str, str, tuple[str, ...], str]] = [
    ("W1", "W1 agent run, fake model", "agent", "", ALL, "us_per_run"),
    ("W2-10", "W2 chain of 10", "chain", "10", ALL, "us_per_step"),
    ("W2-100", "W2 chain of 100", "chain", "100", ALL, "us_per_step"),
    (
        "W2-1000",
        "W2 chain of 1,000",
        "chain",
        "1000",
        ALL,
        "us_per_step",
    ),
    (
        "W2-10000",
        "W2 chain of 10,000",
        "chain",
        "10000",
        ALL,
        "us_per_step",
    ),
    ("W3", "W3 1→8→1 × 50 ms", "fanout", "", WITH_FLOOR, "x_critical"),
    ("W4", "W4 200 × 20 ms", "wide", "", WITH_FLOOR, "x_critical"),
    (
        "W5",
        "W5 100 concurrent W3 runs",
        "concurrent",
        "100",
        WITH_FLOOR,
        "concurrent",
    ),
    (
        "W5-1000",
        "W5 1,000 concurrent W3 runs",
        "concurrent",
        "1000",
        WITH_FLOOR,
        "concurrent",
    ),
    (
        "W5-5000",
        "W5 5,000 concurrent W3 runs",
        "concurrent",
        "5000",
        WITH_FLOOR,
        "concurrent",
    ),
    ("W6", "W6 coordinate team, 3 members", "team", "", ALL, "us_per_run"),
    ("W7", "W7 load + validate 1,000 steps ¹", "validate", "1000", ALL, "seconds"),
    # Linearity of validation (design §6): ours alone, the peers have no spec to read.
    ("W7-10000", "W7 load + validate 10,000 steps", "validate", "10000", ("agno-dsl",), "seconds"),
    ("W7-50000", "W7 load + validate 50,000 steps", "validate", "50000", ("agno-dsl",), "seconds"),
    ("W8", "W8 streamed answer, 1,000 words", "stream", "1000", ALL, "tokens_per_second"),
    # The same FastMCP server (mcp_server.py) behind agno's MCPTools and behind ours.
    ("W9-stdio", "W9 MCP tool call, stdio", "mcp", "stdio", MCP, "us_per_call"),
    ("W9-http", "W9 MCP tool call, streamable HTTP", "mcp", "http", MCP, "us_per_call"),
]
CRITICAL_PATH = {"fanout": 0.150, "wide": 0.020}
STORAGE = ["sqlite", "postgresql", "redis"]
# Telemetry on vs off, each system with its own tracing (same agent run, same chain).
TELEMETRY = [("agent", "per agent run (W1)"), ("chain", "per step (W2, chain of 100)")]
SOURCES = ("dsl", "interpreter", "schemas")


def measure(python: str, system: str, workload: str, arg: str) -> dict[str, Any]:
    command = [python, str(HERE / SCRIPTS[system]), workload] + ([arg] if arg else [])
    env = {**os.environ, "AGNO_TELEMETRY": "false"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=True, env=env)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if workload in CRITICAL_PATH:
        result["x_critical"] = result["seconds_median"] / CRITICAL_PATH[workload]
    return result


def cold_start(python: str, peer: str) -> dict[str, list[float]]:
    """W0: a whole process running one agent, each system its own way."""
    commands = {
        "agno-dsl": [
            python,
            "-m",
            "agno_dsl",
            "run",
            str(HERE / "cold" / "agent.yaml"),
            "hi",
            "--storage",
            f"sqlite:///{tempfile.mkdtemp()}/cold.db",
        ],
        "agno": [peer, str(HERE / "cold" / "agno_agent.py")],
        "langgraph": [peer, str(HERE / "cold" / "langgraph_agent.py")],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    env = {**os.environ, "AGNO_TELEMETRY": "false"}
    for _ in range(11):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True, env=env)
            times[name].append(time.perf_counter() - started)
    return times


def machine() -> dict[str, Any]:
    """What the figures were measured on, with the load at the end (noise shows there)."""
    import psutil

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "physical_cpus": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average": [round(x, 2) for x in psutil.getloadavg()],
    }


def bare_rss_mb(python: str) -> float:
    code = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    return float(
        subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--peer-python",
        default=sys.executable,
        help="A Python with agno==3.1.10, langgraph and psutil.",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="Comma-separated row keys (e.g. W9-stdio,W9-http).")
    parser.add_argument(
        "--telemetry-only",
        action="store_true",
        help="Measure only telemetry off/on beside agno's tracing (writes its own table).",
    )
    args = parser.parse_args()
    try:
        import psutil  # noqa: F401 - needed at the end, checked before minutes of measuring
    except ImportError:
        print("run.py needs the bench extra: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    pythons = {
        "agno-dsl": sys.executable,
        "agno": args.peer_python,
        "langgraph": args.peer_python,
        "bare": sys.executable,
    }
    # pip byte-compiles the peers when it installs them; an editable install of
    # ours is compiled on import, which PYTHONDONTWRITEBYTECODE=1 turns into
    # compiling on every start. Compile ahead so cold starts compare alike.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *(str(HERE.parent / d) for d in SOURCES)],
        check=True,
    )
    only = set(args.only.split(",")) if args.only else None
    workloads = [w for w in WORKLOADS if only is None or w[0] in only]
    # --only measures its rows alone; telemetry has --telemetry-only.
    telemetry = [] if only is not None else measure_telemetry(pythons, args.rounds)
    if args.telemetry_only:
        stamp = datetime.date.today().isoformat()
        out = HERE / "results" / f"{stamp}-telemetry.json"
        out.parent.mkdir(exist_ok=True)
        report = {
            "date": stamp,
            "rounds": args.rounds,
            "machine": machine(),
            "telemetry": telemetry,
        }
        out.write_text(json.dumps(report, indent=2) + "\n")
        write_telemetry_table(report)
        print(f"wrote {out.relative_to(HERE.parent)} and the telemetry table in README.md")
        return 0
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for round_index in range(args.rounds):
        for key, label, workload, arg, systems, _ in workloads:
            order = list(systems) if round_index % 2 == 0 else list(reversed(systems))
            for system in order:
                result = measure(pythons[system], system, workload, arg)
                samples.setdefault(key, {}).setdefault(system, []).append(result)
                print(f"round {round_index + 1} {label:<32} {system:<9} {result}", file=sys.stderr)
    if only is not None:
        return update_rows(samples, args.rounds)
    cold = cold_start(sys.executable, args.peer_python)
    bare = {system: bare_rss_mb(python) for system, python in pythons.items()}
    storage = []
    for backend in STORAGE:
        results = [
            measure(sys.executable, "agno-dsl", "storage", backend) for _ in range(args.rounds)
        ]
        storage.append(
            {
                "backend": backend,
                "us_per_step": statistics.median(r["us_per_step"] for r in results),
                "in_memory_us_per_step": statistics.median(
                    r["in_memory_us_per_step"] for r in results
                ),
                "fanout_x_critical_path": statistics.median(
                    r["fanout_x_critical_path"] for r in results
                ),
            }
        )
    report = summarize(samples, cold, bare, storage)
    report["telemetry"] = telemetry
    stamp = datetime.date.today().isoformat()
    out = HERE / "results" / f"{stamp}.json"
    out.parent.mkdir(exist_ok=True)
    report.update(
        {
            "date": stamp,
            "rounds": args.rounds,
            "machine": machine(),
        }
    )
    out.write_text(json.dumps(report, indent=2) + "\n")
    write_table(report)
    write_telemetry_table(report)
    print(f"wrote {out.relative_to(HERE.parent)} and the table in benchmarks/README.md")
    return 0


def update_rows(samples: dict[str, dict[str, list[dict[str, Any]]]], rounds: int) -> int:
    """Put freshly measured rows into the newest results; the rest stays as measured."""
    files = sorted(f for f in (HERE / "results").glob("*.json") if "-telemetry" not in f.name)
    if not files:
        print("no earlier results to add rows to: run without --only first", file=sys.stderr)
        return 2
    report = json.loads(files[-1].read_text())
    stamp = datetime.date.today().isoformat()
    for key, _, _, _, _, kind in WORKLOADS:
        if key in samples:
            report["results"][key] = {
                system: {kind: _median(results, kind)} for system, results in samples[key].items()
            }
            report.setdefault("rows_measured", {})[key] = {
                "date": stamp,
                "rounds": rounds,
                "machine": machine(),
            }
    out = HERE / "results" / f"{stamp}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    write_table(report)
    print(f"wrote {out.relative_to(HERE.parent)} and the table in benchmarks/README.md")
    return 0


def measure_telemetry(pythons: dict[str, str], rounds: int) -> list[dict[str, Any]]:
    """Telemetry off and on, in one process per measurement, the systems alternating."""
    rows = []
    for kind, label in TELEMETRY:
        results: dict[str, list[dict[str, Any]]] = {"agno-dsl": [], "agno": []}
        for round_index in range(rounds):
            order = ["agno-dsl", "agno"] if round_index % 2 == 0 else ["agno", "agno-dsl"]
            for system in order:
                result = measure(pythons[system], system, "traced", kind)
                results[system].append(result)
                print(
                    f"round {round_index + 1} telemetry {kind:<6} {system:<9} {result}",
                    file=sys.stderr,
                )
        rows.append(
            {
                "kind": kind,
                "label": label,
                **{
                    system: {key: _median(samples, key) for key in ("off_us", "on_us", "added_us")}
                    for system, samples in results.items()
                },
            }
        )
    return rows


def write_telemetry_table(report: dict[str, Any]) -> None:
    lines = [
        f"Measured {report['date']} on {report['machine']['cpus']} CPUs (medians of "
        f"{report['rounds']} rounds). On: the OpenTelemetry SDK with a batch span processor "
        "and the in-memory exporter; agno: its tracing (OpenInference's instrumentation, "
        "as `setup_tracing` installs it) with the same processor and exporter.",
        "",
        "| telemetry | agno-dsl off | agno-dsl on | added | agno off | agno on | added "
        "| added ÷ agno's added |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report["telemetry"]:
        ours, agno = row["agno-dsl"], row["agno"]
        lines.append(
            f"| {row['label']} | {ours['off_us']:.1f} µs | {ours['on_us']:.1f} µs | "
            f"{ours['added_us']:.1f} µs | {agno['off_us']:.1f} µs | {agno['on_us']:.1f} µs | "
            f"{agno['added_us']:.1f} µs | {ours['added_us'] / agno['added_us']:.2f}× |"
        )
    _write_block("telemetry", lines)


def _median(results: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in results)


def summarize(
    samples: dict[str, dict[str, list[dict[str, Any]]]],
    cold: dict[str, list[float]],
    bare: dict[str, float],
    storage: list[dict[str, Any]],
) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = {
        "W0": {system: {"seconds": statistics.median(times)} for system, times in cold.items()}
    }
    for key, _, _, _, _, kind in WORKLOADS:
        rows[key] = {}
        for system, results in samples.get(key, {}).items():
            if kind == "concurrent":
                rows[key][system] = {
                    "p50_ms": _median(results, "p50_ms"),
                    "p95_ms": _median(results, "p95_ms"),
                    "cpu_ms_per_run": _median(results, "cpu_ms_per_run"),
                    "rss_above_bare_mb": _median(results, "peak_rss_mb") - bare[system],
                }
            else:
                rows[key][system] = {kind: _median(results, kind)}
    return {"results": rows, "storage": storage, "bare_rss_mb": bare}


def _cell(row: dict[str, Any], system: str) -> str:
    value = row.get(system)
    if value is None:
        return "—"
    if "us_per_step" in value:
        return f"{value['us_per_step']:.1f} µs/step"
    if "us_per_run" in value:
        return f"{value['us_per_run']:.0f} µs/run"
    if "us_per_call" in value:
        return f"{value['us_per_call']:.0f} µs/call"
    if "tokens_per_second" in value:
        return f"{value['tokens_per_second'] / 1000:.0f}k tokens/s"
    if "x_critical" in value:
        return f"{value['x_critical']:.3f}×"
    if "p95_ms" in value:
        return (
            f"p50 {value['p50_ms']:.0f} / p95 {value['p95_ms']:.0f} ms, "
            f"CPU {value['cpu_ms_per_run']:.2f} ms/run, +{value['rss_above_bare_mb']:.0f} MB"
        )
    return f"{value['seconds'] * 1000:.0f} ms"


def _versus_agno(key: str, row: dict[str, Any]) -> str:
    """agno-dsl's figure as a ratio of agno's: below 1 is better (W8, tokens/s: above)."""
    ours, agno = row.get("agno-dsl"), row.get("agno")
    if ours is None or agno is None or key == "W7":
        return "—"
    if "p95_ms" in ours:
        return (
            f"p95−150 {(ours['p95_ms'] - 150) / (agno['p95_ms'] - 150):.2f}×, "
            f"CPU {ours['cpu_ms_per_run'] / agno['cpu_ms_per_run']:.2f}×, "
            f"RSS {ours['rss_above_bare_mb'] / agno['rss_above_bare_mb']:.2f}×"
        )
    if "x_critical" in ours:
        # What each adds to the critical path, compared.
        return f"overhead {(ours['x_critical'] - 1) / (agno['x_critical'] - 1):.2f}×"
    (field,) = ours
    return f"{ours[field] / agno[field]:.2f}×"


def write_table(report: dict[str, Any]) -> None:
    rows = report["results"]
    labels = {"W0": "W0 cold start, whole process", **{k: label for k, label, *_ in WORKLOADS}}
    lines = [
        f"Measured {report['date']} on {report['machine']['cpus']} CPUs "
        f"(medians of {report['rounds']} rounds; W3/W4 as makespan ÷ critical path).",
        "",
        "| workload | agno-dsl | agno 3.1.10 | LangGraph | plain asyncio (floor) "
        "| agno-dsl ÷ agno |",
        "|---|---|---|---|---|---|",
    ]
    for key, label in labels.items():
        row = rows.get(key, {})
        lines.append(
            f"| {label} | {_cell(row, 'agno-dsl')} | {_cell(row, 'agno')} | "
            f"{_cell(row, 'langgraph')} | {_cell(row, 'bare')} | {_versus_agno(key, row)} |"
        )
    lines += [
        "",
        "¹ agno and LangGraph have no spec file: their W7 is building the same 1,000-agent-step "
        "workflow in Python (LangGraph: and compiling it), without parsing or checking templates.",
    ]
    for key, when in sorted(report.get("rows_measured", {}).items()):
        lines += [
            "",
            f"{labels[key]}: measured on its own (`--only`) {when['date']}, medians of "
            f"{when['rounds']} rounds, load average {when['machine']['load_average'][0]}.",
        ]
    lines += [
        "",
        "Recording runs in storage (agno-dsl; 100-step chain beside the same chain in memory, "
        "W3 recorded):",
        "",
        "| backend | step in memory | recording adds per step | W3 recorded |",
        "|---|---|---|---|",
    ]
    for entry in report["storage"]:
        lines.append(
            f"| {entry['backend']} | {entry['in_memory_us_per_step']:.1f} µs | "
            f"{entry['us_per_step']:.0f} µs | {entry['fanout_x_critical_path']:.3f}× |"
        )
    _write_block("results", lines)


def _write_block(name: str, lines: list[str]) -> None:
    """Replace what README.md holds between the <!-- name:start/end --> markers."""
    readme = HERE / "README.md"
    text = readme.read_text()
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    readme.write_text(head + start + "\n" + "\n".join(lines) + "\n" + end + tail)


if __name__ == "__main__":
    raise SystemExit(main())
