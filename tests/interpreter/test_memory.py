"""interpreter/memory.py: what the parity pairs do not show — failures, runs without storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import agno_dsl
from agno_dsl.interpreter.memory import manager_prompt, memories_context

SPEC = """version: 1
models:
  fake:
    provider: scripted
    responses:
      - {content: "Hello.", usage: {input_tokens: 10, output_tokens: 2}}
  memorizer:
    provider: scripted
    responses:
      - {match: "broken", error: "memory model is down"}
      - match: "Remember"
        tool_calls: [{name: add_memory, arguments: {memory: "Likes tea", topics: [drinks]}}]
        usage: {input_tokens: 50, output_tokens: 7}
      - {match: "Memory added", content: "Added.", usage: {input_tokens: 60, output_tokens: 1}}
agents:
  friend: {model: fake, memory_model: memorizer, update_memory_on_run: true}
"""


def run(tmp_path: Path, text: str, user: str) -> tuple[Any, list[Any]]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    events: list[Any] = []
    output = agno_dsl.run(spec, text, agent="friend", user_id=user, on_event=events.append)
    return output, events


def test_a_failing_memory_model_does_not_fail_the_run(tmp_path: Path) -> None:
    output, events = run(tmp_path, "This is broken.", "failing-user")
    assert output.status == "completed" and output.content == "Hello."
    names = [e.event for e in events]
    assert names[-3:] == ["MemoryUpdateStarted", "MemoryUpdateCompleted", "RunCompleted"]
    assert events[-2].memories == []
    assert output.metrics.total_tokens == 12  # only the agent's own tokens


def test_without_storage_memories_live_in_the_process(tmp_path: Path) -> None:
    first, events = run(tmp_path, "Remember: I like tea.", "process-user")
    assert [m["memory"] for m in events[-2].memories] == ["Likes tea"]
    # the memory model's last request counts, as agno's response_usage keeps the last
    assert first.metrics.input_tokens == 10 + 60 and first.metrics.output_tokens == 2 + 1
    second, _ = run(tmp_path, "Hi again.", "process-user")
    assert "<memories_from_previous_interactions>\n- Likes tea\n" in second.messages[0].content
    other, _ = run(tmp_path, "Hi.", "someone-else")
    assert "have not had any interactions with the user yet" in other.messages[0].content


def test_manager_prompt_lists_existing_memories_and_only_the_tools_given() -> None:
    prompt = manager_prompt([{"memory_id": "m1", "memory": "Likes tea"}], ["add_memory"])
    assert prompt.endswith("<existing_memories>\nID: m1\nMemory: Likes tea\n\n</existing_memories>")
    assert "`add_memory` tool" in prompt and "`delete_memory`" not in prompt


def test_agentic_context_follows_the_memories() -> None:
    text = memories_context([], agentic=True)
    assert text.startswith("You have the capability to retain memories")
    assert "<updating_user_memories>" in text
    assert "<updating_user_memories>" not in memories_context([{"memory": "x"}], agentic=False)
