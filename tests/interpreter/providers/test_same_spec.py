"""One spec, unchanged, from the CLI: scripted, an OpenAI-compatible and an
Anthropic-compatible local server (switched with --model and the SDKs' env vars)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.interpreter.providers import test_anthropic as anthropic_wire
from tests.interpreter.providers import test_openai as openai_wire
from tests.interpreter.providers.fake_server import FakeModelServer

SPEC = """version: 1
models:
  main:
    provider: scripted
    responses: [{content: "Paris", usage: {input_tokens: 5, output_tokens: 1}}]
agents:
  geo: {model: main, instructions: Answer with one word.}
"""


def test_same_spec_three_backends(tmp_path: Path, monkeypatch) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    offline = json.loads(run_cli(["run", str(spec), "Capital of France?", "--json"]).stdout)
    assert (offline["content"], offline["metrics"]["total_tokens"]) == ("Paris", 6)

    with FakeModelServer() as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        server.reply(openai_wire.answer("Pa", "ris", prompt=20, completion=2))
        result = run_cli(
            ["run", str(spec), "Capital of France?", "--json", "--model", "main=openai:gpt-local"]
        )
        openai_run = json.loads(result.stdout)
        assert (openai_run["content"], openai_run["model_provider"]) == ("Paris", "openai")
        assert openai_run["metrics"]["total_tokens"] == 22

    with FakeModelServer() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-local")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        server.reply(
            anthropic_wire.stream(
                anthropic_wire.start(12),
                *anthropic_wire.text_block(0, "Paris"),
                *anthropic_wire.finish(tokens=1),
            )
        )
        result = run_cli(
            [
                "run",
                str(spec),
                "Capital of France?",
                "--json",
                "--model",
                "main=anthropic:claude-local",
            ]
        )
        claude_run = json.loads(result.stdout)
        assert (claude_run["content"], claude_run["model_provider"]) == ("Paris", "anthropic")
        assert claude_run["metrics"]["total_tokens"] == 13
        assert server.requests[0]["body"]["system"] == "Answer with one word."

        server.reply(anthropic_wire.error(429, "rate_limit_error", "slow down"))
        failed = run_cli(
            ["run", str(spec), "Capital of France?", "--model", "main=anthropic:claude-local"]
        )
        assert failed.exit_code == 1
        error, hint = failed.stderr.splitlines()
        assert error == (
            "error: ModelRateLimitError: anthropic model claude-local: "
            "rate limited (429): slow down"
        )
        assert hint.startswith("after a fix, resume it with: agno-dsl resume ")
