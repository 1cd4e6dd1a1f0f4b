"""dsl/cli_memories.py and `run --user`: a user's memories from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from agno_dsl.cli import main
from click.testing import CliRunner

SPEC = """version: 1
models:
  fake:
    provider: scripted
    responses:
      - {match: "favourite", content: "Teal, as you told me."}
      - {content: "Noted."}
  memorizer:
    provider: scripted
    responses:
      - match: "My name is Ada"
        tool_calls:
          - {name: add_memory, arguments: {memory: "User's name is Ada", topics: [name]}}
          - name: add_memory
            arguments: {memory: "Ada's favourite colour is teal", topics: [colour]}
      - {match: "Memory added", content: "Added."}
      - {content: "No changes needed."}
agents:
  friend:
    model: fake
    memory_model: memorizer
    update_memory_on_run: true
  forgetful:
    model: fake
    memory_model: nowhere
"""


def cli(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, [*args, "--storage", f"sqlite:///{tmp_path}/agno.db"], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def spec(tmp_path: Path) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.replace("  forgetful:\n    model: fake\n    memory_model: nowhere\n", ""))
    return str(path)


def test_run_for_a_user_then_list_show_and_clear_its_memories(tmp_path: Path) -> None:
    code, out, _ = cli(
        tmp_path, "run", spec(tmp_path), "My name is Ada, I like teal.", "--user", "ada"
    )
    assert code == 0 and "Noted." in out
    code, out, _ = cli(tmp_path, "memories", "list", "--json")
    users = json.loads(out)
    assert [(u["user_id"], u["memories"]) for u in users] == [("ada", 2)]
    code, out, _ = cli(tmp_path, "memories", "list", "--user", "ada", "--json")
    memories = json.loads(out)
    assert [m["memory"] for m in memories] == [
        "User's name is Ada",
        "Ada's favourite colour is teal",
    ]
    assert {m["user_id"] for m in memories} == {"ada"}
    code, out, _ = cli(tmp_path, "memories", "show", memories[1]["memory_id"], "--user", "ada")
    assert code == 0 and json.loads(out)["topics"] == ["colour"]
    # the next run of the same user has them in its system message
    code, out, _ = cli(
        tmp_path, "run", spec(tmp_path), "What is my favourite colour?", "--user", "ada", "--json"
    )
    messages = json.loads(out)["messages"]
    assert (
        "- Ada's favourite colour is teal\n</memories_from_previous_interactions>"
        in messages[0]["content"]
    )
    code, out, _ = cli(tmp_path, "memories", "clear", "--user", "ada")
    assert code == 0 and out.strip() == "cleared 2 memories of user 'ada'"
    code, out, _ = cli(tmp_path, "memories", "list", "--json")
    assert json.loads(out) == []


def test_a_user_without_memories_is_one_line_and_exit_1(tmp_path: Path) -> None:
    for args in (
        ("memories", "list", "--user", "nobody"),
        ("memories", "show", "some-id", "--user", "nobody"),
        ("memories", "clear", "--user", "nobody"),
    ):
        code, out, err = cli(tmp_path, *args)
        assert code == 1 and out == ""
        assert err == "error: no memories for user 'nobody' (see `agno-dsl memories list`)\n"


def test_a_memory_model_that_is_not_in_models_is_a_spec_error(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code != 0
    assert result.stderr == f"{path}:25:19: unknown model 'nowhere'; known: fake, memorizer\n"
