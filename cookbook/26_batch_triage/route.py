"""Turns a ticket and its label into the record a helpdesk queue takes."""

from agno_dsl import StepInput

QUEUES = {"billing": "finance", "bug": "engineering", "other": "front-desk"}


def ticket(step_input: StepInput) -> dict:
    label = step_input.get_step_content("label")
    return {"id": step_input.input["id"], "label": label, "queue": QUEUES[label]}
