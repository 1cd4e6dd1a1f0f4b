"""The JSON Schema of the language, for editors and standard validators."""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "https://github.com/agno-dsl/agno-dsl/schema/v1.json"


def language_schema() -> dict[str, Any]:
    from .schemas.spec import Spec

    schema = Spec.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "agno-dsl spec (language version 1)",
    }
