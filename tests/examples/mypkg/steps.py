"""The `publish` function step of design.yaml."""

from typing import Any


def publish(step_input: Any) -> str:
    """Publish the final text (here: return it)."""
    return str(step_input.previous_step_content)
