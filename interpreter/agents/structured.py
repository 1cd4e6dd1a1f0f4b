"""Structured answers: agno's JSON output prompt, and checking an answer against output_schema.

An answer that is not JSON, or does not match the schema, gets one repair turn
(the model is told what was wrong) before OutputCheckError.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...schemas.outputs import Message
from ..errors import OutputCheckError
from ..plan import AgentPlan
from ..providers.base import message_text
from .run_loop import ModelCall, ask_model


def json_output_prompt(schema: Mapping[str, Any]) -> str:
    """agno's prompt for a structured answer (agno/utils/prompts.py, dict schemas)."""
    return (
        "Provide your output as a JSON containing the following fields:"
        f"\n<json_fields>\n{json.dumps(schema, ensure_ascii=False)}\n</json_fields>"
        "\nStart your response with `{` and end it with `}`."
        "\nYour output will be passed to json.loads() to convert it to a Python object."
        "\nMake sure it only contains valid JSON."
    )


async def structured(
    agent: AgentPlan, call: ModelCall, messages: list[Message], content: Any, result: Any
) -> Any:
    """The answer as an object matching output_schema, after at most one repair."""
    try:
        return checked_content(agent, content)
    except OutputCheckError as first:
        messages.append(
            Message(
                role="user",
                content=(
                    f"Your answer did not match the required JSON schema: {first}. "
                    "Answer again with only a JSON object matching the schema."
                ),
            )
        )
        repair = await ask_model(call, messages)
        result.input_tokens += repair.input_tokens
        result.output_tokens += repair.output_tokens
        messages.append(Message(role="assistant", content=said(repair.content)))
        return checked_content(agent, repair.content)


def checked_content(agent: AgentPlan, content: Any) -> Any:
    value = content
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise OutputCheckError(
                f"agent '{agent.name}' must answer with JSON matching its output_schema, "
                f"got text: {value[:80]!r}",
                check_trigger="output_schema",
            ) from None
    from jsonschema import Draft202012Validator

    errors = sorted(
        Draft202012Validator(agent.output_schema).iter_errors(value), key=lambda e: list(e.path)
    )
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "answer"
        raise OutputCheckError(
            f"agent '{agent.name}' output does not match output_schema at {where}: {first.message}",
            check_trigger="output_schema",
        )
    return value


def said(content: Any) -> Any:
    """The assistant message as the model wrote it (a structured answer as its JSON)."""
    return content if content is None or isinstance(content, str) else message_text(content)
