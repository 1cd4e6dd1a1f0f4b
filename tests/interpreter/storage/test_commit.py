"""interpreter/storage: a run's commits, and the storages the runs of one event loop share."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import agno_dsl
import pytest
from agno_dsl.interpreter.storage import Commit, EncodedRun, open_storage
from agno_dsl.interpreter.storage.base import lease_owner

from tests.interpreter.storage.conftest import drop, storage_url_for
from tests.interpreter.storage.test_storage import record, with_storage

CHAIN = """version: 1
workflows:
  w:
    steps:
      - {name: a, function: "work:step", input: "a"}
      - {name: b, function: "work:step", input: "{{ steps.a.output }}b"}
"""
WORK = """
async def step(step_input):
    return step_input.input
"""


@pytest.fixture(params=["postgresql", "redis"])
def server_url(request, tmp_path: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A server storage's URL, and a project with a two-step chain in tmp_path."""
    url = storage_url_for(request.param, tmp_path)
    (tmp_path / "chain.yaml").write_text(CHAIN)
    (tmp_path / "work.py").write_text(WORK)
    yield url
    drop(url)


def test_one_commit_writes_steps_events_run_and_session_together(storage_url: str) -> None:
    async def work(s: Any) -> None:
        run = record("r", 1.0)
        run.status = "completed"
        await s.commit(
            Commit(
                "r",
                steps=[("a", '{"content": 1}'), ("b", '{"content": 2}')],
                events=['{"event": "StepCompleted"}', '{"event": "WorkflowCompleted"}'],
                run=EncodedRun.of(run),
                session=("s1", '{"session_id": "s1", "state": {"n": 1}}'),
            )
        )
        assert await s.load_steps("r") == [("a", {"content": 1}), ("b", {"content": 2})]
        assert [e["event"] for e in await s.load_events("r")] == [
            "StepCompleted",
            "WorkflowCompleted",
        ]
        assert (await s.get_run("r")).status == "completed"
        assert (await s.get_session("s1"))["state"] == {"n": 1}

    with_storage(storage_url, work)


def test_numbering_continues_after_another_writer(storage_url: str) -> None:
    """Events are numbered by the run's writer; a new lease starts from what is stored."""
    me = lease_owner()

    async def work(s: Any) -> None:
        await s.save_run(record("r", 1.0))
        assert await s.acquire_lease("r", me, 30) is None
        await s.commit(Commit("r", [("a", '{"content": 1}')], ['{"n": 1}', '{"n": 2}']))
        # Another process (a resume after a kill, say) writes to the same run.
        other = type(s)(s.url)
        await other.open()
        try:
            await other.save_steps("r", [("b", {"content": 2})], [{"n": 3}])
        finally:
            await other.close_connections()
        assert await s.acquire_lease("r", me, 30) is None
        await s.commit(Commit("r", [("c", '{"content": 3}')], ['{"n": 4}']))
        assert [e["n"] for e in await s.load_events("r")] == [1, 2, 3, 4]
        assert [key for key, _ in await s.load_steps("r")] == ["a", "b", "c"]

    with_storage(storage_url, work)


def test_runs_of_one_loop_share_the_storage_and_its_end_closes_it(
    server_url: str, tmp_path: Path
) -> None:
    url = server_url
    sys.path.insert(0, str(tmp_path))
    opened: list[Any] = []

    async def two_runs() -> None:
        for _ in range(2):
            output = await agno_dsl.arun(tmp_path / "chain.yaml", "x", storage=url)
            assert output.status == "completed" and output.content == "ab"
            storage = await open_storage(url)
            opened.append(storage)
            await storage.close()  # the run's own close: the storage stays open

    try:
        asyncio.run(two_runs())
        assert opened[0] is opened[1]
        assert not _is_open(opened[0])  # closed when asyncio.run shut the loop down
        # Another loop opens its own.
        assert with_storage(url, lambda s: asyncio.sleep(0, s)) is not opened[0]
    finally:
        sys.path.remove(str(tmp_path))


def _is_open(storage: Any) -> bool:
    if hasattr(storage, "_idle"):  # PostgreSQL: its idle connections
        return any(not db.closed for db in storage._idle)
    return storage._redis is not None


def test_dropping_the_tables_lets_the_next_run_make_them_again(server_url: str) -> None:
    url = server_url

    async def work() -> None:
        first = await open_storage(url)
        await first.save_run(record("r", 1.0))
        await first.drop_all()
        await first.close()
        second = await open_storage(url)
        assert second is not first
        await second.save_run(record("r2", 2.0))
        assert [r.run_id for r in await second.list_runs()] == ["r2"]

    asyncio.run(work())


def test_a_process_with_shared_storages_ends_without_a_word_on_stderr(
    server_url: str, tmp_path: Path
) -> None:
    url = server_url
    script = textwrap.dedent(
        f"""
        import asyncio, agno_dsl

        async def main():
            for _ in range(3):
                output = await agno_dsl.arun("chain.yaml", "x", storage={url!r})
                assert output.status == "completed", output.error

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
