"""Model providers, created by name; SDK-backed providers are imported only when used."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigurationError
from .base import Model, ModelResponse, ToolCall

__all__ = ["Model", "ModelResponse", "ToolCall", "create_model"]


def create_model(name: str, config: Any) -> Model:
    """A fresh model instance (fresh scripted cursors) for one run."""
    provider = config.provider
    if provider == "scripted":
        from .scripted import ScriptedModel

        return ScriptedModel(name, config)
    if provider == "echo":
        from .echo import EchoModel

        return EchoModel(name)
    raise ConfigurationError(
        f"model '{name}': provider '{provider}' is not available in this release; "
        "use scripted or echo, or swap it with --model NAME=echo:"
    )
