"""interpreter/providers/ollama.py against a local server, with the real ollama client."""

from __future__ import annotations

from pathlib import Path

import agno_dsl
import pytest

from tests.interpreter.providers.fake_server import FakeModelServer, Reply


def part(content: str = "", done: bool = False, tool_calls: list | None = None) -> dict:
    message: dict = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    body: dict = {
        "model": "llama-test",
        "created_at": "2026-01-01T00:00:00Z",
        "message": message,
        "done": done,
    }
    if done:
        body.update({"done_reason": "stop", "prompt_eval_count": 7, "eval_count": 2})
    return body


@pytest.fixture
def server():
    with FakeModelServer() as fake:
        yield fake


@pytest.fixture
def spec(tmp_path: Path, server: FakeModelServer) -> Path:
    (tmp_path / "tools.py").write_text(
        "def add(a: int, b: int) -> int:\n    '''Add.'''\n    return a + b\n"
    )
    path = tmp_path / "spec.yaml"
    path.write_text(f"""version: 1
models:
  llama: {{provider: ollama, id: llama-test, base_url: "{server.url}", max_tokens: 64}}
tools:
  add: {{python: "tools:add"}}
agents:
  a: {{model: llama, tools: [add]}}
""")
    return path


def test_streamed_answer_and_options(server, spec: Path) -> None:
    server.reply(Reply(ndjson=[part("Hi "), part("there"), part(done=True)]))
    output = agno_dsl.run(spec, "hello")
    assert output.content == "Hi there"
    assert (output.metrics.input_tokens, output.metrics.output_tokens) == (7, 2)
    body = server.requests[0]["body"]
    assert server.requests[0]["path"] == "/api/chat"
    assert body["options"] == {"num_predict": 64} and body["stream"] is True


def test_tool_round_trip(server, spec: Path) -> None:
    server.reply(
        Reply(
            ndjson=[
                part(tool_calls=[{"function": {"name": "add", "arguments": {"a": 2, "b": 2}}}]),
                part(done=True),
            ]
        ),
        Reply(ndjson=[part("four"), part(done=True)]),
    )
    assert agno_dsl.run(spec, "2+2").content == "four"
    messages = server.requests[1]["body"]["messages"]
    assert messages[-1] == {"role": "tool", "content": "4", "tool_name": "add"}


def test_errors(server, spec: Path) -> None:
    server.reply(Reply(status=404, json={"error": "model 'llama-test' not found"}))
    output = agno_dsl.run(spec, "hi")
    assert output.error == (
        "ModelProviderError: ollama model llama-test: request failed "
        "(404): model 'llama-test' not found"
    )
    server.reply(Reply(ndjson=[part("half")]))
    assert "the stream ended before the model finished" in agno_dsl.run(spec, "hi").error
