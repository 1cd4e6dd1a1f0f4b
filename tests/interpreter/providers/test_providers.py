"""interpreter/providers: scripted cursors, match, repeats, errors, usage; echo."""

from __future__ import annotations

import asyncio

import pytest
from agno_dsl.interpreter.errors import ModelProviderError
from agno_dsl.interpreter.providers import create_model
from agno_dsl.schemas.models import ScriptedModel as ScriptedConfig
from agno_dsl.schemas.outputs import Message


def scripted(*responses: dict):
    return create_model(
        "fake",
        ScriptedConfig.model_validate({"provider": "scripted", "responses": list(responses)}),
    )


def ask(model, text: str, agent: str = "a"):
    return asyncio.run(model.respond([Message(role="user", content=text)], agent=agent))


def test_one_cursor_per_agent_and_last_entry_repeats() -> None:
    model = scripted({"content": "one"}, {"content": "two"})
    assert [ask(model, "x", "a").content for _ in range(3)] == ["one", "two", "two"]
    assert ask(model, "x", "b").content == "one"


def test_match_selects_entries_for_matching_input() -> None:
    model = scripted({"match": "^Price", "content": "p"}, {"match": "^Range", "content": "r"})
    assert ask(model, "Range of bikes", "a").content == "r"
    assert ask(model, "Price of bikes", "b").content == "p"
    with pytest.raises(ModelProviderError, match="no response left for agent 'c'"):
        ask(model, "Weight of bikes", "c")


def test_error_usage_and_structured_content() -> None:
    model = scripted(
        {"content": {"k": 1}, "usage": {"input_tokens": 3, "output_tokens": 4}},
        {"error": "rate limited"},
    )
    response = ask(model, "x")
    assert (response.content, response.input_tokens, response.output_tokens) == ({"k": 1}, 3, 4)
    with pytest.raises(ModelProviderError, match="rate limited"):
        ask(model, "x")


def test_tool_calls_get_ids() -> None:
    model = scripted({"tool_calls": [{"name": "add", "arguments": {"a": 1}}]})
    call = ask(model, "x").tool_calls[0]
    assert (call.name, call.arguments) == ("add", {"a": 1}) and call.id


def test_echo_answers_with_the_last_user_message() -> None:
    from agno_dsl.schemas.models import EchoModel

    model = create_model("m", EchoModel(provider="echo"))
    messages = [Message(role="system", content="be nice"), Message(role="user", content="hi")]
    assert asyncio.run(model.respond(messages, agent="a")).content == "hi"


def test_missing_sdk_is_one_line_naming_the_extra(monkeypatch) -> None:
    import sys

    from agno_dsl.interpreter.errors import ConfigurationError
    from agno_dsl.schemas.models import OllamaModel

    monkeypatch.setitem(sys.modules, "ollama", None)  # as if not installed
    with pytest.raises(ConfigurationError) as caught:
        create_model("local", OllamaModel(provider="ollama", id="llama3.2"))
    assert str(caught.value) == (
        "model 'local' needs the ollama client: pip install 'agno-dsl[ollama]'"
    )


def test_stream_sends_the_text_word_by_word_and_counts_words_as_tokens() -> None:
    model = scripted({"content": "  Tide pools hold\nlife. ", "stream": True})
    deltas: list[str] = []
    response = asyncio.run(
        model.respond([Message(role="user", content="x")], agent="a", on_delta=deltas.append)
    )
    assert deltas == ["  Tide ", "pools ", "hold\n", "life. "]
    assert "".join(deltas) == response.content
    assert response.output_tokens == 4


def test_stream_keeps_given_usage_and_skips_structured_answers() -> None:
    model = scripted(
        {"content": "a b", "stream": True, "usage": {"input_tokens": 1, "output_tokens": 9}},
        {"content": "c d", "stream": True},
    )
    deltas: list[str] = []
    messages = [Message(role="user", content="x")]
    first = asyncio.run(model.respond(messages, agent="a", on_delta=deltas.append))
    assert (deltas, first.output_tokens) == (["a ", "b"], 9)
    deltas.clear()
    asyncio.run(model.respond(messages, agent="a", output_schema={}, on_delta=deltas.append))
    assert deltas == []  # a structured answer is parsed whole, never shown half-done
