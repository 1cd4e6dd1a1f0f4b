"""Agents and teams."""

from typing import Any, Literal

from pydantic import Field, NonNegativeInt, PositiveInt

from .base import Duration, ImportPath, Name, SpecModel

Instructions = str | list[str]


class _RunnerOptions(SpecModel):
    model: Name | None = Field(None, description="Name of a model; defaults.model when omitted.")
    description: str | None = Field(None, description="What this agent/team is for.")
    instructions: Instructions | None = Field(
        None, description="Instructions (templates): a string or a list of strings."
    )
    expected_output: str | None = Field(None, description="What a good answer looks like.")
    additional_context: str | None = Field(None, description="Added to the system message.")
    tools: list[Name] = Field(default_factory=list, description="Names of tools it may call.")
    output_schema: dict[str, Any] | None = Field(
        None, description="JSON Schema of a structured answer."
    )
    input_schema: dict[str, Any] | None = Field(
        None, description="JSON Schema its input must satisfy."
    )
    retries: NonNegativeInt | None = Field(None, description="Retries on model errors.")
    retry_delay: Duration | None = Field(None, description="First delay between retries.")
    timeout: Duration | None = Field(None, description="Timeout of one run.")
    tool_call_limit: PositiveInt | None = Field(None, description="Most tool calls in one run.")
    add_history_to_context: bool = Field(
        False, description="Add the session's previous runs to the messages."
    )
    num_history_runs: PositiveInt = Field(3, description="How many previous runs to add.")
    pre_hooks: list[ImportPath] = Field(
        default_factory=list, description="Callables run before the model."
    )
    post_hooks: list[ImportPath] = Field(
        default_factory=list, description="Callables run after the model."
    )
    guardrails: list[Literal["pii", "prompt_injection"]] = Field(
        default_factory=list, description="Built-in input/output checks."
    )
    session_state: dict[str, Any] | None = Field(None, description="Initial session state.")


class Agent(_RunnerOptions):
    """An agent: a model with instructions and tools."""

    update_memory_on_run: bool = Field(
        False, description="After each run, a memory model extracts memories of the user."
    )
    enable_agentic_memory: bool = Field(
        False, description="Give the agent agno's update_user_memory tool."
    )
    add_memories_to_context: bool | None = Field(
        None,
        description="Add the user's memories to the system message (default: when either "
        "memory option is on).",
    )
    memory_model: Name | None = Field(
        None, description="Model that manages memories; the agent's own model when omitted."
    )


TeamMode = Literal["coordinate", "route", "broadcast", "tasks"]


class Team(_RunnerOptions):
    """A team: a leader model and members (agents or teams)."""

    mode: TeamMode = Field("coordinate", description="How the leader works with its members.")
    members: list[Name] = Field(min_length=1, description="Names of agents or teams.")
    max_iterations: PositiveInt = Field(10, description="Most leader turns in tasks mode.")
