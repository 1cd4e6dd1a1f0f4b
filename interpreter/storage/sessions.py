"""Sessions: what runs with the same session id share — agent history and session_state.

A session is one JSON document in storage:
`{"session_id", "user_id", "state": {...}, "history": {agent: [[message, ...] per run]}}`
(`user_id`: the user of its latest run, as agno's session keeps it).
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
    """A session: its state and each agent's history of runs."""

    session_id: str
    state: dict[str, Any] = field(default_factory=dict)
    history: dict[str, list[list[dict[str, Any]]]] = field(default_factory=dict)
    user_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "user_id": self.user_id,
            "state": self.state,
            "history": self.history,
        }

    def history_messages(self, agent: str, runs: int) -> list[Message]:
        return [
            Message.model_validate({**message, "from_history": True})
            for run in self.history.get(agent, [])[-runs:]
            for message in run
        ]

    def team_history_context(self, team: str, runs: int) -> str | None:
        """agno's <team_history_context>: input and answer of the team's last runs."""
        kept = self.history.get(team, [])[-runs:]
        if not kept:
            return None
        lines = ["<team_history_context>"]
        for number, run in enumerate(kept, 1):
            asked = next((m.get("content") for m in run if m.get("role") == "user"), None)
            said = next(
                (m.get("content") for m in reversed(run) if m.get("role") == "assistant"), None
            )
            lines.append(f"[run-{number}]")
            if asked:
                lines.append(f"input: {asked}")
            if said:
                lines.append(f"response: {said}")
            lines.append("")
        return "\n".join([*lines, "</team_history_context>", ""])

    def add_run(self, agent: str, messages: list[Message]) -> None:
        # agno's history holds the whole exchange: tool calls and results too
        kept = [m.model_dump(exclude_none=True) for m in messages if m.role != "system"]
        self.history.setdefault(agent, []).append(kept)
        del self.history[agent][:-MAX_RUNS_KEPT]


async def load_session(
    storage: Storage,
    session_id: str,
    initial_state: dict[str, Any] | None,
    user_id: str | None = None,
) -> Session:
    """The stored session, or a new one starting from the spec's session_state."""
    data = await storage.get_session(session_id)
    if data is None:
        return Session(session_id, dict(initial_state or {}), user_id=user_id)
    return Session(
        session_id,
        {**(initial_state or {}), **data.get("state", {})},
        data.get("history", {}),
        user_id or data.get("user_id"),
    )
