"""Turns a ticket and its label into the record a helpdesk queue takes."""

from agno_dsl import StepInput, StepOutput

QUEUES = {"billing": "finance", "bug": "engineering", "other": "front-desk"}


def ticket(step_input: StepInput) -> StepOutput:
    """A StepOutput keeps the object (agno turns a bare dict into its text)."""
    label = step_input.get_step_content("label")
    return StepOutput(
        content={"id": step_input.input["id"], "label": label, "queue": QUEUES[label]}
    )
