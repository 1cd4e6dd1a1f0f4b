"""Model providers, created by name; SDK-backed providers are imported only when used."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigurationError
from .base import Model, ModelResponse, ToolCall

__all__ = ["Model", "ModelResponse", "ToolCall", "create_model"]


def create_model(name: str, config: Any) -> Model:
    """A fresh model instance (fresh scripted cursors) for one run, held to its
    concurrency limit when it has one (`providers/limits.py`)."""
    from .limits import limited

    return limited(_create(name, config), config)


def _create(name: str, config: Any) -> Model:
    provider = config.provider
    if provider == "scripted":
        from .scripted import ScriptedModel

        return ScriptedModel(name, config)
    if provider == "echo":
        from .echo import EchoModel

        return EchoModel(name)
    if provider == "openai":
        from .openai import OpenAIModel

        return OpenAIModel(name, config)
    if provider == "anthropic":
        from .anthropic import AnthropicModel

        return AnthropicModel(name, config)
    if provider == "ollama":
        from .ollama import OllamaModel

        return OllamaModel(name, config)
    raise ConfigurationError(f"model '{name}': unknown provider '{provider}'")
