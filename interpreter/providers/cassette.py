"""Record → replay: a run's model exchanges saved as scripted responses.

`agno-dsl run … --record cassette.yaml` wraps every model of the run; each
answer (text or tool calls, with its usage) is written under its model's
name and tagged with the agent that asked, so a spec using
`{provider: scripted, cassette: cassette.yaml}` replays the run offline.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ...schemas.outputs import Message
from .base import Model, ModelResponse


class Cassette:
    """What a recorded run's models answered, by model name."""

    def __init__(self) -> None:
        self.responses: dict[str, list[dict[str, Any]]] = {}

    def wrap(self, model: Model) -> Model:
        return _Recording(model, self)

    def add(self, model: str, agent: str, response: ModelResponse) -> None:
        entry: dict[str, Any] = {"agent": agent}
        if response.tool_calls:
            entry["tool_calls"] = [
                {"name": c.name, "arguments": c.arguments, "id": c.id} for c in response.tool_calls
            ]
        if response.content is not None or not response.tool_calls:
            entry["content"] = response.content
        if response.input_tokens or response.output_tokens:
            entry["usage"] = {
                "input_tokens": response.input_tokens,
                "output_tokens": response.output_tokens,
            }
        self.responses.setdefault(model, []).append(entry)

    def save(self, path: Path) -> None:
        from ruamel.yaml import YAML

        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = False
        with path.open("w", encoding="utf-8") as stream:
            stream.write(
                "# Recorded by agno-dsl run --record. Replay it offline with\n"
                "#   models: {NAME: {provider: scripted, cassette: THIS_FILE}}\n"
            )
            yaml.dump(
                {
                    "models": {
                        name: {"responses": entries} for name, entries in self.responses.items()
                    }
                },
                stream,
            )


# The cassette of the run being recorded; runs started inside `record()` use it.
RECORDING: ContextVar[Cassette | None] = ContextVar("agno_dsl_recording", default=None)


def load_cassette(path: Path, model_name: str) -> list[dict[str, Any]]:
    """The recorded responses of one model (or of the only model recorded)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")) or {}
    models = data.get("models") or {}
    if model_name in models:
        return list(models[model_name].get("responses") or [])
    if len(models) == 1:
        return list(next(iter(models.values())).get("responses") or [])
    raise ValueError(
        f"cassette {path.name} has no model '{model_name}' (it has {', '.join(models) or 'none'})"
    )


class _Recording:
    """A model that reports every answer to a cassette."""

    def __init__(self, inner: Model, cassette: Cassette) -> None:
        self.inner = inner
        self.cassette = cassette
        self.name, self.provider, self.id = inner.name, inner.provider, inner.id

    async def respond(
        self,
        messages: list[Message],
        *,
        agent: str,
        output_schema: Any = None,
        tools: list[dict[str, Any]] | None = None,
        on_delta: Callable[[str], None] | None = None,
    ) -> ModelResponse:
        response = await self.inner.respond(
            messages, agent=agent, output_schema=output_schema, tools=tools, on_delta=on_delta
        )
        self.cassette.add(self.name, agent, response)
        return response
