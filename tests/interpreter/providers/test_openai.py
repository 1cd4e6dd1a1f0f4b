"""interpreter/providers/openai.py against a local server, with the real OpenAI SDK."""

from __future__ import annotations

import json
from pathlib import Path

import agno_dsl
import pytest

from tests.conftest import read_events, run_cli
from tests.interpreter.providers.fake_server import FakeModelServer, Reply

KEY = "sk-test-DO-NOT-LEAK-4242"


def chunk(
    content: str | None = None,
    tool_calls: list | None = None,
    usage: dict | None = None,
    finish: str | None = None,
) -> dict:
    delta: dict = {}
    if content is not None:
        delta["content"] = content
    if tool_calls is not None:
        delta["tool_calls"] = tool_calls
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "gpt-test",
        "choices": [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish}],
        **({"usage": usage} if usage else {}),
    }


def answer(*parts: str, prompt: int = 11, completion: int = 3) -> Reply:
    return Reply(
        sse=[
            *[chunk(p) for p in parts],
            chunk(finish="stop"),
            chunk(
                usage={
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                }
            ),
            "[DONE]",
        ]
    )


def error(status: int, message: str, **headers: str) -> Reply:
    return Reply(status=status, json={"error": {"message": message, "type": "x"}}, headers=headers)


@pytest.fixture
def server():
    with FakeModelServer() as fake:
        yield fake


@pytest.fixture
def spec(tmp_path: Path, server: FakeModelServer, monkeypatch) -> Path:
    monkeypatch.setenv("TEST_OPENAI_KEY", KEY)
    (tmp_path / "tools.py").write_text(
        "def add(a: int, b: int) -> int:\n    '''Add two numbers.'''\n    return a + b\n"
    )
    path = tmp_path / "spec.yaml"
    path.write_text(f"""version: 1
models:
  gpt:
    provider: openai
    id: gpt-test
    base_url: {server.url}/v1
    api_key: ${{TEST_OPENAI_KEY}}
    temperature: 0.2
    timeout: 2s
tools:
  add: {{python: "tools:add"}}
agents:
  plain: {{model: gpt, retries: 1, retry_delay: 0s}}
  calc: {{model: gpt, tools: [add]}}
  typed:
    model: gpt
    output_schema: {{type: object, properties: {{city: {{type: string}}}}, required: [city]}}
""")
    return path


def test_plain_streamed_answer_with_usage(server, spec: Path) -> None:
    server.reply(answer("Hel", "lo", "!"))
    events: list = []
    output = agno_dsl.run(spec, "hi", agent="plain", on_event=events.append)
    assert output.content == "Hello!"
    assert (output.metrics.input_tokens, output.metrics.output_tokens) == (11, 3)
    assert output.metrics.time_to_first_token is not None
    deltas = [e.model_extra["content"] for e in events if e.event == "RunContent"]
    assert deltas[:3] == ["Hel", "lo", "!"]
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    headers = {k.lower(): v for k, v in sent["headers"].items()}
    assert headers["authorization"] == f"Bearer {KEY}"
    assert sent["body"]["stream"] is True and sent["body"]["temperature"] == 0.2
    assert sent["body"]["messages"][-1] == {"role": "user", "content": "hi"}


def test_tool_call_round_trip(server, spec: Path) -> None:
    server.reply(
        Reply(
            sse=[
                chunk(
                    tool_calls=[
                        {
                            "index": 0,
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "add", "arguments": '{"a": 2'},
                        }
                    ]
                ),
                chunk(tool_calls=[{"index": 0, "function": {"arguments": ', "b": 3}'}}]),
                chunk(finish="tool_calls"),
                "[DONE]",
            ]
        ),
        answer("2 + 3 = 5"),
    )
    output = agno_dsl.run(spec, "add 2 and 3", agent="calc")
    assert output.content == "2 + 3 = 5"
    first, second = (r["body"] for r in server.requests)
    assert first["tools"][0]["function"]["name"] == "add"
    assert second["messages"][-2]["tool_calls"][0]["function"] == {
        "name": "add",
        "arguments": '{"a": 2, "b": 3}',
    }
    assert second["messages"][-1] == {"role": "tool", "tool_call_id": "call_1", "content": "5"}


def test_structured_output_uses_response_format(server, spec: Path) -> None:
    server.reply(answer('{"city": ', '"Paris"}'))
    output = agno_dsl.run(spec, "capital of France", agent="typed")
    assert output.content == {"city": "Paris"}
    assert server.requests[0]["body"]["response_format"]["json_schema"]["schema"]["required"] == [
        "city"
    ]


def test_rate_limit_honours_retry_after_then_succeeds(server, spec: Path) -> None:
    server.reply(error(429, "slow down", **{"retry-after": "0.2"}), answer("ok"))
    output = agno_dsl.run(spec, "hi", agent="plain")
    assert output.content == "ok" and len(server.requests) == 2


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            error(401, "Incorrect API key provided"),
            "ModelAuthenticationError: openai model gpt-test: authentication failed (401): "
            "Incorrect API key provided",
        ),
        (
            error(400, "This model's maximum context length is 8192 tokens"),
            "ModelProviderError: openai model gpt-test: request failed (400): "
            "This model's maximum context length is 8192 tokens",
        ),
        (
            error(500, "upstream exploded"),
            "ModelProviderError: openai model gpt-test: request failed (500): upstream exploded",
        ),
    ],
)
def test_http_errors_map_to_agnos_taxonomy(server, spec: Path, reply: Reply, expected: str) -> None:
    server.reply(reply, reply)  # `plain` retries once; auth errors are not retried
    output = agno_dsl.run(spec, "hi", agent="plain")
    assert output.status == "failed" and output.error == expected


def test_context_window_error(server, spec: Path) -> None:
    server.reply(
        Reply(
            status=400,
            json={"error": {"message": "too long", "type": "x", "code": "context_length_exceeded"}},
        )
    )
    output = agno_dsl.run(spec, "hi", agent="calc")
    assert output.error == (
        "ContextWindowExceededError: openai model gpt-test: context window exceeded: too long"
    )


def test_malformed_body_cut_stream_and_slow_server(server, spec: Path) -> None:
    server.reply(
        Reply(sse=None, raw=b"data: {not json\n\n", headers={"content-type": "text/event-stream"})
    )
    output = agno_dsl.run(spec, "hi", agent="calc")
    assert output.status == "failed" and output.error.startswith("ModelProviderError: openai")
    server.reply(
        Reply(sse=[chunk("par"), chunk("tial"), chunk(finish="stop"), "[DONE]"], cut_after=1)
    )
    output = agno_dsl.run(spec, "hi", agent="calc")
    assert output.error == (
        "ModelProviderError: openai model gpt-test: request failed: "
        "malformed or interrupted stream (the stream ended before the "
        "model finished)"
    )
    server.reply(Reply(delay=3.0, json={}))
    output = agno_dsl.run(spec, "hi", agent="calc")
    assert output.error == ("ModelProviderError: openai model gpt-test: request failed: timed out")


def test_the_key_never_appears_in_output_events_or_storage(
    server, spec: Path, tmp_path: Path
) -> None:
    server.reply(error(401, f"Incorrect API key provided: {KEY}"))
    events_file = tmp_path / "events.jsonl"
    result = run_cli(
        [
            "--debug",
            "run",
            str(spec),
            "hi",
            "--agent",
            "plain",
            "--json",
            "--events",
            str(events_file),
        ]
    )
    assert result.exit_code == 1
    run_id = json.loads(result.stdout)["run_id"]
    stored = run_cli(["runs", "events", run_id]).stdout + run_cli(["runs", "list", "--json"]).stdout
    everything = result.stdout + result.stderr + events_file.read_text() + stored
    assert KEY not in everything and "***" in result.stdout
    assert read_events(events_file)[-1]["event"] == "RunError"


def test_cli_model_override_to_openai(server, spec: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    swap = tmp_path / "swap.yaml"
    swap.write_text("version: 1\nmodels: {m: {provider: echo}}\nagents: {a: {model: m}}\n")
    server.reply(answer("from the server"))
    result = run_cli(["run", str(swap), "hi", "--model", "m=openai:gpt-swapped"])
    assert result.exit_code == 0 and result.stdout == "from the server\n"
    assert server.requests[0]["body"]["model"] == "gpt-swapped"


def test_record_then_replay_offline(server, spec: Path, tmp_path: Path) -> None:
    server.reply(
        Reply(
            sse=[
                chunk(
                    tool_calls=[
                        {
                            "index": 0,
                            "id": "call_9",
                            "type": "function",
                            "function": {"name": "add", "arguments": '{"a": 20, "b": 22}'},
                        }
                    ]
                ),
                chunk(finish="tool_calls"),
                chunk(usage={"prompt_tokens": 30, "completion_tokens": 9, "total_tokens": 39}),
                "[DONE]",
            ]
        ),
        answer("The answer is 42.", prompt=45, completion=6),
    )
    cassette = tmp_path / "cassette.yaml"
    recorded = run_cli(
        ["run", str(spec), "what is 20+22?", "--agent", "calc", "--json", "--record", str(cassette)]
    )
    assert recorded.exit_code == 0
    replay = tmp_path / "replay.yaml"
    replay.write_text(
        spec.read_text()
        .replace("    provider: openai\n", "    provider: scripted\n    cassette: cassette.yaml\n")
        .replace("    id: gpt-test\n", "")
        .replace(f"    base_url: {server.url}/v1\n", "")
        .replace("    api_key: ${TEST_OPENAI_KEY}\n", "")
        .replace("    temperature: 0.2\n", "")
        .replace("    timeout: 2s\n", "")
    )
    replayed = run_cli(["run", str(replay), "what is 20+22?", "--agent", "calc", "--json"])
    first, second = json.loads(recorded.stdout), json.loads(replayed.stdout)
    assert second["content"] == first["content"] == "The answer is 42."
    assert second["metrics"]["total_tokens"] == first["metrics"]["total_tokens"] == 90
    assert second["tools"] == first["tools"]
    assert len(server.requests) == 2  # the replay never touched the server
    assert KEY not in cassette.read_text()
