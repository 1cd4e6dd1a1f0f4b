"""Workflow steps: the leaf kinds (agent, team, function, workflow) and the
blocks (parallel, condition, loop, router, foreach).

A step's kind is the one kind key present in its mapping. Leaf steps carry
their options next to the kind key (`{name: a, agent: x, retries: 2}`); a
block is a mapping with a single key whose value holds the block and its
options (`{parallel: {name: p, steps: [...]}}`).
"""

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, PlainValidator, PositiveInt, Tag, WithJsonSchema
from pydantic_core import PydanticCustomError

from .base import (
    NAMED_KEYS,
    Duration,
    ImportPath,
    JsonValue,
    Name,
    NonNegativeIntField,
    SpecModel,
    suggest,
)

LEAF_KINDS = ("agent", "team", "function", "workflow")
BLOCK_KINDS = ("parallel", "condition", "loop", "router", "foreach", "steps")
STEP_KINDS = LEAF_KINDS + BLOCK_KINDS


class StepOptions(SpecModel):
    """Options any step or block accepts."""

    name: Name | None = Field(
        None, description="Step name, used as steps.NAME; defaults to what it runs."
    )
    needs: list[Name] | None = Field(
        None, description="graph: only. Nodes that must finish before this one starts."
    )
    retries: NonNegativeIntField | None = Field(
        None, description="Retries after a failure (agno's max_retries; default 3)."
    )
    retry_delay: Duration | None = Field(
        None, description="First delay between retries; doubles each time (default 0: agno)."
    )
    timeout: Duration | None = Field(None, description="Timeout of one attempt.")
    on_error: Literal["fail", "skip", "continue"] | None = Field(
        None,
        description="After the retries: skip (default, agno) records the failure and goes on; "
        "fail fails the run; continue is skip's older name.",
    )
    skip_on_failure: bool | None = Field(
        None,
        description="agno's skip_on_failure: the step reports 'Step NAME failed but skipped' "
        "as its own output and the run goes on.",
    )
    confirm: str | None = Field(
        None, description="Question a human must approve before the step runs."
    )
    input_required: dict[str, Any] | None = Field(
        None, description="JSON Schema of input a human provides before the step runs."
    )
    stop_if: str | None = Field(
        None, description="Expression evaluated after the step; true ends the workflow."
    )


class _LeafStep(StepOptions):
    input: JsonValue = Field(
        None, description="Input template; defaults to the previous step's output."
    )


class AgentStep(_LeafStep):
    """Run an agent."""

    agent: Name = Field(description="Name of the agent.")


class TeamStep(_LeafStep):
    """Run a team."""

    team: Name = Field(description="Name of the team.")


class FunctionStep(_LeafStep):
    """Call a Python function with a StepInput."""

    function: ImportPath = Field(
        description="'module:callable', resolved next to the spec first, then on sys.path."
    )


class WorkflowStep(_LeafStep):
    """Run another workflow of the same spec."""

    workflow: Name = Field(description="Name of the workflow.")


class PythonEvaluator(SpecModel):
    """A Python callable in place of an expression (agno's callable evaluator,
    selector or end condition), called with what agno passes it."""

    function: ImportPath = Field(
        description="'module:callable', resolved next to the spec first, then on sys.path."
    )


Decision = str | PythonEvaluator


class ParallelBlock(StepOptions):
    steps: "list[Step]" = Field(min_length=1, description="Branches, all run at once.")


class ConditionBlock(StepOptions):
    if_: Decision = Field(
        alias="if",
        description="Expression choosing the branch, or {function: 'mod:fn'} called with a "
        "StepInput (agno's evaluator).",
    )
    then: "list[Step]" = Field(min_length=1, description="Steps run when true.")
    else_: "list[Step] | None" = Field(None, alias="else", description="Steps run when false.")


class LoopBlock(StepOptions):
    steps: "list[Step]" = Field(min_length=1, description="Steps of one iteration.")
    until: Decision | None = Field(
        None,
        description="Expression checked after each iteration; true ends the loop. Or "
        "{function: 'mod:fn'} called with the iteration's step outputs (agno's end_condition).",
    )
    max_iterations: PositiveInt = Field(3, description="Most iterations (agno's default: 3).")
    forward_iteration_output: bool = Field(
        False,
        description="Each iteration after the first starts from the previous one's output "
        "(agno); default: every iteration starts from the loop's own input.",
    )


class RouterBlock(StepOptions):
    select: Decision = Field(
        description="Expression returning a route name or a list of names, or "
        "{function: 'mod:fn'} called with a StepInput (agno's selector)."
    )
    routes: "dict[Name, list[Step]]" = Field(
        min_length=1, description="Route name → steps.", json_schema_extra=NAMED_KEYS
    )


class ForeachBlock(StepOptions):
    items: str = Field(description="Expression returning a list.")
    as_: Name = Field("item", alias="as", description="Name of the current item.")
    max_concurrency: PositiveInt | None = Field(None, description="Most items at once.")
    step: "Step" = Field(description="Step run once per item.")


class StepsBlock(StepOptions):
    steps: "list[Step]" = Field(min_length=1, description="Steps run in order, as one step.")


class StepsStep(SpecModel):
    steps: StepsBlock = Field(description="A named sequence of steps (agno's Steps).")


class ParallelStep(SpecModel):
    parallel: ParallelBlock = Field(description="Run branches concurrently.")


class ConditionStep(SpecModel):
    condition: ConditionBlock = Field(description="Run then: or else: steps.")


class LoopStep(SpecModel):
    loop: LoopBlock = Field(description="Repeat steps until a condition holds.")


class RouterStep(SpecModel):
    router: RouterBlock = Field(description="Run the selected route(s).")


class ForeachStep(SpecModel):
    foreach: ForeachBlock = Field(description="Run a step for every item of a list.")


def step_kind(value: Any) -> str:
    """The kind of a step mapping or model; 'invalid' when it has none or several."""
    if isinstance(value, dict):
        found = [kind for kind in STEP_KINDS if kind in value]
        return found[0] if len(found) == 1 else "invalid"
    fields = getattr(type(value), "model_fields", {})
    for kind in STEP_KINDS:
        if kind in fields:
            return kind
    return "invalid"


def misspelled_kind(value: Any) -> tuple[str, str] | None:
    """(key, kind) when a step mapping without a kind has a key that looks like one."""
    if not isinstance(value, dict):
        return None
    option_keys = set(StepOptions.known_keys()) | {"input"}
    for key in value:
        if isinstance(key, str) and key not in option_keys:
            guess = suggest(key, STEP_KINDS)
            if guess:
                return key, guess
    return None


def _step_tag(value: Any) -> str:
    # Tags show up in error locations; the prefix keeps them apart from real keys.
    return "step:" + step_kind(value)


def _reject_step(value: Any) -> Any:
    if not isinstance(value, dict):
        raise PydanticCustomError(
            "step_type", "a step must be a mapping such as {name: x, agent: researcher}"
        )
    found = [kind for kind in STEP_KINDS if kind in value]
    if found:
        raise PydanticCustomError(
            "step_kind",
            "a step has exactly one kind, this one has {kinds}; split it into separate steps",
            {"kinds": " and ".join(found)},
        )
    typo = misspelled_kind(value)
    if typo is not None:
        raise PydanticCustomError(
            "step_kind_typo",
            "unknown key '{key}'; did you mean '{kind}'? (a step needs one of: {kinds})",
            {"key": typo[0], "kind": typo[1], "kinds": ", ".join(STEP_KINDS)},
        )
    raise PydanticCustomError(
        "step_kind", "a step needs one of the keys: {kinds}", {"kinds": ", ".join(STEP_KINDS)}
    )


InvalidStep = Annotated[Any, PlainValidator(_reject_step), WithJsonSchema({"not": {}})]

Step = Annotated[
    Annotated[AgentStep, Tag("step:agent")]
    | Annotated[TeamStep, Tag("step:team")]
    | Annotated[FunctionStep, Tag("step:function")]
    | Annotated[WorkflowStep, Tag("step:workflow")]
    | Annotated[ParallelStep, Tag("step:parallel")]
    | Annotated[ConditionStep, Tag("step:condition")]
    | Annotated[LoopStep, Tag("step:loop")]
    | Annotated[RouterStep, Tag("step:router")]
    | Annotated[ForeachStep, Tag("step:foreach")]
    | Annotated[StepsStep, Tag("step:steps")]
    | Annotated[InvalidStep, Tag("step:invalid")],
    Discriminator(_step_tag),
]

LeafStep = AgentStep | TeamStep | FunctionStep | WorkflowStep
Block = ParallelBlock | ConditionBlock | LoopBlock | RouterBlock | ForeachBlock | StepsBlock
BlockStep = ParallelStep | ConditionStep | LoopStep | RouterStep | ForeachStep | StepsStep


def block_of(step: Any) -> Block | None:
    """The block inside a block step, or None for a leaf step."""
    # A model's fields live in its __dict__; getattr on a missing one goes through
    # pydantic's slow __getattr__, which made checking big specs crawl.
    fields = getattr(step, "__dict__", None)
    for kind in BLOCK_KINDS:
        block = fields.get(kind) if fields is not None else getattr(step, kind, None)
        if block is not None and not isinstance(block, str):
            return block  # type: ignore[no-any-return]
    return None


def options_of(step: Any) -> StepOptions:
    """Where a step's options live: the step itself, or its block."""
    block = block_of(step)
    return block if block is not None else step  # type: ignore[no-any-return]
