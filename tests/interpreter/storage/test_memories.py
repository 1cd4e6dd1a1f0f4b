"""storage/*_memories.py: user memories on every backend, directly and through runs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import agno_dsl
from agno_dsl.interpreter.storage import open_storage
from agno_dsl.interpreter.storage.memories import InProcessMemories

from tests.interpreter.storage.conftest import storage_url  # noqa: F401 - fixture

SPEC = """version: 1
models:
  fake:
    provider: scripted
    responses:
      - {content: "Hello."}
  memorizer:
    provider: scripted
    responses:
      - match: "My name is (Ada|Bo)"
        tool_calls: [{name: add_memory, arguments: {memory: "A name was given", topics: [name]}}]
      - {match: "Memory added", content: "Added."}
      - {content: "No changes needed."}
agents:
  friend: {model: fake, memory_model: memorizer, update_memory_on_run: true}
"""


def memory(memory_id: str, user_id: str, text: str) -> dict[str, Any]:
    return {"memory_id": memory_id, "user_id": user_id, "memory": text, "topics": ["t"]}


async def exercise(store: Any) -> None:
    await store.upsert_user_memory(memory("m2", "ada", "second id, added first"))
    await store.upsert_user_memory(memory("m1", "ada", "added second"))
    await store.upsert_user_memory(memory("m3", "bo", "bo's"))
    await store.upsert_user_memory(memory("m2", "ada", "replaced in place"))
    texts = [m["memory"] for m in await store.get_user_memories("ada")]
    assert texts == ["replaced in place", "added second"]  # the order they were first added
    users = {u["user_id"]: u["memories"] for u in await store.list_memory_users()}
    assert users == {"ada": 2, "bo": 1}
    assert await store.delete_user_memory("m3", "ada") is False  # not ada's
    assert await store.delete_user_memory("m1", "ada") is True
    assert await store.clear_user_memories("ada") == 1
    assert await store.get_user_memories("ada") == []
    assert [u["user_id"] for u in await store.list_memory_users()] == ["bo"]


def test_memories_on_every_backend(storage_url: str) -> None:  # noqa: F811
    async def go() -> None:
        storage = await open_storage(storage_url)
        try:
            await exercise(storage)
        finally:
            await storage.close()

    asyncio.run(go())


def test_memories_in_process() -> None:
    asyncio.run(exercise(InProcessMemories()))


def test_runs_keep_each_users_memories_in_their_storage(
    storage_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    for user, text in (("ada", "My name is Ada."), ("bo", "My name is Bo."), ("ada", "Hi.")):
        output = agno_dsl.run(spec, text, agent="friend", user_id=user, storage=storage_url)
        assert output.status == "completed" and output.user_id == user

    async def read() -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
        storage = await open_storage(storage_url)
        try:
            runs = await storage.list_runs()
            return (
                await storage.get_user_memories("ada"),
                await storage.get_user_memories("bo"),
                sorted(r.user_id for r in runs),
            )
        finally:
            await storage.close()

    ada, bo, run_users = asyncio.run(read())
    assert [(m["memory"], m["input"], m["agent_id"]) for m in ada] == [
        ("A name was given", "My name is Ada.", "friend")
    ]
    assert [m["input"] for m in bo] == ["My name is Bo."]
    assert run_users == ["ada", "ada", "bo"]
