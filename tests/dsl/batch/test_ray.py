"""The Ray executor against a real Ray cluster on this machine: one head node
(`ray start --head`, 2 CPUs) for this module's tests, shared storage in Redis."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dsl.batch.conftest import Project
from tests.interpreter.storage.conftest import drop, storage_url_for

RAY = Path(sys.executable).parent / "ray"
# Steps that log to absolute paths: Ray workers run a copy of the spec's folder
# and their environment is the cluster's, not the batch command's.
STEPS = """
import asyncio, os

async def first(step_input):
    with open({log!r}, "a") as log:
        log.write(f"a {{step_input.input['text']}} {{os.getpid()}}\\n")
    await asyncio.sleep({seconds})
    return step_input.input["text"].upper()

async def last(step_input):
    await asyncio.sleep({seconds})
    with open({log!r}, "a") as log:
        log.write(f"c {{step_input.input['text']}} {{os.getpid()}}\\n")
    return step_input.input["text"]
"""
SPEC = """version: 1
name: ray-batch
workflows:
  pipeline:
    steps:
      - {name: first, function: "steps:first"}
      - {name: last, function: "steps:last"}
"""


# One cluster for this module: stopped when its tests end, so later tests that
# check their own child processes (MCP servers) see none of Ray's.
@pytest.fixture(scope="module")
def ray_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path_factory.mktemp("ray") / "head.log"
    head = subprocess.Popen(
        [
            str(RAY),
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
        env={**os.environ, "RAY_AUTH_MODE": "disabled"},
        start_new_session=True,  # its own process group: stopped as one, by its id
    )
    try:
        deadline = time.monotonic() + 90
        while "block forever" not in log.read_text():
            assert head.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    url = storage_url_for("redis", tmp_path)
    yield url
    drop(url)


def ray_project(project: Project, rows: int, seconds: float) -> None:
    (project.root / "steps.py").write_text(STEPS.format(log=str(project.log), seconds=seconds))
    project.spec.write_text(SPEC)
    project.write_rows([{"text": f"row {i}"} for i in range(rows)])


def ray_env(project: Project) -> dict[str, str]:
    return {**project.env(), "RAY_AUTH_MODE": "disabled"}


def ray_batch(project: Project, address: str, url: str, *more: str) -> list[str]:
    """The command of a Ray batch of the project's rows (8 at once)."""
    return [
        sys.executable,
        "-m",
        "agno_dsl",
        "batch",
        "spec.yaml",
        "--inputs",
        "data.jsonl",
        "--executor",
        "ray",
        "--ray-address",
        address,
        "--storage",
        url,
        "--concurrency",
        "8",
        *more,
    ]


def test_rows_spread_over_workers_results_in_order(
    project: Project, ray_address: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver in this process (ray.init here, shut down at the end)."""
    ray_project(project, rows=40, seconds=0.02)
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    done = project.cli(*ray_batch(project, ray_address, redis_url, "--out", "results.jsonl")[3:])
    assert done.returncode == 0, done.stderr
    results = project.results()
    assert [r["output"] for r in results] == [f"row {i}" for i in range(40)]
    workers = {line.split()[-1] for line in project.logged()}
    assert len(workers) == 2  # both actors ran rows
    assert str(os.getpid()) not in workers


def test_a_worker_killed_mid_batch_loses_nothing(
    project: Project, ray_address: str, redis_url: str
) -> None:
    ray_project(project, rows=60, seconds=0.1)
    batch = subprocess.Popen(
        ray_batch(project, ray_address, redis_url, "--out", "results.jsonl"),
        cwd=project.root,
        env=ray_env(project),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 180
    while len(project.results()) < 10 and time.monotonic() < deadline:
        assert batch.poll() is None, batch.communicate()
        time.sleep(0.05)
    before = project.results()
    victim = int(project.logged()[-1].split()[-1])
    os.kill(victim, signal.SIGKILL)
    _, stderr = batch.communicate(timeout=240)
    assert batch.returncode == 0, stderr
    results = project.results()
    assert [r["index"] for r in results] == list(range(60))
    assert all(r["status"] == "completed" for r in results), results
    ends = Counter(" ".join(line.split()[1:3]) for line in project.logged() if line[0] == "c")
    for row in before:  # finished before the kill: never run again
        assert ends[str(row["output"])] == 1
    assert set(ends) == {f"row {i}" for i in range(60)}


def test_sqlite_is_refused_for_ray(project: Project) -> None:
    ray_project(project, rows=1, seconds=0)
    done = project.cli("batch", "spec.yaml", "--inputs", "data.jsonl", "--executor", "ray")
    assert done.returncode == 2
    assert done.stderr == (
        "error: --executor ray needs storage every worker reaches: --storage postgresql://… "
        "or redis://… (SQLite is a file on one machine)\n"
    )


def test_a_ray_address_that_does_not_answer(project: Project, redis_url: str) -> None:
    ray_project(project, rows=1, seconds=0)
    done = project.cli(
        "batch",
        "spec.yaml",
        "--inputs",
        "data.jsonl",
        "--executor",
        "ray",
        "--storage",
        redis_url,
        "--ray-address",
        "127.0.0.1:1",
    )
    assert done.returncode == 2
    assert done.stderr == "error: --ray-address 127.0.0.1:1: no Ray cluster answers there\n"


def test_without_ray_installed(project: Project, redis_url: str) -> None:
    """Ray missing: --executor ray names the extra; a local batch never imports Ray."""
    ray_project(project, rows=2, seconds=0)
    blocker = project.root / "blocked"
    (blocker / "ray").mkdir(parents=True)
    (blocker / "ray" / "__init__.py").write_text("raise ImportError('no ray here')")
    env = {**project.env(), "PYTHONPATH": str(blocker)}
    command = [sys.executable, "-m", "agno_dsl", "batch", "spec.yaml", "--inputs", "data.jsonl"]
    ray = subprocess.run(
        [*command, "--executor", "ray", "--storage", redis_url],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ray.returncode == 2
    assert ray.stderr == "error: --executor ray needs Ray: pip install 'agno-dsl[ray]'\n"
    local = subprocess.run(command, cwd=project.root, env=env, capture_output=True, text=True)
    assert local.returncode == 0, local.stderr


def test_the_model_limit_holds_across_the_cluster(
    project: Project, ray_address: str, redis_url: str
) -> None:
    """Two workers, 8 rows at once, `max_concurrency: 2`: the model server never
    sees more than 2 requests at once (one ModelSlots actor for the cluster)."""
    from tests.dsl.batch.test_model_limits import CountingServer, limited_project

    server = CountingServer()
    try:
        limited_project(project, server, ", max_concurrency: 2")
        done = subprocess.run(
            ray_batch(project, ray_address, redis_url),
            cwd=project.root,
            env=ray_env(project),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert server.served == 16
        assert server.most == 2
    finally:
        server.httpd.shutdown()
