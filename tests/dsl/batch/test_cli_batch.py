"""`agno-dsl batch` end to end, in a process of its own as a user runs it."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

from tests.dsl.batch.conftest import Project


def rows(n: int, fail: set[int] = frozenset()) -> list[dict[str, object]]:  # type: ignore[assignment]
    return [{"text": f"row {i}", "fail": i in fail} for i in range(n)]


def test_one_run_per_row_results_in_input_order(project: Project) -> None:
    project.write_rows(rows(30, fail={4}))
    done = project.cli(
        "batch",
        "spec.yaml",
        "--inputs",
        "data.jsonl",
        "--out",
        "results.jsonl",
        "--concurrency",
        "7",
    )
    assert done.returncode == 1, done.stderr  # one row failed
    results = project.results()
    assert [r["index"] for r in results] == list(range(30))
    assert results[0]["output"] == "row 0: ROW 0"
    assert results[4]["status"] == "failed"
    assert "this row asks to fail" in results[4]["error"]
    assert sum(r["status"] == "completed" for r in results) == 29
    assert len({r["run_id"] for r in results}) == 30
    assert all(r["duration"] > 0 for r in results)
    summary = done.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        r"batch [0-9a-f-]{36} completed: 30 rows \(29 completed, 1 failed\) in .*"
        r"rows/s, 0 tokens; results in results.jsonl",
        summary,
    ), summary
    assert "\x1b[" not in done.stderr  # no bar when stderr is not a terminal


def test_all_rows_completed_exits_zero_and_results_go_to_stdout(project: Project) -> None:
    project.write_rows(rows(5))
    done = project.cli("batch", "spec.yaml", "--inputs", "data.jsonl")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["output"] for line in lines] == [f"row {i}: ROW {i}" for i in range(5)]


def test_csv_rows_and_an_agent_with_a_message_field(project: Project) -> None:
    with (project.root / "data.csv").open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "question"])
        writer.writerows([[1, "hello"], [2, "tides?"], [3, "bye"]])
    done = project.cli(
        "batch",
        "spec.yaml",
        "--agent",
        "echo",
        "--inputs",
        "data.csv",
        "--message-field",
        "question",
        "--out",
        "results.jsonl",
    )
    assert done.returncode == 0, done.stderr
    results = project.results()
    assert [r["output"] for r in results] == ["hello", "tides?", "bye"]


def test_tokens_of_every_row_are_counted(project: Project) -> None:
    project.write_rows([{"message": f"q{i}"} for i in range(4)])
    done = project.cli("batch", "spec.yaml", "--agent", "labeler", "--inputs", "data.jsonl")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["output"] for line in lines] == ["question"] * 4
    per_row = lines[0]["tokens"]
    assert per_row > 0 and all(line["tokens"] == per_row for line in lines)
    assert f", {4 * per_row} tokens" in done.stderr


def test_agent_rows_with_several_fields_need_a_message_field(project: Project) -> None:
    project.write_rows([{"id": 1, "question": "hi"}])
    done = project.cli("batch", "spec.yaml", "--agent", "echo", "--inputs", "data.jsonl")
    assert done.returncode == 1
    line = json.loads(done.stdout)
    assert line["status"] == "skipped"
    assert line["error"] == (
        "data.jsonl:1: row 0 has fields id, question; choose one with --message-field"
    )


def test_bad_rows_are_skipped_with_where_and_why(project: Project) -> None:
    path = project.write_rows(rows(3))
    with path.open("a") as file:
        file.write("{not json\n")
        file.write(json.dumps({"txt": "typo"}) + "\n")
    done = project.cli("batch", "spec.yaml", "--inputs", "data.jsonl", "--out", "results.jsonl")
    assert done.returncode == 1
    results = project.results()
    assert [r["status"] for r in results] == ["completed"] * 3 + ["skipped"] * 2
    assert results[3]["error"].startswith("data.jsonl:4: row 3 is not JSON: ")
    assert results[4]["error"] == (
        "data.jsonl:5: row 4 violates the input schema: input of workflow 'pipeline': "
        "'text' is a required property (input_schema at spec.yaml:14:7)"
    )


def test_a_bad_row_stops_the_batch_and_a_fixed_file_resumes_it(project: Project) -> None:
    path = project.write_rows(rows(4))
    with path.open("a") as file:
        file.write("{not json\n")
        file.write(json.dumps({"text": "after"}) + "\n")
    done = project.cli(
        "batch",
        "spec.yaml",
        "--inputs",
        "data.jsonl",
        "--out",
        "results.jsonl",
        "--on-bad-row",
        "stop",
        "--concurrency",
        "1",
    )
    assert done.returncode == 1
    assert "error: data.jsonl:5: row 4 is not JSON: " in done.stderr
    assert [r["index"] for r in project.results()] == [0, 1, 2, 3]  # nothing finished lost
    batch_id = re.search(r"batch --resume (\S+)", done.stderr).group(1)  # type: ignore[union-attr]
    lines = path.read_text().splitlines()
    lines[4] = json.dumps({"text": "fixed"})
    path.write_text("\n".join(lines) + "\n")
    again = project.cli("batch", "--resume", batch_id)
    assert again.returncode == 0, again.stderr
    assert [r["output"] for r in project.results()][4:] == ["fixed: FIXED", "after: AFTER"]
    assert project.logged().count("a row 0") == 1  # finished rows were not run again


def test_max_failures_stops_early(project: Project) -> None:
    project.write_rows(rows(40, fail=set(range(40))))
    done = project.cli(
        "batch",
        "spec.yaml",
        "--inputs",
        "data.jsonl",
        "--out",
        "results.jsonl",
        "--max-failures",
        "3",
        "--concurrency",
        "1",
    )
    assert done.returncode == 1
    assert "error: 3 rows failed (--max-failures 3)" in done.stderr
    assert len(project.results()) == 3


def test_inputs_that_cannot_be_read_are_one_line_errors(project: Project) -> None:
    missing = project.cli("batch", "spec.yaml", "--inputs", "nope.jsonl")
    assert missing.returncode == 2
    assert missing.stderr == "error: --inputs nope.jsonl: no such file\n"
    (project.root / "data.xlsx").write_text("x")
    unknown = project.cli("batch", "spec.yaml", "--inputs", "data.xlsx")
    assert unknown.stderr == (
        "error: --inputs data.xlsx: unknown format .xlsx; use .jsonl, .csv or .parquet\n"
    )


def test_unreachable_storage_is_one_line(project: Project) -> None:
    project.write_rows(rows(2))
    done = project.cli(
        "batch",
        "spec.yaml",
        "--inputs",
        "data.jsonl",
        "--storage",
        "postgresql://agno:s3cret@127.0.0.1:1/test",
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: storage postgresql://agno:***@127.0.0.1:1/test: ")
    assert len(done.stderr.splitlines()) == 1
    assert "s3cret" not in done.stderr


def test_resume_of_an_unknown_batch(project: Project) -> None:
    done = project.cli("batch", "--resume", "nope")
    assert done.returncode == 2
    assert done.stderr.startswith("error: no batch nope in sqlite:///")


def test_parquet_rows(project: Project) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"text": [f"row {i}" for i in range(2500)], "fail": [False] * 2500})
    pq.write_table(table, project.root / "data.parquet", row_group_size=1000)
    done = project.cli(
        "batch",
        "spec.yaml",
        "--inputs",
        "data.parquet",
        "--out",
        "results.jsonl",
        "--concurrency",
        "50",
    )
    assert done.returncode == 0, done.stderr
    results = project.results()
    assert [r["index"] for r in results] == list(range(2500))
    assert results[2499]["output"] == "row 2499: ROW 2499"


def test_parquet_without_pyarrow_names_the_extra(project: Project) -> None:
    blocker = project.root / "blocked"
    (blocker / "pyarrow").mkdir(parents=True)
    (blocker / "pyarrow" / "__init__.py").write_text("raise ImportError('no pyarrow here')")
    (project.root / "data.parquet").write_bytes(b"PAR1")
    done = subprocess.run(
        [sys.executable, "-m", "agno_dsl", "batch", "spec.yaml", "--inputs", "data.parquet"],
        cwd=project.root,
        env={**project.env(), "PYTHONPATH": str(blocker)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "error: --inputs data.parquet: reading Parquet needs pyarrow: "
        "pip install 'agno-dsl[batch]'\n"
    )


def test_a_terminal_gets_a_live_progress_bar(project: Project) -> None:
    """stderr a terminal (a pseudo-terminal here): the bar shows done, failed,
    running, rows/s and tokens, then the summary."""
    import os
    import pty

    project.write_rows(rows(20, fail={3}))
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agno_dsl",
            "batch",
            "spec.yaml",
            "--inputs",
            "data.jsonl",
            "--out",
            "results.jsonl",
        ],
        cwd=project.root,
        env={**project.env(step_seconds=0.05), "COLUMNS": "160"},
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait(timeout=60) == 1
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode(errors="replace"))
    assert re.search(r"19 done 1 failed 0 running · \d+ rows/s", text), text
    assert "0 tokens" in text and "20/20" in text
    assert "completed: 20 rows (19 completed, 1 failed)" in text
