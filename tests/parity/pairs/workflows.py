"""Workflow pairs: sequential and function steps, every block, early stops, failures,
human-in-the-loop, session state, streaming, nested workflows.

Where a spec uses an expression (`if:`, `select:`, `until:`), the agno side
states the same test as a Python callable; where the spec names a Python
evaluator (`{function: ...}`), both sides use that very function.
"""

from __future__ import annotations

from typing import Any

from agno.agent import Agent
from agno.workflow import Condition, Loop, Parallel, Router, Step, Steps, Workflow
from agno.workflow.types import HumanReview, OnError, UserInputField

from ..harness import Models, Turn, pair


def _agents(models: Models, *names: str) -> dict[str, Agent]:
    return {name: Agent(name=name, model=models["fake"]) for name in names}


def _fn(models: Models, name: str, function: str, **options: Any) -> Step:
    return Step(name=name, executor=models.function(f"parity_steps:{function}"), **options)


# --- sequential and function steps ---------------------------------------------------------------


@pair("tea")
def workflow_two_steps(models: Models) -> Workflow:
    a = _agents(models, "researcher", "writer")
    return Workflow(
        name="brief",
        steps=[Step(name="research", agent=a["researcher"]), Step(name="write", agent=a["writer"])],
    )


@pair("green tea")
def workflow_function_accessors(models: Models) -> Workflow:
    a = _agents(models, "researcher")
    return Workflow(
        name="inspect",
        steps=[
            Step(name="research", agent=a["researcher"]),
            _fn(models, "accessors", "accessors"),
            _fn(models, "wrap", "wrap"),
        ],
    )


@pair("three small words")
def workflow_function_values(models: Models) -> Workflow:
    return Workflow(
        name="values",
        steps=[
            _fn(models, "count", "count_words"),
            _fn(models, "structured", "structured"),
            _fn(models, "shout", "async_shout"),
        ],
    )


@pair("quiet please")
def workflow_function_first(models: Models) -> Workflow:
    a = _agents(models, "writer")
    return Workflow(
        name="shouting",
        steps=[_fn(models, "shout", "shout"), Step(name="write", agent=a["writer"])],
    )


@pair("one two three")
def workflow_function_stream(models: Models) -> Workflow:
    return Workflow(
        name="streaming",
        steps=[
            _fn(models, "words", "stream_words"),
            _fn(models, "loud", "astream_words"),
            _fn(models, "final", "stream_then_output"),
            _fn(models, "progress", "with_progress"),
        ],
    )


@pair("roses")
def workflow_streamed_agent(models: Models) -> Workflow:
    a = _agents(models, "writer")
    return Workflow(
        name="poem", steps=[Step(name="write", agent=a["writer"]), _fn(models, "shout", "shout")]
    )


# --- parallel ------------------------------------------------------------------------------------


def _views(models: Models) -> Parallel:
    a = _agents(models, "optimist", "pessimist")
    return Parallel(
        Step(name="pros", agent=a["optimist"]),
        Step(name="cons", agent=a["pessimist"]),
        name="views",
    )


@pair("tea")
def workflow_parallel(models: Models) -> Workflow:
    return Workflow(name="debate", steps=[_views(models)])


@pair("tea")
def workflow_after_parallel(models: Models) -> Workflow:
    judge = Agent(name="judge", model=models["fake"])
    return Workflow(name="debate", steps=[_views(models), Step(name="verdict", agent=judge)])


@pair("tea")
def workflow_parallel_lookup(models: Models) -> Workflow:
    return Workflow(name="debate", steps=[_views(models), _fn(models, "lookup", "nested_lookup")])


# --- condition -----------------------------------------------------------------------------------


def _support(models: Models) -> Workflow:
    a = _agents(models, "triage", "helper", "closer")
    return Workflow(
        name="support",
        steps=[
            Condition(
                name="urgent",
                evaluator=lambda step_input: "urgent" in step_input.input,
                steps=[Step(name="escalate", agent=a["triage"]), _fn(models, "notify", "shout")],
                else_steps=[Step(name="calm", agent=a["helper"])],
            ),
            Step(name="close", agent=a["closer"]),
        ],
    )


@pair("urgent: printer on fire")
def workflow_condition_then(models: Models) -> Workflow:
    return _support(models)


@pair("printer is slow")
def workflow_condition_else(models: Models) -> Workflow:
    return _support(models)


@pair("printer is slow")
def workflow_condition_skipped(models: Models) -> Workflow:
    a = _agents(models, "triage", "closer")
    return Workflow(
        name="support",
        steps=[
            Condition(
                name="urgent",
                evaluator=lambda step_input: "urgent" in step_input.input,
                steps=[Step(name="escalate", agent=a["triage"])],
            ),
            Step(name="close", agent=a["closer"]),
        ],
    )


@pair("urgent tea")
def workflow_condition_python(models: Models) -> Workflow:
    a = _agents(models, "writer", "editor", "triage")
    return Workflow(
        name="edit",
        steps=[
            Condition(
                name="urgent",
                evaluator=models.function("parity_steps:is_urgent"),
                steps=[Step(name="escalate", agent=a["triage"])],
            ),
            Step(name="write", agent=a["writer"]),
            Condition(
                name="too_long",
                evaluator=models.function("parity_steps:is_long"),
                steps=[Step(name="trim", agent=a["editor"])],
            ),
        ],
    )


# --- loop ----------------------------------------------------------------------------------------


@pair("essay")
def workflow_loop_max(models: Models) -> Workflow:
    a = _agents(models, "critic")
    return Workflow(
        name="polish",
        steps=[
            Loop(
                name="review",
                max_iterations=2,
                steps=[
                    Step(name="critique", agent=a["critic"]),
                    _fn(models, "mark", "count_iteration"),
                ],
            )
        ],
    )


@pair("essay")
def workflow_loop_until(models: Models) -> Workflow:
    a = _agents(models, "critic", "publisher")
    return Workflow(
        name="polish",
        steps=[
            Loop(
                name="review",
                max_iterations=5,
                end_condition=lambda outputs: "APPROVED" in str(outputs[-1].content),
                steps=[Step(name="critique", agent=a["critic"])],
            ),
            Step(name="publish", agent=a["publisher"]),
        ],
    )


@pair("essay")
def workflow_loop_python(models: Models) -> Workflow:
    a = _agents(models, "critic")
    return Workflow(
        name="polish",
        steps=[
            Loop(
                name="review",
                max_iterations=4,
                end_condition=models.function("parity_steps:approved"),
                steps=[Step(name="critique", agent=a["critic"])],
            )
        ],
    )


@pair("seed")
def workflow_loop_forward(models: Models) -> Workflow:
    return Workflow(
        name="grow",
        steps=[
            Loop(
                name="grow",
                max_iterations=3,
                forward_iteration_output=True,
                steps=[_fn(models, "add", "count_iteration")],
            )
        ],
    )


# --- router --------------------------------------------------------------------------------------


def _routes(models: Models) -> tuple[Step, Step]:
    a = _agents(models, "techie", "generalist")
    return Step(name="tech", agent=a["techie"]), Step(name="general", agent=a["generalist"])


@pair("code review tips")
def workflow_router_one(models: Models) -> Workflow:
    tech, general = _routes(models)
    return Workflow(
        name="blog",
        steps=[
            Router(
                name="route",
                selector=lambda step_input: [tech] if "code" in step_input.input else [general],
                choices=[tech, general],
            )
        ],
    )


@pair("anything")
def workflow_router_several(models: Models) -> Workflow:
    tech, general = _routes(models)
    return Workflow(
        name="blog",
        steps=[
            Router(
                name="route", selector=lambda step_input: [tech, general], choices=[tech, general]
            ),
            _fn(models, "after", "shout"),
        ],
    )


@pair("garden news")
def workflow_router_python(models: Models) -> Workflow:
    tech, general = _routes(models)
    return Workflow(
        name="blog",
        steps=[
            Router(
                name="route",
                selector=models.function("parity_steps:pick_route"),
                choices=[tech, general],
            )
        ],
    )


# --- early stop ----------------------------------------------------------------------------------


@pair("topic")
def workflow_stop_top(models: Models) -> Workflow:
    a = _agents(models, "writer")
    return Workflow(
        name="halt",
        steps=[
            Step(name="draft", agent=a["writer"]),
            _fn(models, "check", "stop_here"),
            Step(name="never", agent=a["writer"]),
        ],
    )


@pair("topic")
def workflow_stop_in_loop(models: Models) -> Workflow:
    a = _agents(models, "writer")
    return Workflow(
        name="halt",
        steps=[
            Loop(
                name="repeat",
                max_iterations=4,
                steps=[
                    _fn(models, "gate", "stop_on_second"),
                    Step(name="draft", agent=a["writer"]),
                ],
            ),
            Step(name="never", agent=a["writer"]),
        ],
    )


@pair("topic")
def workflow_stop_in_parallel(models: Models) -> Workflow:
    a = _agents(models, "writer")
    return Workflow(
        name="halt",
        steps=[
            Parallel(
                _fn(models, "gate", "stop_here_async"),
                Step(name="draft", agent=a["writer"]),
                name="both",
            ),
            Step(name="never", agent=a["writer"]),
        ],
    )


# --- Steps container and nested workflows --------------------------------------------------------


@pair("tea")
def workflow_steps_container(models: Models) -> Workflow:
    a = _agents(models, "researcher", "writer")
    return Workflow(
        name="article",
        steps=[
            Steps(
                name="pipeline",
                steps=[
                    Step(name="research", agent=a["researcher"]),
                    Step(name="write", agent=a["writer"]),
                ],
            ),
            _fn(models, "wrap", "wrap"),
        ],
    )


@pair("tea")
def workflow_nested(models: Models) -> Workflow:
    a = _agents(models, "researcher", "writer")
    inner = Workflow(
        name="inner",
        steps=[Step(name="research", agent=a["researcher"]), _fn(models, "shout", "shout")],
    )
    return Workflow(
        name="outer",
        steps=[Step(name="inner_run", workflow=inner), Step(name="write", agent=a["writer"])],
    )


# --- failures ------------------------------------------------------------------------------------


@pair("tea")
def workflow_step_fails(models: Models) -> Workflow:
    a = _agents(models, "writer")
    return Workflow(
        name="fragile",
        steps=[_fn(models, "broken", "always_fails"), Step(name="after", agent=a["writer"])],
    )


@pair("tea")
def workflow_step_fails_run(models: Models) -> Workflow:
    a = _agents(models, "writer")
    return Workflow(
        name="fragile",
        steps=[
            Step(name="before", agent=a["writer"]),
            _fn(
                models,
                "broken",
                "always_fails",
                max_retries=1,
                human_review=HumanReview(on_error=OnError.fail),
            ),
            Step(name="never", agent=a["writer"]),
        ],
    )


@pair("tea")
def workflow_step_skip_on_failure(models: Models) -> Workflow:
    a = _agents(models, "writer")
    return Workflow(
        name="fragile",
        steps=[
            _fn(models, "broken", "always_fails", skip_on_failure=True, max_retries=1),
            Step(name="after", agent=a["writer"]),
        ],
    )


@pair("tea")
def workflow_step_retry(models: Models) -> Workflow:
    return Workflow(
        name="flaky", steps=[_fn(models, "flaky", "fails_twice"), _fn(models, "shout", "shout")]
    )


@pair("tea")
def workflow_step_reports_failure(models: Models) -> Workflow:
    return Workflow(
        name="reporting",
        steps=[_fn(models, "report", "reports_failure"), _fn(models, "shout", "shout")],
    )


@pair("tea")
def workflow_agent_fails(models: Models) -> Workflow:
    a = _agents(models, "writer")
    return Workflow(
        name="fragile", steps=[Step(name="write", agent=a["writer"]), _fn(models, "shout", "shout")]
    )


# --- human in the loop ---------------------------------------------------------------------------


def _release(models: Models) -> Workflow:
    a = _agents(models, "writer", "publisher")
    return Workflow(
        name="release",
        steps=[
            Step(name="draft", agent=a["writer"]),
            Step(
                name="publish",
                agent=a["publisher"],
                human_review=HumanReview(
                    requires_confirmation=True, confirmation_message="Publish it?"
                ),
            ),
        ],
    )


@pair(turns=(Turn(input="v2"), Turn(approve=True)))
def workflow_confirm_approve(models: Models) -> Workflow:
    return _release(models)


@pair(turns=(Turn(input="v2"), Turn(approve=False)))
def workflow_confirm_reject(models: Models) -> Workflow:
    return _release(models)


@pair(turns=(Turn(input="v2 notes"), Turn(values={"audience": "developers"})))
def workflow_user_input(models: Models) -> Workflow:
    a = _agents(models, "writer")
    return Workflow(
        name="blurb",
        steps=[
            Step(
                name="blurb",
                agent=a["writer"],
                human_review=HumanReview(
                    requires_user_input=True,
                    user_input_schema=[UserInputField(name="audience", field_type="str")],
                ),
            )
        ],
    )


# --- session state -------------------------------------------------------------------------------


@pair("first", "second", session_id="visits-session")
def workflow_session_state(models: Models) -> Workflow:
    return Workflow(
        name="visits",
        session_state={"visits": 0},
        steps=[
            _fn(models, "visit", "count_visit"),
            _fn(models, "again", "count_visit"),
            _fn(models, "read", "read_state"),
        ],
    )


# --- blocks inside blocks -------------------------------------------------------------------------


@pair("tea")
def workflow_loop_parallel(models: Models) -> Workflow:
    a = _agents(models, "optimist", "pessimist", "judge")
    return Workflow(
        name="rounds",
        steps=[
            Loop(
                name="rounds",
                max_iterations=2,
                steps=[
                    Parallel(
                        Step(name="pros", agent=a["optimist"]),
                        Step(name="cons", agent=a["pessimist"]),
                        name="views",
                    ),
                    Condition(
                        name="judged",
                        evaluator=models.function("parity_steps:is_long"),
                        steps=[Step(name="judge", agent=a["judge"])],
                        else_steps=[
                            Steps(
                                name="both",
                                steps=[
                                    _fn(models, "shout", "shout"),
                                    Step(name="judge_anyway", agent=a["judge"]),
                                ],
                            )
                        ],
                    ),
                ],
            ),
            _fn(models, "wrap", "wrap"),
        ],
    )


@pair("code tips", "garden news")
def workflow_router_sequence(models: Models) -> Workflow:
    a = _agents(models, "researcher", "writer", "generalist")
    tech = Steps(
        name="tech",
        steps=[Step(name="research", agent=a["researcher"]), Step(name="write", agent=a["writer"])],
    )
    general = Step(name="general", agent=a["generalist"])
    return Workflow(
        name="blog",
        steps=[
            Router(
                name="route",
                selector=models.function("parity_steps:pick_route"),
                choices=[tech, general],
            ),
            _fn(models, "after", "shout"),
        ],
    )


@pair("tea")
def workflow_parallel_sequence(models: Models) -> Workflow:
    a = _agents(models, "researcher", "writer", "critic")
    return Workflow(
        name="both",
        steps=[
            Parallel(
                Step(name="critique", agent=a["critic"]),
                Steps(
                    name="pipeline",
                    steps=[
                        Step(name="research", agent=a["researcher"]),
                        Step(name="write", agent=a["writer"]),
                    ],
                ),
                name="work",
            ),
            _fn(models, "merge", "nested_lookup2"),
        ],
    )
