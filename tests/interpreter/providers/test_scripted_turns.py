"""Scripted models a user can predict: after a tool call `match:` tests the tool's
result, `match_input:` the run's input; the error names the message it tested."""

from __future__ import annotations

import json
from pathlib import Path

import agno_dsl

from tests.conftest import run_cli

TOOLS = """
def refund(order: str) -> str:
    return f"Performed 'refund' on {order}"
"""
SPEC = """version: 1
models:
  fake:
    provider: scripted
    responses:
{responses}
tools:
  refund: {{python: "tools:refund"}}
agents:
  clerk: {{model: fake, tools: [refund]}}
"""
BY_INPUT = """\
      - {match_input: "^refund", tool_calls: [{name: refund, arguments: {order: A-17}}]}
      - {match_input: "^refund", content: "Refunded, as asked."}
"""
BY_RESULT = """\
      - {match: "^refund", tool_calls: [{name: refund, arguments: {order: A-17}}]}
      - {match: "^Performed 'refund' on A-17$", content: "The tool said it worked."}
"""
SURPRISE = """\
      - {match: "^refund", tool_calls: [{name: refund, arguments: {order: A-17}}]}
      - {match: "^refund", content: "never used: the tool's result does not start so"}
"""


def spec(tmp_path: Path, responses: str) -> Path:
    (tmp_path / "tools.py").write_text(TOOLS)
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.format(responses=responses))
    return path


def test_match_input_tests_the_runs_input_on_every_turn(tmp_path: Path) -> None:
    output = agno_dsl.run(spec(tmp_path, BY_INPUT), "refund order A-17")
    assert output.status == "completed"
    assert output.content == "Refunded, as asked."
    assert [t["result"] for t in output.tools] == ["Performed 'refund' on A-17"]


def test_after_a_tool_call_match_tests_the_tools_result(tmp_path: Path) -> None:
    output = agno_dsl.run(spec(tmp_path, BY_RESULT), "refund order A-17")
    assert output.content == "The tool said it worked."


def test_the_error_names_the_message_it_tested(tmp_path: Path) -> None:
    path = spec(tmp_path, SURPRISE)
    output = agno_dsl.run(path, "refund order A-17")
    assert output.status == "failed"
    assert (
        "no response left for agent 'clerk' matching the result of tool refund "
        "\"Performed 'refund' on A-17\" (after a tool call, match: tests the tool's result; "
        "match_input: tests the run's input)" in output.error
    )
    first = agno_dsl.run(path, "cancel order A-17")
    assert "matching the user's input 'cancel order A-17'" in first.error
    result = run_cli(["run", str(path), "refund order A-17", "--json"])
    assert result.exit_code == 1
    assert "matching the result of tool refund" in json.loads(result.stdout)["error"]
