"""Every cookbook scenario runs through the CLI; output and events are snapshot-tested."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import COOKBOOK, cookbook_commands, read_events, run_cli

SCENARIOS = sorted(p.name for p in COOKBOOK.iterdir() if (p / "spec.yaml").is_file())


def run_scenario(folder: Path, events_file: Path) -> list[dict[str, Any]]:
    """Run the scenario's commands in order, as separate CLI invocations."""
    results = []
    run_id = ""
    for index, args in enumerate(cookbook_commands(folder)):
        args = [arg.replace("RUN_ID", run_id) for arg in args]
        result = run_cli([*args, "--events", str(events_file)])
        if index == 0:
            run_id = read_events(events_file)[0]["run_id"]
        results.append(
            {
                "exit_code": result.exit_code,
                "stdout": result.stdout.replace(run_id, "RUN_ID"),
                "stderr": result.stderr.replace(run_id, "RUN_ID"),
            }
        )
    return results


def test_there_are_scenarios() -> None:
    assert len(SCENARIOS) >= 14


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_output_and_events(scenario: str, snapshot, monkeypatch, tmp_path: Path) -> None:
    folder = COOKBOOK / scenario
    monkeypatch.chdir(folder)
    events_file = tmp_path / "events.jsonl"
    results = run_scenario(folder, events_file)
    # Only the last command finishes the run; earlier ones may pause (exit 3).
    assert [r["exit_code"] for r in results[:-1]] == [3] * (len(results) - 1), results
    assert results[-1]["exit_code"] == 0, results[-1]["stderr"]
    events = read_events(events_file)
    sequence = [
        f"{e['event']}:{e['step_name']}" if "step_name" in e else e["event"] for e in events
    ]
    commands = results if len(results) > 1 else results[0]["stdout"]
    assert {"stdout": commands, "events": sequence} == snapshot
    # Every event of a run carries the same run id, across processes too.
    assert len({e["run_id"] for e in events}) == 1


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_readme_shows_the_real_commands_and_output(
    scenario: str, monkeypatch, tmp_path: Path
) -> None:
    folder = COOKBOOK / scenario
    monkeypatch.chdir(folder)
    readme = (folder / "README.md").read_text()
    for line in (folder / "spec.yaml").read_text().splitlines():
        if line.startswith(("# run: ", "# then: ")):
            assert line.split(": ", 1)[1] in readme
    for result in run_scenario(folder, tmp_path / "events.jsonl"):
        assert result["stdout"].strip() in readme


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_validates(scenario: str) -> None:
    result = run_cli(["validate", str(COOKBOOK / scenario / "spec.yaml")])
    assert result.exit_code == 0, result.output
