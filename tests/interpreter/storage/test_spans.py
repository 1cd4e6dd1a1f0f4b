"""Telemetry spans stored beside a run, on every backend."""

from __future__ import annotations

from tests.interpreter.storage.conftest import storage_url  # noqa: F401 - fixture
from tests.interpreter.storage.test_storage import with_storage


def span(name: str, parent: str | None = None) -> dict[str, object]:
    return {"name": name, "span_id": name, "parent_span_id": parent, "attributes": {"n": 1}}


def test_spans_append_in_order_per_run(storage_url: str) -> None:  # noqa: F811
    async def work(storage):  # type: ignore[no-untyped-def]
        await storage.save_spans("r1", [span("a"), span("b", "a")])
        await storage.save_spans("r2", [span("other")])
        await storage.save_spans("r1", [span("resumed")])  # a resumed run adds its own
        await storage.save_spans("r1", [])
        loaded = [await storage.load_spans(run) for run in ("r1", "r2", "none")]
        return tuple(loaded)

    first, second, none = with_storage(storage_url, work)
    assert [s["name"] for s in first] == ["a", "b", "resumed"]
    assert first[1] == span("b", "a")
    assert [s["name"] for s in second] == ["other"]
    assert none == []
