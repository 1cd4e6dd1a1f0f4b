"""Checks around an agent run: pre/post hooks and the built-in guardrails, as agno runs them.

agno runs guardrails as pre-hooks (`PIIDetectionGuardrail().async_check`,
`PromptInjectionGuardrail().async_check`): same patterns, messages and check
triggers here, input only. Every hook is announced by PreHookStarted /
PreHookCompleted (PostHook… after the answer), named as agno names it. A
hook gets the arguments it names; a pre-hook may rewrite
`run_input.input_content` and a post-hook `run_output.content`, and the run
goes on with the rewritten value. InputCheckError / OutputCheckError from a
hook (ours, or agno's own classes in a hook brought over from an agno
program) fail the run; any other error of a hook is logged and the run goes
on, as in agno.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import InputCheckError, OutputCheckError

log = logging.getLogger("agno_dsl")

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
# agno's hook name for a guardrail: the bound method it runs as a pre-hook.
GUARDRAIL_HOOK_NAME = "async_check"


def detected_pii(text: str) -> list[str]:
    return [kind for kind, pattern in PII_PATTERNS.items() if pattern.search(text)]


@dataclass
class RunInput:
    """What a pre-hook sees (agno's RunInput); a hook may replace `input_content`."""

    input_content: Any

    def input_content_string(self) -> str:
        content = self.input_content
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            try:
                return json.dumps(content, ensure_ascii=False)
            except (TypeError, ValueError):
                return str(content)
        return str(content)


def prompt_injection_guardrail(run_input: RunInput) -> None:
    """agno's PromptInjectionGuardrail."""
    text = run_input.input_content_string().lower()
    if any(pattern in text for pattern in INJECTION_PATTERNS):
        raise InputCheckError(
            "Potential jailbreaking or prompt injection detected.", check_trigger="prompt_injection"
        )


def pii_guardrail(run_input: RunInput) -> None:
    """agno's PIIDetectionGuardrail (without masking)."""
    if detected_pii(run_input.input_content_string()):
        raise InputCheckError("Potential PII detected in input", check_trigger="pii_detected")


GUARDRAILS: dict[str, Callable[[RunInput], None]] = {
    "prompt_injection": prompt_injection_guardrail,
    "pii": pii_guardrail,
}


def as_check_error(error: Exception) -> InputCheckError | OutputCheckError | None:
    """agno's own InputCheckError / OutputCheckError (a hook brought over from an agno
    program) as ours, so the check still refuses the run instead of being logged away."""
    names = {cls.__name__ for cls in type(error).__mro__}
    trigger = getattr(error, "check_trigger", None)
    trigger = getattr(trigger, "value", trigger)
    if "InputCheckError" in names:
        return InputCheckError(str(error), check_trigger=str(trigger or "input_not_allowed"))
    if "OutputCheckError" in names:
        return OutputCheckError(str(error), check_trigger=str(trigger or "output_not_allowed"))
    return None


def hook_name(hook: Callable[..., Any]) -> str:
    """The name agno gives a hook in its events."""
    return getattr(hook, "__name__", type(hook).__name__)


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


async def run_hooks(
    hooks: list[tuple[str, Callable[..., Any]]],
    kind: str,
    emit: Callable[..., None],
    executor: Any,
    **available: Any,
) -> None:
    """Run pre- or post-hooks in order with agno's events; `kind` is "pre" or "post"."""
    event = "PreHook" if kind == "pre" else "PostHook"
    for name, hook in hooks:
        emit(f"{event}Started", **{f"{kind}_hook_name": name})
        try:
            await call_hook(hook, executor, **available)
        except (InputCheckError, OutputCheckError):
            raise
        except Exception as exc:
            check = as_check_error(exc)
            if check is not None:
                raise check from exc
            log.exception("%s-hook %s failed", kind, name)  # agno logs it and goes on
            continue
        emit(f"{event}Completed", **{f"{kind}_hook_name": name})
