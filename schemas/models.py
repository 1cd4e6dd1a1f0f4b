"""Model configurations, one per provider, discriminated by `provider`."""

from typing import Annotated, Any, Literal

from pydantic import Field, NonNegativeInt, PositiveInt

from .base import Duration, SpecModel


class Usage(SpecModel):
    """Token counts a scripted response reports, so metrics are deterministic."""

    input_tokens: NonNegativeInt = Field(0, description="Tokens read by the model.")
    output_tokens: NonNegativeInt = Field(0, description="Tokens written by the model.")


class ScriptedToolCall(SpecModel):
    """A tool call a scripted model asks for."""

    name: str = Field(description="Name of the tool to call.")
    arguments: dict[str, Any] = Field(
        default_factory=dict, description="Arguments passed to the tool."
    )
    id: str | None = Field(None, description="Call id; generated when omitted.")


class ScriptedResponse(SpecModel):
    """One answer of a scripted model."""

    content: Any = Field(None, description="Text, or an object/list for structured output.")
    tool_calls: list[ScriptedToolCall] | None = Field(
        None, description="Tool calls the model asks for instead of answering."
    )
    match: str | None = Field(
        None,
        description="Regular expression tested against the message the model answers: the "
        "user's input, or, after a tool call, the tool's result. The entry is used only "
        "when it matches.",
    )
    match_input: str | None = Field(
        None,
        description="Regular expression tested against the run's input (the last user "
        "message), also on the turns after a tool call.",
    )
    match_history: str | None = Field(
        None,
        description="Regular expression that must match the earlier messages of the "
        "conversation (history from the session, tool results).",
    )
    agent: str | None = Field(
        None, description="Only for this agent (or team leader); recorded cassettes use it."
    )
    delay: Duration = Field(0.0, description="How long the model takes to answer.")
    stream: bool = Field(
        False,
        description="Stream the text content word by word, as RunContent deltas; each word "
        "counts as one output token unless usage: says otherwise.",
    )
    error: str | None = Field(
        None, description="Raise ModelProviderError with this message instead of answering."
    )
    usage: Usage | None = Field(None, description="Token counts reported for this answer.")


class _Limited(SpecModel):
    max_concurrency: PositiveInt | None = Field(
        None,
        description="Most requests to this model at once, across every run of the process "
        "(of the cluster under `batch --executor ray`): keeps batches under rate limits.",
    )


class _ModelBase(_Limited):
    temperature: float | None = Field(None, description="Sampling temperature.")
    max_tokens: int | None = Field(None, description="Upper bound on generated tokens.")
    top_p: float | None = Field(None, description="Nucleus sampling parameter.")
    stop: list[str] | None = Field(None, description="Stop sequences.")
    timeout: Duration | None = Field(None, description="Timeout of one model call.")
    extra: dict[str, Any] | None = Field(
        None, description="Extra provider parameters, passed through unchanged."
    )


class ScriptedModel(_Limited):
    """Offline, deterministic model: answers from a list, one cursor per (model, agent)."""

    provider: Literal["scripted"] = Field(description="Offline scripted answers.")
    responses: list[ScriptedResponse] = Field(
        default_factory=list, description="Answers consumed in order; the last one repeats."
    )
    cassette: str | None = Field(
        None, description="YAML file of recorded responses, relative to the spec."
    )


class EchoModel(_Limited):
    """Offline model that answers with the user message it received."""

    provider: Literal["echo"] = Field(description="Answers with its input.")


class OpenAIModel(_ModelBase):
    """OpenAI or any OpenAI-compatible server (vLLM, Ollama /v1, llama.cpp, LM Studio)."""

    provider: Literal["openai"] = Field(description="OpenAI Chat Completions API.")
    id: str = Field(description="Model id, e.g. gpt-4.1-mini.")
    api_key: str | None = Field(None, description="API key; use ${OPENAI_API_KEY}.")
    base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible server.")


class AnthropicModel(_ModelBase):
    """Anthropic Messages API."""

    provider: Literal["anthropic"] = Field(description="Anthropic Messages API.")
    id: str = Field(description="Model id, e.g. claude-sonnet-4-5.")
    api_key: str | None = Field(None, description="API key; use ${ANTHROPIC_API_KEY}.")
    base_url: str | None = Field(None, description="Base URL of the API.")


class OllamaModel(_ModelBase):
    """Ollama's native API."""

    provider: Literal["ollama"] = Field(description="Ollama native API.")
    id: str = Field(description="Model name, e.g. llama3.2.")
    base_url: str | None = Field(None, description="Ollama host, e.g. http://localhost:11434.")
    api_key: str | None = Field(None, description="Optional bearer token.")


ModelConfig = Annotated[
    ScriptedModel | EchoModel | OpenAIModel | AnthropicModel | OllamaModel,
    Field(discriminator="provider"),
]
PROVIDERS = ("scripted", "echo", "openai", "anthropic", "ollama")
