"""Runtime errors, with agno's names and meanings (agno/exceptions.py)."""

from __future__ import annotations

import re
from typing import Any


class AgnoDslError(Exception):
    """Base of every runtime error agno-dsl raises."""


class ModelProviderError(AgnoDslError):
    """A model call failed (network, server, provider-side error)."""

    type = "model_provider_error"  # agno's slug, the error_type of error events

    def __init__(
        self,
        message: str,
        *,
        model_name: str | None = None,
        model_id: str | None = None,
        status_code: int = 502,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.model_name = model_name
        self.model_id = model_id
        self.status_code = status_code


class ModelRateLimitError(ModelProviderError):
    """The provider answered 429; `retry_after` is how long it asked us to wait."""

    def __init__(self, message: str, *, retry_after: float | None = None, **details: Any) -> None:
        super().__init__(message, status_code=429, **details)
        self.retry_after = retry_after


class ModelAuthenticationError(ModelProviderError):
    """The provider rejected the credentials (401/403)."""

    type = "model_authentication_error"


class ContextWindowExceededError(ModelProviderError):
    """The conversation is longer than the model's context window."""


class InputCheckError(AgnoDslError):
    """The input of a run failed a check (input_schema, guardrail, pre-hook)."""

    type = "input_check_error"

    def __init__(self, message: str, check_trigger: str = "input_check") -> None:
        super().__init__(message)
        self.check_trigger = check_trigger


class OutputCheckError(AgnoDslError):
    """The output of a run failed a check (output_schema, guardrail, post-hook)."""

    type = "output_check_error"

    def __init__(self, message: str, check_trigger: str = "output_check") -> None:
        super().__init__(message)
        self.check_trigger = check_trigger


class StopAgentRun(AgnoDslError):  # noqa: N818 - agno's name
    """Raised by a tool to end the agent run."""

    type = "agent_run_error"


class RetryAgentRun(AgnoDslError):  # noqa: N818 - agno's name
    """Raised by a tool to send its message back to the model and try again."""

    type = "agent_run_error"


class RunCancelledException(AgnoDslError):
    """The run was cancelled (Ctrl-C, SIGTERM, or the API)."""

    type = "run_cancelled_error"


class StepFailed(AgnoDslError):
    """A step failed after its retries; the run fails with it."""

    def __init__(self, step_name: str, error: BaseException, where: str | None = None) -> None:
        self.step_name = step_name
        self.error = error
        self.where = where
        super().__init__(f"step '{step_name}' failed: {describe(error)}")


class StepExecutorError(AgnoDslError):
    """The agent or team a step runs failed (agno: "Step 'NAME' executor (agent) failed: …")."""


class StepOutputError(AgnoDslError):
    """A step produced an output that cannot be recorded (not JSON-serializable)."""


class ConfigurationError(AgnoDslError):
    """Something in the spec cannot run (e.g. a function that does not import)."""


# scheme://user:PASSWORD@host: what an error about a database or a server often quotes.
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:)[^@\s/]+(?=@)")


def without_url_passwords(text: str) -> str:
    """`text` with every password written in a URL replaced by ***."""
    return _URL_PASSWORD.sub(r"\g<head>***", text) if "://" in text else text


def error_text(error: BaseException) -> str:
    """An error as agno reports a failed step: its message (`str(error)`), else its type;
    never a password in a URL."""
    if isinstance(error, StepFailed):
        return error_text(error.error)
    return without_url_passwords(str(error)) or type(error).__name__


def describe(error: BaseException) -> str:
    """One line naming the error's type and message (never a password in a URL:
    this line goes to the user, to events and into storage)."""
    if isinstance(error, StepFailed | StepExecutorError):
        return str(error)
    if isinstance(error, TimeoutError):
        return str(error) or "timed out"
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = without_url_passwords(text)
    name = type(error).__name__
    return f"{name}: {text}" if text else name


def error_type_of(error: BaseException) -> str:
    """The error_type of an error event, as agno gives it: the error's slug
    (`input_check_error`, `model_provider_error`, ...) or else its class name."""
    slug = getattr(error, "type", None)
    return slug if isinstance(slug, str) and slug else type(error).__name__
