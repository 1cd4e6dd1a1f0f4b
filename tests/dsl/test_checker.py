"""dsl/checker.py: reference rules that the corpus does not pin down alone."""

from __future__ import annotations

import pytest
from agno_dsl.errors import SpecError
from agno_dsl.loader import load_document

HEAD = "version: 1\nmodels: {m: {provider: echo}}\nagents: {w: {model: m}}\nworkflows:\n  f:\n"


def test_graph_dependencies_from_needs_and_templates(write_spec) -> None:
    document = load_document(
        write_spec(
            HEAD
            + """    graph:
      a: {agent: w}
      b:
        parallel:
          steps: [{name: inner, agent: w, input: "{{ steps.a.output }}"}]
      c: {agent: w, input: "{{ steps.inner.output }}", needs: [a]}
"""
        )
    )
    # Reading a step inside a block makes the whole block node a dependency.
    assert document.outlines["f"].dependencies == {"a": set(), "b": {"a"}, "c": {"a", "b"}}


def test_steps_after_a_block_may_read_its_inner_steps(write_spec) -> None:
    load_document(
        write_spec(
            HEAD
            + """    steps:
      - condition:
          if: "true"
          then: [{name: maybe, agent: w}]
      - {name: after, agent: w, input: "{{ steps.maybe.output }}"}
"""
        )
    )


def test_loop_until_may_read_the_body_and_loop_variable(write_spec) -> None:
    load_document(
        write_spec(
            HEAD
            + """    steps:
      - loop:
          until: "loop.iteration > 2 or 'ok' in steps.body.output"
          steps: [{name: body, agent: w}]
"""
        )
    )


def test_loop_variable_is_unknown_outside_a_loop(write_spec) -> None:
    with pytest.raises(SpecError, match="unknown name 'loop'"):
        load_document(
            write_spec(HEAD + '    steps:\n      - {agent: w, input: "{{ loop.iteration }}"}\n')
        )


def test_stop_if_sees_output_and_foreach_sees_its_name(write_spec) -> None:
    load_document(
        write_spec(
            HEAD
            + """    steps:
      - foreach:
          items: "[1, 2]"
          as: n
          step: {name: each, agent: w, input: "{{ n }}", stop_if: "output == '2'"}
"""
        )
    )
