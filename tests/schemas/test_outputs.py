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


def test_assign_does_what_setting_the_attributes_does() -> None:
    from agno_dsl.schemas.outputs import (
        Metrics,
        RunOutput,
        TeamRunOutput,
        WorkflowRunOutput,
        assign,
    )

    cases = [
        (Metrics, {}, {"input_tokens": 3, "duration": 0.5}),
        (RunOutput, {"run_id": "r", "agent_name": "a"}, {"run_id": "s", "parent_run_id": None}),
        (TeamRunOutput, {"run_id": "r", "team_name": "t", "mode": "coordinate"}, {"content": 1}),
        (WorkflowRunOutput, {"run_id": "r", "workflow_name": "w"}, {"content_type": "dict"}),
        (StepOutput, {}, {"stop": True}),
    ]
    for model, required, values in cases:
        fast, slow = model(**required), model(**required)
        assign(fast, **values)
        for name, value in values.items():
            setattr(slow, name, value)
        assert fast == slow
        assert fast.model_fields_set == slow.model_fields_set
        assert fast.model_dump() == slow.model_dump()
