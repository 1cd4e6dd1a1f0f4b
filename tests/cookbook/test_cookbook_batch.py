"""The batch cookbook scenario end to end, as its README shows it, then resumed
after the bad ticket is fixed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from tests.conftest import COOKBOOK, run_cli

SCENARIO = COOKBOOK / "28_batch_triage"


def test_batch_triage_as_the_readme_shows(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "scenario"
    shutil.copytree(SCENARIO, folder)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("AGNO_DSL_STORAGE", f"sqlite:///{tmp_path}/batch.db")
    first_line = (folder / "batch.yaml").read_text().splitlines()[0]
    args = first_line.removeprefix("# run: agno-dsl ").split()
    assert args[0] == "batch" and " ".join(args) in (folder / "README.md").read_text()
    done = run_cli(args)
    assert done.exit_code == 1
    results = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()]
    readme = (folder / "README.md").read_text()
    for result in results:  # the README shows every line, but for run ids and durations
        assert f'"status": "{result["status"]}", "output": {json.dumps(result["output"])}' in readme
        assert f'"error": {json.dumps(result["error"])}, "tokens": {result["tokens"]}' in readme
    assert [r["status"] for r in results].count("skipped") == 1
    batch_id = re.search(r"batch (\S+) completed", done.stderr).group(1)  # type: ignore[union-attr]
    tickets = (
        (folder / "tickets.jsonl")
        .read_text()
        .replace('{"id": "T-4"}', '{"id": "T-4", "text": "Error 500 on login"}')
    )
    (folder / "tickets.jsonl").write_text(tickets)
    again = run_cli(["batch", "--resume", batch_id])
    assert again.exit_code == 0, again.stderr
    resumed = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()]
    assert resumed[3]["output"] == {"id": "T-4", "label": "bug", "queue": "engineering"}
    assert [r["run_id"] for r in resumed[:3]] == [r["run_id"] for r in results[:3]]
    assert "4 done before" in again.stderr


def test_batch_triage_validates() -> None:
    assert run_cli(["validate", str(SCENARIO / "batch.yaml")]).exit_code == 0
