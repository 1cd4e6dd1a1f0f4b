"""Hooks shared by both sides of the parity pairs.

A check error here is agno's and agno-dsl's at once, so one hook function
serves both runtimes (each recognises its own class).
"""

from __future__ import annotations

from typing import Any

from agno.exceptions import InputCheckError as AgnoInputCheckError
from agno.exceptions import OutputCheckError as AgnoOutputCheckError
from agno_dsl import InputCheckError, OutputCheckError


class InputRejected(InputCheckError, AgnoInputCheckError):
    def __init__(self, message: str, check_trigger: str) -> None:
        AgnoInputCheckError.__init__(self, message, check_trigger=check_trigger)


class OutputRejected(OutputCheckError, AgnoOutputCheckError):
    def __init__(self, message: str, check_trigger: str) -> None:
        AgnoOutputCheckError.__init__(self, message, check_trigger=check_trigger)


def on_topic(run_input: Any) -> None:
    """Only finance questions get through."""
    if "revenue" not in run_input.input_content_string().lower():
        raise InputRejected("only finance questions are answered here", check_trigger="off_topic")


def shout_input(run_input: Any) -> None:
    """Rewrite the input before the model sees it."""
    run_input.input_content = run_input.input_content_string().upper()


def short_answer(run_output: Any) -> None:
    if len(str(run_output.content)) > 20:
        raise OutputRejected(
            "answers must stay under 20 characters", check_trigger="output_not_allowed"
        )


def sign_answer(run_output: Any) -> None:
    """Edit the answer after the model: the run's content is the edited text."""
    run_output.content = f"{run_output.content} -- the analyst"


def broken_hook(run_input: Any) -> None:
    """A hook with a bug: agno logs it and the run goes on."""
    raise ValueError("hook bug")


def agno_style_guard(run_input: Any) -> None:
    """A hook written for agno: it raises agno's own InputCheckError."""
    if "password" in run_input.input_content_string():
        raise AgnoInputCheckError("no passwords here")
