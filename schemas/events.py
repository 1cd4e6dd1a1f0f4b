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
