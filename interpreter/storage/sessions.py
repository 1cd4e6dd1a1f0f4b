"""Sessions: what runs with the same session id share — agent history and session_state.

A session is one JSON document in storage:
`{"session_id", "state": {...}, "history": {agent: [[message, ...] per run]}}`.
Agents with `add_history_to_context` see the messages (but the system message)
of the last `num_history_runs` runs of that agent in the session, as agno
adds them, marked `from_history`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...schemas.outputs import Message
from .base import Storage

MAX_RUNS_KEPT = 50  # per agent; older runs are dropped from the session document


@dataclass
class Session:
    session_id: str
    state: dict[str, Any] = field(default_factory=dict)
    history: dict[str, list[list[dict[str, Any]]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "state": self.state, "history": self.history}

    def history_messages(self, agent: str, runs: int) -> list[Message]:
        return [
            Message.model_validate({**message, "from_history": True})
            for run in self.history.get(agent, [])[-runs:]
            for message in run
        ]

    def add_run(self, agent: str, messages: list[Message]) -> None:
        # agno's history holds the whole exchange: tool calls and results too
        kept = [m.model_dump(exclude_none=True) for m in messages if m.role != "system"]
        self.history.setdefault(agent, []).append(kept)
        del self.history[agent][:-MAX_RUNS_KEPT]


async def load_session(
    storage: Storage, session_id: str, initial_state: dict[str, Any] | None
) -> Session:
    """The stored session, or a new one starting from the spec's session_state."""
    data = await storage.get_session(session_id)
    if data is None:
        return Session(session_id, dict(initial_state or {}))
    return Session(
        session_id, {**(initial_state or {}), **data.get("state", {})}, data.get("history", {})
    )
