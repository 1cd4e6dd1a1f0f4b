"""What a run changes in a loaded spec before compiling it: `--model NAME=PROVIDER:ID`
swaps and recorded cassettes played before a scripted model's own answers; and the
compiler for the result, made once per set of swaps and kept on the document."""

from __future__ import annotations

from typing import Any

from .errors import Problem, SpecError, UsageError
from .loader import Document
from .schemas.base import unknown_name_message


def _with_cassettes(document: Document, models: dict[str, Any]) -> dict[str, Any]:
    """Scripted models with `cassette:` get the recorded responses before their own."""
    from .interpreter.providers.cassette import load_cassette
    from .schemas.models import ScriptedModel, ScriptedResponse

    for name, config in models.items():
        if not isinstance(config, ScriptedModel) or config.cassette is None:
            continue
        path = document.base_dir / config.cassette
        try:
            recorded = [
                ScriptedResponse.model_validate(entry) for entry in load_cassette(path, name)
            ]
        except (OSError, ValueError) as exc:
            reason = "no such file" if isinstance(exc, FileNotFoundError) else str(exc)
            raise SpecError(
                [
                    Problem(
                        f"cassette {config.cassette}: {reason}",
                        document.locate(("models", name, "cassette")),
                    )
                ]
            ) from None
        models[name] = config.model_copy(update={"responses": recorded + config.responses})
    return models


def model_overrides(document: Document, overrides: dict[str, str] | None) -> dict[str, Any]:
    """The spec's models with `NAME=PROVIDER:ID` replacements applied."""
    from pydantic import TypeAdapter, ValidationError

    from .schemas.models import ModelConfig

    models = _with_cassettes(document, dict(document.spec.models))
    if not overrides:
        return models  # building the adapter costs ~5 ms of a start; only swaps need it
    adapter: TypeAdapter[Any] = TypeAdapter(ModelConfig)
    for name, value in overrides.items():
        if name not in models:
            raise UsageError(unknown_name_message("model", name, set(models)))
        provider, _, model_id = value.partition(":")
        data: dict[str, Any] = {"provider": provider}
        if model_id:
            data["id"] = model_id
        try:
            models[name] = adapter.validate_python(data)
        except ValidationError as exc:
            detail = exc.errors()[0]["msg"]
            raise UsageError(f"--model {name}={value}: {detail}") from None
    return models


def compiler_for(document: Document, models: dict[str, str] | None) -> Any:
    """The document's compiler for these model overrides, made once and reused."""
    from .compiler import Compiler

    key = tuple(sorted((models or {}).items()))
    if key not in document.compilers:
        document.compilers[key] = Compiler(document, model_overrides(document, models))
    return document.compilers[key]
