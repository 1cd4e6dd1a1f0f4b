"""Hooks of the hooks scenario, with agno's hook signatures."""

from agno_dsl import InputCheckError, OutputCheckError


def on_topic(run_input) -> None:
    """Only finance questions get through."""
    text = run_input.input_content_string().lower()
    if not any(word in text for word in ("revenue", "results", "costs", "q3", "budget")):
        raise InputCheckError("only finance questions are answered here", check_trigger="off_topic")


def short_answer(run_output) -> None:
    if len(str(run_output.content)) > 200:
        raise OutputCheckError(
            "answers must stay under 200 characters", check_trigger="output_not_allowed"
        )
