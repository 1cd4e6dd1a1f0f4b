"""Exit non-zero when the newest benchmark results miss a goal of design §6.

The limits are design §6's own; where plain asyncio (the floor) was measured in
the same run, its figure is printed beside ours.

    python benchmarks/check.py [results.json]

Kept out of the test suite: timings are noisy, and these are ratios from one run.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def goals(r: dict[str, Any]) -> list[tuple[str, Callable[[], float], float, str]]:
    """(name, measure, limit, unit) for each goal of design §6: met when measure() <= limit.

    Measures are functions, so that a row missing from older results shows as not measured.
    """
    ours, agno, bare = "agno-dsl", "agno", "bare"

    def get(key: str, system: str, field: str) -> float:
        return float(r[key][system][field])

    def versus(key: str, field: str, other: str = agno) -> float:
        return get(key, ours, field) / get(key, other, field)

    def w5() -> float:
        return (get("W5", ours, "p95_ms") - 150) / (get("W5", agno, "p95_ms") - 150)

    return [
        ("W0 cold start ÷ agno", lambda: versus("W0", "seconds"), 0.5, "×"),
        ("W1 agent run ÷ agno", lambda: versus("W1", "us_per_run"), 0.2, "×"),
        ("W2 per step ÷ agno (1,000)", lambda: versus("W2-1000", "us_per_step"), 0.2, "×"),
        (
            "W2 10,000 ÷ 10 steps",
            lambda: get("W2-10000", ours, "us_per_step") / get("W2-10", ours, "us_per_step"),
            2.0,
            "×",
        ),
        ("W3 makespan ÷ critical path", lambda: get("W3", ours, "x_critical"), 1.01, "×"),
        ("W4 makespan ÷ plain asyncio's", lambda: versus("W4", "x_critical", bare), 1.02, "×"),
        ("W5 p95 − 150 ms ÷ agno's", w5, 0.5, "×"),
        ("W5 CPU per run ÷ agno", lambda: versus("W5", "cpu_ms_per_run"), 0.5, "×"),
        ("W5 RSS above bare ÷ agno", lambda: versus("W5", "rss_above_bare_mb"), 0.5, "×"),
        (
            "W5 5,000 runs p95 ÷ plain asyncio's",
            lambda: versus("W5-5000", "p95_ms", bare),
            1.3,
            "×",
        ),
        (
            "W5 CPU per run 5,000 ÷ 100 runs",
            lambda: get("W5-5000", ours, "cpu_ms_per_run") / get("W5", ours, "cpu_ms_per_run"),
            1.1,
            "×",
        ),
        ("W6 team run ÷ agno", lambda: versus("W6", "us_per_run"), 0.1, "×"),
        ("W7 validate 1,000 steps", lambda: get("W7", ours, "seconds"), 0.15, "s"),
        (
            "W7 validate 10,000 ÷ 1,000 steps",
            lambda: get("W7-10000", ours, "seconds") / get("W7", ours, "seconds"),
            10.0,
            "×",
        ),
        (
            "W7 validate 50,000 ÷ 10,000 steps",
            lambda: get("W7-50000", ours, "seconds") / get("W7-10000", ours, "seconds"),
            5.0,
            "×",
        ),
    ] + [
        (
            f"{key} MCP call ÷ agno's MCPTools",
            get(key, ours, "us_per_call") / get(key, agno, "us_per_call"),
            1.0,
            "×",
        )
        for key in ("W9-stdio", "W9-http")
        if key in r  # results from before W9 existed have no such row
    ]


# µs a recorded step may add over the same step in memory (design §6).
RECORDING_GOALS_US = {"sqlite": 30.0, "redis": 60.0, "postgresql": 120.0}


def recording_goals(
    storage: list[dict[str, Any]],
) -> list[tuple[str, Callable[[], float], float, str]]:
    return [
        (f"recorded step, {entry['backend']}", lambda e=entry: e["us_per_step"], limit, " µs")
        for entry in storage
        if (limit := RECORDING_GOALS_US.get(entry["backend"])) is not None
    ]


def floors(r: dict[str, Any]) -> dict[str, float]:
    """The same figures for plain asyncio, where the run measured it: the lowest reachable."""
    if "bare" not in r.get("W5", {}):
        return {}
    bare, agno = r["W5"]["bare"], r["W5"]["agno"]
    found = {
        "W3 makespan ÷ critical path": r["W3"]["bare"]["x_critical"],
        "W5 p95 − 150 ms ÷ agno's": (bare["p95_ms"] - 150) / (agno["p95_ms"] - 150),
        "W5 CPU per run ÷ agno": bare["cpu_ms_per_run"] / agno["cpu_ms_per_run"],
        "W5 RSS above bare ÷ agno": bare["rss_above_bare_mb"] / agno["rss_above_bare_mb"],
    }
    if "bare" in r.get("W5-5000", {}):
        found["W5 CPU per run 5,000 ÷ 100 runs"] = (
            r["W5-5000"]["bare"]["cpu_ms_per_run"] / bare["cpu_ms_per_run"]
        )
    return found


def main() -> int:
    files = sorted(f for f in (HERE / "results").glob("*.json") if "-telemetry" not in f.name)
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else (files[-1] if files else None)
    if path is None:
        print("no results: run python benchmarks/run.py first", file=sys.stderr)
        return 2
    report = json.loads(path.read_text())
    results = report["results"]
    floor = floors(results)
    missed = 0
    for name, measure, limit, unit in goals(results) + recording_goals(report.get("storage", [])):
        try:
            measured = measure()
        except KeyError:
            missed += 1
            print(f"MISS {name:<36} not measured in {path.name} (goal ≤ {limit}{unit})")
            continue
        ok = measured <= limit
        missed += not ok
        line = f"{'ok  ' if ok else 'MISS'} {name:<36} {measured:8.3f}{unit}  (goal ≤ {limit}{unit}"
        if name in floor:
            line += f"; plain asyncio {floor[name]:.3f}{unit}"
        print(line + ")")
    print(f"{missed} goal(s) missed" if missed else "all goals met")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
