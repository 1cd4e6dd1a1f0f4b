"""A batch killed mid-way (SIGKILL, Ctrl-C) and resumed: no finished row lost or repeated,
interrupted rows continue their own run."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from collections import Counter

from tests.dsl.batch.conftest import Project

ROWS = 60


def start_and_stop(project: Project, sig: int, finished: int) -> subprocess.Popen[str]:
    """Run a slow batch; send `sig` once `finished` rows are in the results file."""
    project.write_rows([{"text": f"row {i}"} for i in range(ROWS)])
    process = project.start(
        "batch",
        "spec.yaml",
        "--inputs",
        "data.jsonl",
        "--out",
        "results.jsonl",
        "--concurrency",
        "4",
        step_seconds=0.05,
    )
    deadline = time.monotonic() + 60
    while len(project.results()) < finished and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    process.send_signal(sig)
    process.wait(timeout=30)
    return process


def batch_id_of(project: Project) -> str:
    import sqlite3

    db = sqlite3.connect(project.root / "batch.db")
    (batch_id,) = db.execute("SELECT batch_id FROM agno_dsl_batches").fetchone()
    return str(batch_id)


def check_resumed(project: Project, before: list[dict[str, object]], batch_id: str) -> None:
    done = project.cli("batch", "--resume", batch_id, step_seconds=0.0)
    assert done.returncode == 0, done.stderr
    after = project.results()
    assert [r["index"] for r in after] == list(range(ROWS))
    assert all(r["status"] == "completed" for r in after)
    # finished rows kept as they were (a row saved only in its run record gets its
    # duration from that record)
    same = [{k: v for k, v in r.items() if k != "duration"} for r in after[: len(before)]]
    assert same == [{k: v for k, v in r.items() if k != "duration"} for r in before]
    starts = Counter(line.removeprefix("a ") for line in project.logged() if line[0] == "a")
    ends = Counter(line.removeprefix("c ") for line in project.logged() if line[0] == "c")
    for row in before:  # nothing finished ran again
        text = str(row["output"]).split(":")[0]
        assert starts[text] == 1 and ends[text] == 1, text
    # every row ran to its end; a row interrupted after its first step kept that step
    assert set(ends) == {f"row {i}" for i in range(ROWS)}
    assert all(count <= 2 for count in starts.values())
    # rows whose record was not flushed yet come from their run records, not "done before"
    assert re.search(rf"batch {batch_id} completed: {ROWS} rows \(", done.stderr)


def test_sigkill_mid_batch_then_resume(project: Project) -> None:
    process = start_and_stop(project, signal.SIGKILL, finished=8)
    assert process.returncode == -signal.SIGKILL
    before = project.results()
    assert 8 <= len(before) < ROWS
    check_resumed(project, before, batch_id_of(project))


def test_ctrl_c_mid_batch_names_the_resume_command(project: Project) -> None:
    process = start_and_stop(project, signal.SIGINT, finished=8)
    _, stderr = process.communicate()
    assert process.returncode == 130, stderr
    batch_id = batch_id_of(project)
    assert f"continue it with: agno-dsl batch --resume {batch_id}" in stderr
    assert re.search(rf"batch {batch_id} interrupted: \d+ rows", stderr)
    check_resumed(project, project.results(), batch_id)


def test_an_interrupted_row_continues_its_own_run(project: Project) -> None:
    """The run of a row cut after its first step is resumed: same run id, the
    first step not run again."""
    import sqlite3

    process = start_and_stop(project, signal.SIGKILL, finished=4)
    assert process.returncode == -signal.SIGKILL
    db = sqlite3.connect(project.root / "batch.db")
    cut = [
        json.loads(data)
        for (data,) in db.execute(
            "SELECT data FROM agno_dsl_runs WHERE status NOT IN ('completed', 'failed')"
        )
    ]
    steps = {
        run_id: [
            key
            for (key,) in db.execute("SELECT key FROM agno_dsl_steps WHERE run_id = ?", (run_id,))
        ]
        for run_id in (run["run_id"] for run in cut)
    }
    db.close()
    assert cut, "no run was cut mid-way"
    starts_before = Counter(line for line in project.logged() if line.startswith("a "))
    done = project.cli("batch", "--resume", batch_id_of(project))
    assert done.returncode == 0, done.stderr
    results = {r["run_id"]: r for r in project.results()}
    starts_after = Counter(line for line in project.logged() if line.startswith("a "))
    for run in cut:
        assert results[run["run_id"]]["status"] == "completed"  # the same run id finished
        text = run["input"]["text"]
        if any("first" in key for key in steps[run["run_id"]]):
            assert starts_after[f"a {text}"] == starts_before[f"a {text}"] == 1, text
