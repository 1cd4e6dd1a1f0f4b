"""interpreter/blocks.py: condition, loop, router, foreach, early stop, nested workflows."""

from __future__ import annotations

from pathlib import Path

import agno_dsl
import pytest

HEAD = (
    "version: 1\nmodels:\n  mirror: {provider: echo}\nagents:\n  echo: {model: mirror}\n"
    "workflows:\n  w:\n"
)


def run(tmp_path: Path, body: str, value=None, names: list[str] | None = None):
    path = tmp_path / "spec.yaml"
    path.write_text(HEAD + body.replace("H:", "tests.interpreter.engine.helpers:"))
    events: list = []
    output = agno_dsl.run(path, value, on_event=events.append)
    if names is not None:
        names.extend(f"{e.event}:{e.step_name}" for e in events)
    return output


def test_condition_false_without_else_skips_like_agno(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        HEAD
        + """    steps:
      - condition:
          name: check
          if: "input == 'go'"
          then: [{name: inner, agent: echo}]
"""
    )
    # agno's two paths differ here: without events the condition leaves a result...
    quiet = agno_dsl.run(path, "stop")
    assert quiet.content == "Condition check not met - skipped 1 steps"
    assert [s.step_name for s in quiet.step_results] == ["check"]
    # ...and while streaming it leaves none.
    streamed = run(tmp_path, path.read_text()[len(HEAD) :], "stop")
    assert (streamed.content, streamed.step_results) == ("No steps executed", [])


def test_condition_branches(tmp_path: Path) -> None:
    body = """    steps:
      - condition:
          name: check
          if: "input | length > 3"
          then: [{name: long, agent: echo, input: "long {{ input }}"}]
          else: [{name: short, agent: echo, input: "short {{ input }}"}]
      - {name: after, agent: echo, input: "after {{ previous.output }}"}
"""
    assert run(tmp_path, body, "abcdef").content == "after long abcdef"
    assert run(tmp_path, body, "ab").content == "after short ab"


def test_loop_until_and_max_iterations(tmp_path: Path) -> None:
    names: list[str] = []
    output = run(
        tmp_path,
        """    steps:
      - loop:
          name: l
          max_iterations: 5
          until: "'3' in previous.output"
          steps: [{name: body, agent: echo, input: "round {{ loop.iteration }}"}]
""",
        names=names,
    )
    assert output.content == "round 3"
    assert names.count("LoopIterationStarted:l") == 3
    output = run(
        tmp_path,
        """    steps:
      - loop:
          name: l
          max_iterations: 2
          until: "false"
          steps: [{name: body, agent: echo, input: "round {{ loop.iteration }}"}]
""",
    )
    assert output.status == "completed" and output.content == "round 2"


def test_router_runs_selected_routes_in_order(tmp_path: Path) -> None:
    output = run(
        tmp_path,
        """    steps:
      - router:
          name: r
          select: "['b', 'a']"
          routes:
            a: [{name: ra, agent: echo, input: "a after {{ previous.output }}"}]
            b: [{name: rb, agent: echo, input: "b"}]
""",
    )
    assert output.content == "a after b"


def test_router_unknown_route_is_a_clear_error(tmp_path: Path) -> None:
    output = run(
        tmp_path,
        """    steps:
      - router:
          name: r
          select: "'c'"
          routes: {a: [{agent: echo}], b: [{name: e2, agent: echo}]}
""",
    )
    assert output.status == "failed"
    assert output.error.endswith("router 'r' selected unknown route 'c'; routes: a, b")
    assert "spec.yaml:9:9" in output.error


def test_foreach_keeps_item_order_whatever_finishes_first(tmp_path: Path) -> None:
    output = run(
        tmp_path,
        """    steps:
      - foreach:
          name: each
          items: "[9, 1, 5, 3]"
          step: {name: wait, function: "H:delayed", input: "{{ item }}"}
""",
    )
    assert output.content == ["9", "1", "5", "3"]  # function values become text (agno)


def test_foreach_empty_and_not_a_list(tmp_path: Path) -> None:
    body = """    steps:
      - foreach:
          name: each
          items: "{items}"
          as: x
          step: {{name: s, agent: echo, input: "{{{{ x }}}}"}}
"""
    assert run(tmp_path, body.format(items="[]")).content == []
    failed = run(tmp_path, body.format(items="'abc'"))
    assert failed.status == "failed"
    assert failed.error.endswith("foreach 'each': items must be a list, got str")


def test_stop_if_ends_the_workflow(tmp_path: Path) -> None:
    names: list[str] = []
    output = run(
        tmp_path,
        """    steps:
      - {name: first, agent: echo, stop_if: "'halt' in output"}
      - {name: second, agent: echo, input: never}
""",
        "please halt",
        names,
    )
    assert output.status == "completed" and output.content == "please halt"
    assert "StepStarted:second" not in names


def test_stop_inside_parallel_lets_siblings_finish(tmp_path: Path) -> None:
    names: list[str] = []
    output = run(
        tmp_path,
        """    steps:
      - parallel:
          name: p
          steps:
            - {name: stopper, function: "H:stop_here"}
            - {name: other, function: "H:delayed", input: "5"}
      - {name: after, agent: echo}
""",
        names=names,
    )
    assert [s.content for s in output.step_results[0].steps] == ["stopping", "5"]
    assert output.step_results[0].stop
    assert "StepCompleted:other" in names and "StepStarted:after" not in names


def test_a_stop_before_siblings_started_still_lets_them_run(tmp_path: Path) -> None:
    # The first branch finishes inside its task's first step, before the
    # second branch's task has run at all: the block's branches all run anyway.
    names: list[str] = []
    output = run(
        tmp_path,
        """    steps:
      - parallel:
          name: p
          steps:
            - {name: stopper, function: "H:stop_at_once"}
            - {name: other, function: "H:delayed", input: "1"}
      - {name: after, agent: echo}
""",
        names=names,
    )
    assert [s.content for s in output.step_results[0].steps] == ["stopping", "1"]
    assert "StepCompleted:other" in names and "StepStarted:after" not in names


def test_stop_inside_loop(tmp_path: Path) -> None:
    names: list[str] = []
    run(
        tmp_path,
        """    steps:
      - loop:
          name: l
          max_iterations: 5
          steps:
            - {name: body, agent: echo, input: "{{ loop.iteration }}", stop_if: "output == '2'"}
""",
        names=names,
    )
    assert names.count("LoopIterationStarted:l") == 2


def test_nested_workflow(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("""version: 1
models: {mirror: {provider: echo}}
agents: {echo: {model: mirror}}
workflows:
  outer:
    steps:
      - {name: pre, agent: echo, input: "pre {{ input }}"}
      - {name: sub, workflow: inner}
      - {name: post, agent: echo, input: "post {{ steps.sub.output }}"}
  inner:
    steps:
      - {name: twice, agent: echo, input: "{{ input }} {{ input }}"}
""")
    assert agno_dsl.run(path, "x", workflow="outer").content == "post pre x pre x"


def test_python_evaluators_and_the_steps_block(tmp_path: Path) -> None:
    (tmp_path / "checks.py").write_text(
        "def is_long(step_input):\n"
        "    return len(str(step_input.input)) > 3\n"
        "def route(step_input, run_context):\n"
        "    run_context.session_state['routed'] = True\n"
        "    return ['a', 'b']\n"
        "def one_block(outputs):\n"
        "    return [o.step_type for o in outputs] == ['Steps']\n"
    )
    body = """    steps:
      - condition:
          name: c
          if: {function: "checks:is_long"}
          then: [{name: long, agent: echo, input: "long"}]
          else: [{name: short, agent: echo, input: "short"}]
      - router:
          name: r
          select: {function: "checks:route"}
          routes:
            a: [{name: ra, agent: echo, input: "A"}]
            b:
              - {name: rb1, agent: echo, input: "B1"}
              - {name: rb2, agent: echo, input: "B2"}
      - loop:
          name: l
          max_iterations: 5
          until: {function: "checks:one_block"}
          steps:
            - steps:
                name: pair
                steps:
                  - {name: x, agent: echo, input: "x"}
                  - {name: y, agent: echo, input: "y"}
      - name: after
        agent: echo
        input: "{{ steps.c.output }} {{ steps.r.output }} {{ state.routed }}"
"""
    names: list[str] = []
    output = run(tmp_path, body, "abcdef", names)
    assert output.status == "completed", output.error
    assert output.content == "long B2 True"
    router = output.step_results[1]
    assert [s.step_name for s in router.steps] == ["ra", "b"]  # a route of two steps is a Steps
    assert router.steps[1].step_type == "Steps"
    loop = output.step_results[2]
    assert names.count("LoopIterationStarted:l") == 1  # the end condition saw the Steps result
    assert [s.step_name for s in loop.steps] == ["pair"]
    assert "StepsExecutionStarted:pair" in names


def test_a_python_evaluator_that_does_not_import_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        HEAD
        + """    steps:
      - condition:
          if: {function: "nowhere:check"}
          then: [{name: inner, agent: echo}]
"""
    )
    with pytest.raises(agno_dsl.SpecError) as caught:
        agno_dsl.run(path, "x")
    message = str(caught.value)
    assert f"{path}:10:26:" in message and "evaluator 'nowhere:check': no module" in message
