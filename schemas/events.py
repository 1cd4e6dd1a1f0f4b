"""Run events with agno's names (WorkflowStarted, StepCompleted, RunContent, …).

One model carries them all: the common fields are typed and each event adds
the fields agno gives it (`step_index`, `parallel_step_count`,
`condition_result`, `iteration`, `selected_steps`, `content`, `error`,
`metrics`, a tool call's `tool` as agno's ToolExecution…), so a JSONL line
reads like agno's `event.to_dict()`.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict

WORKFLOW_EVENTS = (
    "WorkflowStarted",
    "WorkflowCompleted",
    "WorkflowError",
    "WorkflowCancelled",
    "StepStarted",
    "StepCompleted",
    "StepError",
    "ParallelExecutionStarted",
    "ParallelExecutionCompleted",
    "ConditionExecutionStarted",
    "ConditionExecutionCompleted",
    "LoopExecutionStarted",
    "LoopIterationStarted",
    "LoopIterationCompleted",
    "LoopExecutionCompleted",
    "RouterExecutionStarted",
    "RouterExecutionCompleted",
    "ForeachExecutionStarted",
    "ForeachExecutionCompleted",
)
AGENT_EVENTS = (  # in agno's order; a team leader's carry the prefix "Team"
    "RunStarted",
    "RunContinued",
    "PreHookStarted",
    "PreHookCompleted",
    "ModelRequestStarted",
    "RunContent",
    "ModelRequestCompleted",
    "ToolCallStarted",
    "ToolCallCompleted",
    "ToolCallError",
    "RunContentCompleted",
    "PostHookStarted",
    "PostHookCompleted",
    "MemoryUpdateStarted",
    "MemoryUpdateCompleted",
    "RunPaused",
    "RunCompleted",
    "RunError",
)


class Event(BaseModel):
    """One event of a run."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    event: str
    created_at: float
    run_id: str
    session_id: str | None = None
    workflow_name: str | None = None
    step_name: str | None = None
    agent_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def trusted(cls, **values: Any) -> "Event":
        """Build without validation, for the run loop's hot path (values come from us).

        What `model_construct` builds, at a third of its cost: a recorded run
        builds two events per step. Tests check both build the same event.
        """
        declared, extra = dict(_EVENT_DEFAULTS), {}
        for name, value in values.items():
            if name in declared:
                declared[name] = value
            else:
                extra[name] = value
        event = _new(cls)
        _set(event, "__dict__", declared)
        _set(event, "__pydantic_fields_set__", {name for name in values if name in declared})
        _set(event, "__pydantic_extra__", extra)
        _set(event, "__pydantic_private__", None)
        return event


_new, _set = object.__new__, object.__setattr__
_EVENT_DEFAULTS = {
    name: field.get_default(call_default_factory=True) for name, field in Event.model_fields.items()
}
