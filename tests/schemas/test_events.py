"""schemas/events.py: the trusted fast constructor builds what model_construct builds."""

from __future__ import annotations

from agno_dsl.schemas.events import Event


def test_trusted_matches_model_construct() -> None:
    values = {
        "event": "StepCompleted",
        "created_at": 1.5,
        "run_id": "r",
        "session_id": None,
        "workflow_name": "w",
        "step_name": "s",
        "content": {"a": [1]},
        "attempts": 2,
        "skipped": None,
    }
    fast, slow = Event.trusted(**values), Event.model_construct(**values)
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    assert fast.to_dict() == slow.to_dict()
    assert fast.model_dump_json(exclude_none=True) == slow.model_dump_json(exclude_none=True)
    assert fast.model_fields_set == slow.model_fields_set
    assert (
        fast.model_extra
        == slow.model_extra
        == {"content": {"a": [1]}, "attempts": 2, "skipped": None}
    )
    assert Event.trusted(event="E", created_at=0.0, run_id="r") == Event(
        event="E", created_at=0.0, run_id="r"
    )
