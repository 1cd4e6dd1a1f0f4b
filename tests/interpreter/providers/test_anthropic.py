"""interpreter/providers/anthropic.py against a local server, with the real Anthropic SDK."""

from __future__ import annotations

from pathlib import Path

import agno_dsl
import pytest

from tests.interpreter.providers.fake_server import FakeModelServer, Reply

KEY = "sk-ant-test-NEVER-SHOWN-77"


def stream(*events: tuple[str, dict]) -> Reply:
    return Reply(sse=list(events))


def start(tokens: int = 9) -> tuple[str, dict]:
    return (
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": "m1",
                "type": "message",
                "role": "assistant",
                "model": "claude-test",
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": tokens, "output_tokens": 0},
            },
        },
    )


def text_block(index: int, *parts: str) -> list[tuple[str, dict]]:
    return [
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": index,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        *[
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "text_delta", "text": p},
                },
            )
            for p in parts
        ],
        ("content_block_stop", {"type": "content_block_stop", "index": index}),
    ]


def finish(reason: str = "end_turn", tokens: int = 4) -> list[tuple[str, dict]]:
    return [
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": reason, "stop_sequence": None},
                "usage": {"output_tokens": tokens},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]


def error(status: int, kind: str, message: str, **headers: str) -> Reply:
    return Reply(
        status=status,
        json={"type": "error", "error": {"type": kind, "message": message}},
        headers=headers,
    )


@pytest.fixture
def server():
    with FakeModelServer() as fake:
        yield fake


@pytest.fixture
def spec(tmp_path: Path, server: FakeModelServer, monkeypatch) -> Path:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    (tmp_path / "tools.py").write_text(
        "def weather(city: str) -> str:\n    '''Weather in a city.'''\n    return 'sunny'\n"
    )
    path = tmp_path / "spec.yaml"
    path.write_text(f"""version: 1
models:
  claude: {{provider: anthropic, id: claude-test, base_url: "{server.url}", timeout: 2s}}
tools:
  weather: {{python: "tools:weather"}}
agents:
  a: {{model: claude, instructions: Be brief., tools: [weather], retries: 1, retry_delay: 0s}}
""")
    return path


def test_streamed_answer_usage_and_system_message(server, spec: Path) -> None:
    server.reply(stream(start(), *text_block(0, "Bon", "jour"), *finish()))
    output = agno_dsl.run(spec, "hi")
    assert output.content == "Bonjour"
    assert (output.metrics.input_tokens, output.metrics.output_tokens) == (9, 4)
    body = server.requests[0]["body"]
    assert server.requests[0]["path"] == "/v1/messages"
    assert body["system"] == "Be brief." and body["messages"] == [{"role": "user", "content": "hi"}]
    assert body["tools"][0]["name"] == "weather" and body["max_tokens"] == 4096
    headers = {k.lower(): v for k, v in server.requests[0]["headers"].items()}
    # The SDK sends the key from ANTHROPIC_API_KEY (x-api-key or a bearer token by version).
    assert KEY in (
        headers.get("x-api-key"),
        headers.get("authorization", "").removeprefix("Bearer "),
    )


def test_tool_use_round_trip(server, spec: Path) -> None:
    server.reply(
        stream(
            start(),
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {
                        "type": "tool_use",
                        "id": "toolu_1",
                        "name": "weather",
                        "input": {},
                    },
                },
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "input_json_delta", "partial_json": '{"city": "Lyon"}'},
                },
            ),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            *finish("tool_use"),
        ),
        stream(start(), *text_block(0, "Sunny in Lyon."), *finish()),
    )
    output = agno_dsl.run(spec, "weather in Lyon?")
    assert output.content == "Sunny in Lyon."
    second = server.requests[1]["body"]["messages"]
    assert second[1] == {
        "role": "assistant",
        "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Lyon"}}
        ],
    }
    assert second[2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"}],
    }


def test_errors(server, spec: Path) -> None:
    server.reply(
        error(429, "rate_limit_error", "slow down", **{"retry-after": "0.1"}),
        stream(start(), *text_block(0, "ok"), *finish()),
    )
    assert agno_dsl.run(spec, "hi").content == "ok"
    server.reply(error(401, "authentication_error", f"invalid x-api-key {KEY}"))
    output = agno_dsl.run(spec, "hi")
    assert output.error == (
        "ModelAuthenticationError: anthropic model claude-test: "
        "authentication failed (401): invalid x-api-key ***"
    )
    server.reply(error(400, "invalid_request_error", "prompt is too long: 300000 tokens"))
    assert agno_dsl.run(spec, "hi").error.startswith("ContextWindowExceededError:")
    dropped = stream(start(), *text_block(0, "cut"))  # no message_delta: the stream dropped
    server.reply(dropped, dropped)  # retried once (a dropped stream is worth a retry)
    output = agno_dsl.run(spec, "hi")
    assert output.error.endswith(
        "malformed or interrupted stream (the stream ended before the model finished)"
    )
