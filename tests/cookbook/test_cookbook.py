"""Every cookbook scenario runs through the CLI; output and events are snapshot-tested."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import COOKBOOK, cookbook_command, read_events, run_cli

SCENARIOS = sorted(p.name for p in COOKBOOK.iterdir() if (p / "spec.yaml").is_file())


def test_there_are_scenarios() -> None:
    assert len(SCENARIOS) >= 6


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_output_and_events(scenario: str, snapshot, monkeypatch, tmp_path: Path) -> None:
    folder = COOKBOOK / scenario
    monkeypatch.chdir(folder)
    events_file = tmp_path / "events.jsonl"
    result = run_cli([*cookbook_command(folder), "--events", str(events_file)])
    assert result.exit_code == 0, result.output
    events = read_events(events_file)
    sequence = [
        f"{e['event']}:{e['step_name']}" if "step_name" in e else e["event"] for e in events
    ]
    assert {"stdout": result.stdout, "events": sequence} == snapshot
    # Every event of a run carries the same run id.
    assert len({e["run_id"] for e in events}) == 1


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_readme_shows_the_real_command_and_output(scenario: str, monkeypatch) -> None:
    folder = COOKBOOK / scenario
    monkeypatch.chdir(folder)
    readme = (folder / "README.md").read_text()
    command = (folder / "spec.yaml").read_text().splitlines()[0][len("# run: ") :]
    assert command in readme
    result = run_cli(cookbook_command(folder))
    assert result.stdout.strip() in readme


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_validates(scenario: str) -> None:
    result = run_cli(["validate", str(COOKBOOK / scenario / "spec.yaml")])
    assert result.exit_code == 0, result.output
