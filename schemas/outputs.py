"""Results of runs, mirroring agno's RunOutput, StepOutput and WorkflowRunOutput."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RunStatus = Literal["running", "completed", "failed", "paused", "cancelled"]


class Metrics(BaseModel):
    """Token and timing figures (agno's names) plus throughput."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    duration: float | None = Field(None, description="Seconds.")
    time_to_first_token: float | None = Field(None, description="Seconds.")
    tokens_per_second: float | None = None

    def add_tokens(self, other: "Metrics | None") -> None:
        if other is None:
            return
        assign(
            self,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


def assign(model: BaseModel, **values: Any) -> None:
    """`model.name = value` for each, as pydantic does it for these models.

    The output models neither validate assignments nor are frozen, so pydantic's
    own `__setattr__` stores the value and marks the field set; doing that here
    skips its per-attribute dispatch (~1 µs each, several per run).
    """
    model.__dict__.update(values)
    model.__pydantic_fields_set__.update(values)


class Message(BaseModel):
    """One message of a conversation with a model."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    role: Literal["system", "user", "assistant", "tool"]
    content: Any = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    name: str | None = None
    from_history: bool | None = Field(
        None, description="Added from the session's earlier runs (agno's from_history)."
    )


class RunOutput(BaseModel):
    """The result of one agent run (agno RunOutput)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    run_id: str
    agent_name: str
    session_id: str | None = None
    user_id: str | None = None
    parent_run_id: str | None = None
    content: Any = None
    content_type: str = "str"
    status: RunStatus = "completed"
    model: str | None = None
    model_provider: str | None = None
    messages: list[Message] | None = Field(
        None, description="The conversation with the model; None when it never started."
    )
    metrics: Metrics = Field(default_factory=lambda: Metrics())
    error: str | None = None
    tools: list[dict[str, Any]] | None = Field(
        None,
        description="Tool executions, as agno's ToolExecution (tool_name, tool_args, result…).",
    )
    session_state: dict[str, Any] | None = Field(
        None, description="The session state after the run (agno's RunOutput.session_state)."
    )
    pending: dict[str, Any] | None = Field(
        None, description="When paused: the tool call waiting for a human and what it asks."
    )


class TeamRunOutput(BaseModel):
    """The result of one team run (agno TeamRunOutput)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    run_id: str
    team_name: str
    mode: str
    session_id: str | None = None
    parent_run_id: str | None = None
    content: Any = None
    content_type: str = "str"
    status: RunStatus = "completed"
    model: str | None = None
    model_provider: str | None = None
    messages: list[Message] = Field(default_factory=list)
    member_responses: "list[RunOutput | TeamRunOutput]" = Field(default_factory=list)
    metrics: Metrics = Field(default_factory=lambda: Metrics())
    error: str | None = None
    tools: list[dict[str, Any]] | None = None
    session_state: dict[str, Any] | None = Field(
        None,
        description="The session state after the run; agno shows it on a team run as a member.",
    )


class StepOutput(BaseModel):
    """The result of one step (agno StepOutput). Function steps may return one."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    step_name: str | None = None
    step_type: str | None = Field(
        None,
        description="agno's StepType: Step, Steps, Parallel, Condition, Loop, Router, Workflow.",
    )
    executor_type: str | None = Field(None, description="agent, team, function or workflow.")
    executor_name: str | None = None
    content: Any = None
    success: bool = True
    error: str | None = None
    stop: bool = Field(False, description="End the workflow after this step (agno).")
    skipped: bool = Field(False, description="A human rejected the step, so it did not run.")
    metrics: Metrics | None = None
    steps: "list[StepOutput] | None" = Field(None, description="Results of a block's steps.")
    executor_run: "RunOutput | TeamRunOutput | None" = None

    @classmethod
    def trusted(cls, **values: Any) -> "StepOutput":
        """Build without validation, for the run loop's hot path (values come from us).

        pydantic's model_construct costs ~6 µs here, more than the rest of a
        step; tests check that this builds exactly what validation builds.
        """
        output = _new(cls)
        _set_dict(output, {**_STEP_DEFAULTS, **values})
        _set_fields_set(output, set(values))
        _set_extra(output, None)
        _set_private(output, None)
        return output


# The slots of BaseModel, set through their descriptors: half the cost of
# object.__setattr__ (which looks each one up again), in a per-step path.
_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


_STEP_DEFAULTS = {
    name: field.get_default(call_default_factory=True)
    for name, field in StepOutput.model_fields.items()
}


class StepMetrics(BaseModel):
    """Token figures of one agent or team step (agno StepMetrics)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    step_name: str
    executor_type: str
    executor_name: str
    metrics: Metrics | None = None


class WorkflowMetrics(BaseModel):
    """A workflow run's metrics (agno WorkflowMetrics): per agent/team step, by step name,
    found at any depth of the step results, and the run's duration."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    steps: dict[str, StepMetrics] = Field(default_factory=dict)
    duration: float | None = Field(None, description="Seconds.")

    @classmethod
    def of(cls, step_results: "list[StepOutput]", duration: float | None) -> "WorkflowMetrics":
        steps: dict[str, StepMetrics] = {}

        def visit(output: StepOutput) -> None:
            for inner in output.steps or ():
                visit(inner)
            if output.step_name and output.metrics and output.executor_type in ("agent", "team"):
                steps[output.step_name] = StepMetrics(
                    step_name=output.step_name,
                    executor_type=output.executor_type,
                    executor_name=output.executor_name or "unknown",
                    metrics=output.metrics,
                )

        for result in step_results:
            visit(result)
        return cls(steps=steps, duration=duration)


class WorkflowRunOutput(BaseModel):
    """The result of a workflow run (agno WorkflowRunOutput)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    run_id: str
    workflow_name: str
    session_id: str | None = None
    input: Any = None
    content: Any = None
    content_type: str = "str"
    status: RunStatus = "running"
    error: str | None = None
    failed_step: str | None = None
    pending: dict[str, Any] | None = Field(
        None, description="When paused: the step waiting for a human and what it asks."
    )
    step_results: list[StepOutput] = Field(default_factory=list)
    metrics: WorkflowMetrics = Field(default_factory=lambda: WorkflowMetrics())
    created_at: float = 0.0


def content_type_of(content: Any) -> str:
    if content is None or isinstance(content, str):
        return "str"
    return type(content).__name__
