"""Agents and teams."""

from typing import Any, Literal

from pydantic import Field, NonNegativeInt, PositiveInt

from .base import Duration, ImportPath, Name, SpecModel

Instructions = str | list[str]


class _RunnerOptions(SpecModel):
    name: str | None = Field(
        None,
        description="Display name (agno's `name`): events, outputs and a team's roster; "
        "defaults to the key. As a member its id is this name made URL-safe (agno).",
    )
    role: str | None = Field(
        None, description="Its role: shown to a team leader in the roster, and as <your_role>."
    )
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
    max_iterations: PositiveInt = Field(
        10, description="tasks mode: most rounds of the leader's task loop (agno)."
    )
    respond_directly: bool = Field(
        False,
        description="The member's answer is the team's answer (agno; `mode: route` sets it).",
    )
    determine_input_for_members: bool = Field(
        True,
        description="Members get the task the leader writes; false: the user's input verbatim.",
    )
    share_member_interactions: bool = Field(
        False,
        description="Each member also sees what earlier members of this run were asked and said.",
    )
    add_team_history_to_members: bool = Field(
        False, description="Members also see the team's previous runs of the session."
    )
    num_team_history_runs: PositiveInt = Field(
        3, description="How many previous team runs add_team_history_to_members shows."
    )
    add_member_tools_to_context: bool = Field(
        False, description="List each member's tools in the leader's roster."
    )
    stream_member_events: bool = Field(
        True, description="Forward the members' own events into the team's event stream."
    )
