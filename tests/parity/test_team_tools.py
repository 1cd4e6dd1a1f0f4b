"""A team leader's model is offered agno's own tools: names, descriptions and JSON schemas.

Both sides of a team pair run; every tool list each side's leader model is offered is
recorded as it goes by (the real calls go on), and the two must be the same.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import agno_dsl
import pytest
from agno_dsl.interpreter.providers.scripted import ScriptedModel

from . import pairs  # noqa: F401  (registers the pairs)
from .harness import PAIRS, run_agno, run_dsl, sequential_task_ids
from .scripted_agno import ScriptedAgnoModel


def _by_name(tools: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {tool["function"]["name"]: tool["function"] for tool in tools or []}


@pytest.mark.parametrize(
    "name", ["team_coordinate", "team_route", "team_broadcast", "team_tasks", "team_tools"]
)
def test_leader_tools_are_agnos(name: str, tmp_path: Path, monkeypatch: Any) -> None:
    the_pair = PAIRS[name]
    teams = set(agno_dsl.load(the_pair.spec).teams)
    agno_seen: list[dict[str, Any]] = []
    dsl_seen: list[dict[str, Any]] = []
    agno_ask = ScriptedAgnoModel.ainvoke
    dsl_ask = ScriptedModel.respond

    async def agno_spy(self: Any, messages: Any, **kwargs: Any) -> Any:
        if getattr(kwargs.get("run_response"), "team_name", None):
            agno_seen.append(_by_name(kwargs.get("tools")))
        return await agno_ask(self, messages, **kwargs)

    async def dsl_spy(self: Any, messages: Any, **kwargs: Any) -> Any:
        if kwargs.get("agent") in teams:
            dsl_seen.append(_by_name(kwargs.get("tools")))
        return await dsl_ask(self, messages, **kwargs)

    monkeypatch.setattr(ScriptedAgnoModel, "ainvoke", agno_spy)
    monkeypatch.setattr(ScriptedModel, "respond", dsl_spy)
    with sequential_task_ids():
        asyncio.run(run_agno(the_pair, stream=False))
    dsl_seen.clear()  # agno's side asks agno-dsl's scripted provider for its answers too
    with sequential_task_ids():
        asyncio.run(run_dsl(the_pair, stream=False, storage=f"sqlite:///{tmp_path}/t.db"))
    assert agno_seen, "agno's leader was never asked"
    assert dsl_seen == agno_seen
