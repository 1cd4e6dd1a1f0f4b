"""schemas/outputs.py: the trusted fast constructor builds what validation builds."""

from __future__ import annotations

from agno_dsl.schemas.outputs import Metrics, StepOutput


def test_trusted_matches_validated_construction() -> None:
    values = {
        "step_name": "s",
        "step_type": "agent",
        "content": {"a": [1]},
        "metrics": Metrics(input_tokens=1),
    }
    fast, slow = StepOutput.trusted(**values), StepOutput(**values)
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_fields_set == slow.model_fields_set
    fast.stop = True  # still an ordinary, mutable model
    assert fast.model_copy(update={"step_name": "t"}).step_name == "t"
    assert StepOutput.trusted() == StepOutput()
