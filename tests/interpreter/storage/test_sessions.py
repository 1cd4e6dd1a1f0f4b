"""interpreter/sessions.py: history and session_state across runs, on every backend."""

from __future__ import annotations

from pathlib import Path

import agno_dsl

from tests.interpreter.storage.conftest import storage_url  # noqa: F401 - fixture

SPEC = """version: 1
models:
  fake:
    provider: scripted
    responses:
      - {match_history: "my name is Ada", content: "Your name is Ada."}
      - {match: "my name is", content: "Nice to meet you."}
      - {content: "I don't know your name."}
agents:
  chat: {model: fake, add_history_to_context: true, num_history_runs: 2}
workflows:
  count:
    session_state: {visits: 0, label: start}
    steps:
      - {name: bump, function: "state_steps:bump"}
      - {name: show, function: "state_steps:show", input: "{{ state.visits }}"}
"""
STEPS = """
def bump(step_input):
    step_input.session_state["visits"] += 1
    return step_input.session_state["visits"]


def show(step_input):
    return f"template saw {step_input.input}, state has {step_input.session_state['visits']}"
"""


def project(tmp_path: Path) -> Path:
    (tmp_path / "state_steps.py").write_text(STEPS)
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    return path


def test_history_reaches_the_model_in_the_next_run(tmp_path: Path, storage_url: str) -> None:  # noqa: F811
    spec = project(tmp_path)

    def say(text: str, session: str) -> str:
        output = agno_dsl.run(spec, text, agent="chat", session_id=session, storage=storage_url)
        return str(output.content)

    assert say("my name is Ada", "s1") == "Nice to meet you."
    assert say("what is my name?", "s1") == "Your name is Ada."
    # Another session never sees s1's history.
    assert say("what is my name?", "s2") == "I don't know your name."


def test_history_is_limited_to_num_history_runs(tmp_path: Path, storage_url: str) -> None:  # noqa: F811
    spec = project(tmp_path)
    for text in ("my name is Ada", "one", "two", "what is my name?"):
        output = agno_dsl.run(spec, text, agent="chat", session_id="s", storage=storage_url)
    # With num_history_runs: 2 the introduction is out of the window.
    assert output.content == "I don't know your name."


def test_session_state_round_trips(tmp_path: Path, storage_url: str) -> None:  # noqa: F811
    spec = project(tmp_path)
    outputs = [
        agno_dsl.run(spec, None, workflow="count", session_id="a", storage=storage_url)
        for _ in range(3)
    ]
    assert [o.content for o in outputs] == [f"template saw {n}, state has {n}" for n in (1, 2, 3)]
    other = agno_dsl.run(spec, None, workflow="count", session_id="b", storage=storage_url)
    assert other.content == "template saw 1, state has 1"
