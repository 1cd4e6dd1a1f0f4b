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
        events = read_events(events_file)
        if index == 0:
            run_id = events[0]["run_id"]
        stdout, stderr = result.stdout, result.stderr
        for seen in {event["run_id"] for event in events}:  # run ids differ every time
            stdout, stderr = stdout.replace(seen, "RUN_ID"), stderr.replace(seen, "RUN_ID")
        results.append({"exit_code": result.exit_code, "stdout": stdout, "stderr": stderr})
    return results


def expected_exit(folder: Path) -> int:
    for line in (folder / "spec.yaml").read_text().splitlines():
        if line.startswith("# exit: "):
            return int(line.removeprefix("# exit: "))
    return 0


def test_there_are_scenarios() -> None:
    assert len(SCENARIOS) >= 14


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_output_and_events(scenario: str, snapshot, monkeypatch, tmp_path: Path) -> None:
    folder = COOKBOOK / scenario
    monkeypatch.chdir(folder)
    events_file = tmp_path / "events.jsonl"
    results = run_scenario(folder, events_file)
    # Earlier commands pause (exit 3) or finish their own run; the last one must
    # end as the scenario says (`# exit: N`, 0 by default).
    assert all(r["exit_code"] in (0, 3) for r in results[:-1]), results
    assert results[-1]["exit_code"] == expected_exit(folder), results[-1]["stderr"]
    events = read_events(events_file)
    sequence = [
        f"{e['event']}:{e['step_name']}" if "step_name" in e else e["event"] for e in events
    ]
    commands = results if len(results) > 1 else results[0]["stdout"]
    assert {"stdout": commands, "events": sequence} == snapshot
    # One run id per run, across resumes; a scenario of several runs has one each.
    runs = sum(1 for args in cookbook_commands(folder) if args[0] == "run")
    assert len({e["run_id"] for e in events}) == runs


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
