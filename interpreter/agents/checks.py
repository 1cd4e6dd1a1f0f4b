"""Checks around an agent run: pre/post hooks and the built-in guardrails.

Guardrails behave as agno's PIIDetectionGuardrail and
PromptInjectionGuardrail (same patterns, messages and check triggers), and
apply to the input (InputCheckError) and, for PII, to the answer as well
(OutputCheckError).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import InputCheckError, OutputCheckError

PII_PATTERNS = {
    "SSN": re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),
    "Credit Card": re.compile(r"\b\d{4}[\s-]?\d{4}[\s-]?\d{4}[\s-]?\d{4}\b"),
    "Email": re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"),
    "Phone": re.compile(r"\b\d{3}[\s.-]?\d{3}[\s.-]?\d{4}\b"),
}
INJECTION_PATTERNS = (
    "ignore previous instructions",
    "ignore your instructions",
    "you are now a",
    "forget everything above",
    "developer mode",
    "override safety",
    "disregard guidelines",
    "system prompt",
    "jailbreak",
    "act as if",
    "pretend you are",
    "roleplay as",
    "simulate being",
    "bypass restrictions",
    "ignore safeguards",
    "admin override",
    "root access",
    "forget everything",
)


def detected_pii(text: str) -> list[str]:
    return [kind for kind, pattern in PII_PATTERNS.items() if pattern.search(text)]


def check_input(guardrails: tuple[str, ...], text: str) -> None:
    if "prompt_injection" in guardrails and any(p in text.lower() for p in INJECTION_PATTERNS):
        raise InputCheckError(
            "Potential jailbreaking or prompt injection detected.", check_trigger="prompt_injection"
        )
    if "pii" in guardrails and (kinds := detected_pii(text)):
        raise InputCheckError(
            f"Potential PII detected in input ({', '.join(kinds)})", check_trigger="pii_detected"
        )


def check_output(guardrails: tuple[str, ...], text: str) -> None:
    if "pii" in guardrails and (kinds := detected_pii(text)):
        raise OutputCheckError(
            f"Potential PII detected in output ({', '.join(kinds)})", check_trigger="pii_detected"
        )


@dataclass(frozen=True)
class RunInput:
    """What a pre-hook sees (agno's RunInput)."""

    input_content: Any

    def input_content_string(self) -> str:
        return (
            self.input_content if isinstance(self.input_content, str) else str(self.input_content)
        )


async def call_hook(hook: Callable[..., Any], executor: Any, **available: Any) -> None:
    """Call a hook with the arguments it names (agno passes hooks what they ask for)."""
    try:
        names = inspect.signature(hook).parameters
    except (TypeError, ValueError):
        names = {}  # type: ignore[assignment]
    takes_all = any(p.kind is p.VAR_KEYWORD for p in names.values())
    arguments = {key: value for key, value in available.items() if takes_all or key in names}
    if inspect.iscoroutinefunction(hook):
        await hook(**arguments)
    else:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(executor, functools.partial(hook, **arguments))
