"""interpreter/http_tools.py: HTTP tools called by a scripted agent against a local server."""

from __future__ import annotations

import json
from pathlib import Path

import agno_dsl
import pytest

from tests.interpreter.providers.fake_server import FakeModelServer, Reply

KEY = "sk-weather-0123456789"


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with FakeModelServer() as fake:
        yield fake


def run(tmp_path: Path, server: FakeModelServer, tool: str, responses: str, monkeypatch):  # type: ignore[no-untyped-def] # noqa: ANN201
    monkeypatch.setenv("WEATHER_KEY", KEY)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\nmodels:\n  fake:\n    provider: scripted\n    responses:\n"
        f"{responses}tools:\n  weather:\n{tool}"
        "agents:\n  a: {model: fake, tools: [weather]}\n".replace("URL", server.url)
    )
    events: list = []
    output = agno_dsl.run(spec, "go", on_event=events.append)
    dumped = json.dumps([e.to_dict() for e in events]) + output.model_dump_json()
    return output, events, dumped


CALL = "      - tool_calls: [{name: weather, arguments: {city: Paris, days: 2}}]\n"
GET = """    description: Weather for a city
    http:
      url: "URL/w?q={{ args.city }}&days={{ args.days }}"
      headers: {Authorization: "Bearer ${WEATHER_KEY}"}
      parameters:
        type: object
        properties: {city: {type: string}, days: {type: integer}}
        required: [city]
"""


def test_get_renders_url_and_headers_and_returns_json(tmp_path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    server.reply(Reply(json={"city": "Paris", "sky": "clear"}))
    responses = CALL + '      - {match: "clear", content: "It is clear in Paris."}\n'
    output, events, dumped = run(tmp_path, server, GET, responses, monkeypatch)
    assert output.status == "completed" and output.content == "It is clear in Paris."
    (request,) = server.requests
    assert (request["method"], request["path"]) == ("GET", "/w?q=Paris&days=2")
    assert request["headers"]["Authorization"] == f"Bearer {KEY}"
    assert json.loads(output.tools[0]["result"]) == {"city": "Paris", "sky": "clear"}
    assert KEY not in dumped


def test_post_sends_a_typed_json_body_and_reads_text(tmp_path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tool = """    http:
      method: POST
      url: URL/forecast
      body: {where: "{{ args.city }}", days: "{{ args.days }}", units: metric}
"""
    server.reply(Reply(raw=b"sunny, then rain", content_type="text/plain"))
    responses = CALL + '      - {match: "sunny", content: "done"}\n'
    output, _, _ = run(tmp_path, server, tool, responses, monkeypatch)
    assert output.content == "done"
    assert server.requests[0]["method"] == "POST"
    assert server.requests[0]["body"] == {"where": "Paris", "days": 2, "units": "metric"}
    assert output.tools[0]["result"] == "sunny, then rain"


def test_an_error_status_goes_back_to_the_model_without_the_key(
    tmp_path, server, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # The server even echoes the key back: the model and the events still never see it.
    server.reply(Reply(status=404, json={"error": f"no such city: Paris (token {KEY})"}))
    responses = CALL + '      - {match: "answered 404", content: "Unknown city."}\n'
    output, events, dumped = run(tmp_path, server, GET, responses, monkeypatch)
    assert output.content == "Unknown city."
    error = next(e for e in events if e.event == "ToolCallError").error
    assert error.startswith(f"GET {server.url}/w answered 404 Not Found:")  # agno: str(error)
    assert "***" in error and "q=Paris" not in error
    assert "no such city: Paris" in error  # the model's own argument is no secret
    assert KEY not in dumped


def test_arguments_are_checked_against_parameters_first(tmp_path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    responses = (
        "      - tool_calls: [{name: weather, arguments: {days: two}}]\n"
        '      - {match: "invalid arguments", content: "I need a city."}\n'
    )
    output, events, _ = run(tmp_path, server, GET, responses, monkeypatch)
    assert output.content == "I need a city."
    error = next(e for e in events if e.event == "ToolCallError").error
    assert "invalid arguments for weather" in error
    assert "'city' is a required property" in error and "'two' is not of type 'integer'" in error
    assert server.requests == []  # nothing was sent


def test_a_slow_server_times_out_as_a_tool_error(tmp_path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tool = "    timeout: 100ms\n    http: {url: URL/slow}\n"
    server.reply(Reply(json={"late": True}, delay=1.0))
    responses = (
        "      - tool_calls: [{name: weather, arguments: {}}]\n"
        '      - {match: "timed out", content: "The service is slow."}\n'
    )
    output, _, _ = run(tmp_path, server, tool, responses, monkeypatch)
    assert output.content == "The service is slow."


def test_an_unreachable_server_is_a_tool_error(tmp_path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tool = "    http: {url: 'http://127.0.0.1:1/w?key=${WEATHER_KEY}'}\n"
    responses = (
        "      - tool_calls: [{name: weather, arguments: {}}]\n"
        '      - {match: "failed", content: "Offline."}\n'
    )
    output, events, dumped = run(tmp_path, server, tool, responses, monkeypatch)
    assert output.content == "Offline."
    error = next(e for e in events if e.event == "ToolCallError").error
    assert error.startswith("GET http://127.0.0.1:1/w failed:")
    assert KEY not in dumped
