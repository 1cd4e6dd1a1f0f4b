"""interpreter/storage: one suite, run unchanged against SQLite, PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
from agno_dsl.interpreter.storage import RunRecord, StorageError, open_storage, redact_url
from agno_dsl.interpreter.storage.base import lease_owner


def record(run_id: str, created: float, status: str = "running") -> RunRecord:
    return RunRecord(
        run_id=run_id,
        spec_path="/x/spec.yaml",
        spec_hash="h",
        kind="workflow",
        target="w",
        input={"topic": "tides"},
        session_id=None,
        status=status,
        created_at=created,
        updated_at=created,
    )


def with_storage(url: str, work: Any) -> Any:
    async def go() -> Any:
        storage = await open_storage(url)
        try:
            return await work(storage)
        finally:
            await storage.close()

    return asyncio.run(go())


def test_runs_round_trip_newest_first(storage_url: str) -> None:
    async def work(s: Any) -> None:
        for i in range(5):
            await s.save_run(record(f"r{i}", 100.0 + i, "completed" if i % 2 else "running"))
        updated = record("r1", 101.0, "failed")
        updated.error = "boom"
        await s.save_run(updated)
        assert (await s.get_run("r1")).error == "boom"
        assert await s.get_run("missing") is None
        assert [r.run_id for r in await s.list_runs(limit=3)] == ["r4", "r3", "r2"]
        assert [r.run_id for r in await s.list_runs(status="running")] == ["r4", "r2", "r0"]
        assert (await s.get_run("r0")).input == {"topic": "tides"}

    with_storage(storage_url, work)


def test_steps_and_events_keep_their_order(storage_url: str) -> None:
    async def work(s: Any) -> None:
        await s.save_run(record("r", 1.0))
        await s.save_step("r", "a", {"content": 1}, [{"event": "StepStarted"}])
        await s.save_step("r", "loop[1].b", {"content": 2}, [])
        await s.save_step("r", "a", {"content": 3}, [{"event": "StepCompleted"}])  # upsert
        await s.append_events("r", [{"event": "WorkflowCompleted"}])
        assert await s.load_steps("r") == [("a", {"content": 3}), ("loop[1].b", {"content": 2})]
        assert [e["event"] for e in await s.load_events("r")] == [
            "StepStarted",
            "StepCompleted",
            "WorkflowCompleted",
        ]
        assert await s.load_steps("other") == []

    with_storage(storage_url, work)


def test_lease_is_exclusive_until_released_or_dead(storage_url: str) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    me = lease_owner()
    host = me.rpartition(":")[0]

    async def work(s: Any) -> None:
        await s.save_run(record("r", 1.0))
        assert await s.acquire_lease("r", "other-host:1", 30) is None
        assert await s.acquire_lease("r", me, 30) == "other-host:1"
        await s.release_lease("r", "other-host:1")
        assert await s.acquire_lease("r", me, 30) is None
        assert await s.acquire_lease("r", me, 30) is None  # renewal by the holder
        await s.release_lease("r", me)
        # A holder on this machine whose process is gone does not block anyone.
        assert await s.acquire_lease("r", f"{host}:{dead}", 30) is None
        assert await s.acquire_lease("r", me, 30) is None

    with_storage(storage_url, work)


def test_lease_holder_is_who_runs_the_run_now(storage_url: str) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    host = lease_owner().rpartition(":")[0]

    async def work(s: Any) -> None:
        await s.save_run(record("r", 1.0))
        assert await s.lease_holder("r") is None  # never leased
        assert await s.acquire_lease("r", "other-host:1", 30) is None
        assert await s.lease_holder("r") == "other-host:1"
        await s.release_lease("r", "other-host:1")
        assert await s.lease_holder("r") is None
        assert await s.acquire_lease("r", "other-host:1", 0.05) is None
        await asyncio.sleep(0.2)
        assert await s.lease_holder("r") is None  # expired: nobody renews it
        assert await s.acquire_lease("r", f"{host}:{dead}", 30) is None
        assert await s.lease_holder("r") is None  # its process on this machine is gone
        assert await s.lease_holder("unknown") is None

    with_storage(storage_url, work)


def test_sessions_round_trip(storage_url: str) -> None:
    async def work(s: Any) -> None:
        await s.save_session("s1", {"session_id": "s1", "state": {"n": 1}})
        await s.save_session("s2", {"session_id": "s2", "state": {}})
        await s.save_session("s1", {"session_id": "s1", "state": {"n": 2}})
        assert (await s.get_session("s1"))["state"] == {"n": 2}
        assert await s.get_session("nope") is None
        assert [x["session_id"] for x in await s.list_sessions()] == ["s1", "s2"]

    with_storage(storage_url, work)


def test_two_storages_never_see_each_other(storage_url: str, tmp_path) -> None:
    from tests.interpreter.storage.conftest import drop, storage_url_for

    other = storage_url_for(storage_url.split(":")[0], tmp_path)
    try:
        with_storage(storage_url, lambda s: s.save_run(record("mine", 1.0)))
        assert with_storage(other, lambda s: s.get_run("mine")) is None
    finally:
        drop(other)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://agno:s3cret@127.0.0.1:1/test",
        "redis://:s3cret@127.0.0.1:1/0",
        "sqlite:////proc/forbidden/dir/agno.db",
    ],
)
def test_unreachable_storage_is_one_clear_line_without_the_password(url: str) -> None:
    with pytest.raises(StorageError) as caught:
        with_storage(url, lambda s: s.list_runs())
    message = str(caught.value)
    assert "s3cret" not in message and "\n" not in message
    assert message.startswith(f"storage {redact_url(url)}:")


def test_redact_url() -> None:
    assert redact_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert redact_url("sqlite:///x.db") == "sqlite:///x.db"


def test_concurrent_appenders_of_one_run_never_collide(storage_url: str) -> None:
    async def work(s: Any) -> None:
        await s.save_run(record("r", 1.0))

        async def writer(n: int) -> None:
            await s.save_steps(
                "r", [(f"w{n}", {"content": n})], [{"n": n, "i": i} for i in range(3)]
            )

        await asyncio.gather(*(writer(n) for n in range(20)))
        events = await s.load_events("r")
        assert len(events) == 60
        # Each writer's events are consecutive: its batch went in as one.
        for start in range(0, 60, 3):
            assert [e["i"] for e in events[start : start + 3]] == [0, 1, 2]
            assert len({e["n"] for e in events[start : start + 3]}) == 1
        assert sorted(key for key, _ in await s.load_steps("r")) == sorted(
            f"w{n}" for n in range(20)
        )

    with_storage(storage_url, work)


def test_postgresql_commits_without_fsync_unless_asked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.interpreter.storage.conftest import drop, storage_url_for

    url = storage_url_for("postgresql", tmp_path)

    async def setting(s: Any) -> str:
        return await s._run(lambda db: _fetch_one(db, "SHOW synchronous_commit"))  # type: ignore[no-any-return]

    try:
        assert with_storage(url, setting) == "off"
        assert with_storage(url + "&synchronous_commit=on", setting) == "on"
    finally:
        drop(url)
    with pytest.raises(StorageError, match="synchronous_commit=maybe is not a PostgreSQL setting"):
        with_storage(url + "&synchronous_commit=maybe", setting)


async def _fetch_one(db: Any, sql: str) -> Any:
    cursor = await db.execute(sql)
    return (await cursor.fetchone())[0]
