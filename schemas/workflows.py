"""Workflows: an ordered `steps:` list or a `graph:` of named nodes."""

from typing import Any

from pydantic import ConfigDict, Field, PositiveInt, model_validator
from pydantic_core import PydanticCustomError

from .base import NAMED_KEYS, JsonValue, Name, SpecModel
from .steps import Step


class Workflow(SpecModel):
    """A workflow; exactly one of steps: and graph:."""

    model_config = ConfigDict(
        **SpecModel.model_config,
        json_schema_extra={"oneOf": [{"required": ["steps"]}, {"required": ["graph"]}]},
    )

    description: str | None = Field(None, description="What the workflow does.")
    input_schema: dict[str, Any] | None = Field(
        None, description="JSON Schema the run input must satisfy."
    )
    steps: list[Step] | None = Field(None, description="Steps run in order (agno Steps semantics).")
    graph: dict[Name, Step] | None = Field(
        None,
        description="Named nodes run as soon as their needs: are done.",
        json_schema_extra=NAMED_KEYS,
    )
    output: JsonValue = Field(
        None, description="Output template; defaults to the last step's output."
    )
    max_concurrency: PositiveInt | None = Field(None, description="Most steps running at once.")
    session_state: dict[str, Any] | None = Field(
        None, description="Initial session state, readable as `state`."
    )

    @model_validator(mode="after")
    def _steps_or_graph(self) -> "Workflow":
        if (self.steps is None) == (self.graph is None):
            raise PydanticCustomError(
                "workflow_body",
                "a workflow needs exactly one of steps: (a list) or graph: (named nodes)",
            )
        if self.steps is not None and not self.steps:
            raise PydanticCustomError("workflow_body", "steps: is empty; add at least one step")
        if self.graph is not None and not self.graph:
            raise PydanticCustomError("workflow_body", "graph: is empty; add at least one node")
        return self
