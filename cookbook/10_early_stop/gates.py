"""The security gate of the early-stop scenario."""

from agno_dsl import StepInput, StepOutput


def security_gate(step_input: StepInput) -> StepOutput:
    result = str(step_input.previous_step_content or "")
    if "VULNERABLE" in result.upper():
        return StepOutput(
            content="[ALERT] Critical vulnerabilities detected. Deployment blocked.", stop=True
        )
    return StepOutput(content="[OK] Security check passed. Proceeding with deployment.")
