"""dsl/sandbox.py: templates cannot take the machine's memory or time, nor change what they read.

The time bounds below only guard against hangs (a broken budget runs for
minutes or exhausts memory); they are not benchmarks.
"""

from __future__ import annotations

import time

import agno_dsl
import pytest
from agno_dsl.errors import SpecError
from agno_dsl.interpreter.expressions import ExpressionError, step_deadline
from agno_dsl.loader import load_document
from agno_dsl.sandbox import MAX_OUTPUT
from agno_dsl.templates import TemplateCompiler

from tests.conftest import run_cli

HEAD = "version: 1\nmodels: {m: {provider: echo}}\nagents: {a: {model: m}}\n"


@pytest.fixture
def compiler() -> TemplateCompiler:
    return TemplateCompiler()


@pytest.mark.parametrize(
    ("template", "complaint"),
    [
        ("{{ 'x' * 10**9 }}", "repeating 1 items 1,000,000,000 times"),
        ("{{ (7 ** 90000000) % 10 }}", "7 ** 90000000 has more than 4,096 bits"),
        ("{{ [0] * 10**8 }}", "repeating 1 items 100,000,000 times"),
        ("{{ '%999999999d' % 1 }}", "a format width of 999999999"),
        ("{{ -(2 ** 100000) }}", "has more than 4,096 bits"),
    ],
)
def test_constant_bombs_are_refused_while_checking(
    template: str, complaint: str, write_spec
) -> None:
    step = f'      - {{agent: a, input: "{template}"}}\n'
    path = write_spec(HEAD + "workflows:\n  w:\n    steps:\n" + step)
    with pytest.raises(SpecError) as caught:
        load_document(path)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{path.name}:7:") or str(problem).startswith(str(path))
    assert "over the template limits" in str(problem) and complaint in str(problem)
    assert "\n" not in str(problem)


def test_a_huge_yaml_integer_is_a_located_error(write_spec) -> None:
    path = write_spec(HEAD + "defaults:\n  retries: " + "9" * 5000 + "\n")
    with pytest.raises(SpecError) as caught:
        load_document(path)
    (problem,) = caught.value.problems
    assert problem.location is not None and (problem.location.line, problem.location.col) == (5, 12)
    assert "integer of 5,000 digits is out of range" in str(problem)


def test_integers_stay_64_bit_and_yaml_1_2(write_spec) -> None:
    from agno_dsl.source import parse_yaml

    data, _ = parse_yaml("a: 9223372036854775807\nb: on\nc: 0x1F\nd: 1e3\ne: .inf\n", "f.yaml")
    assert data == {"a": 2**63 - 1, "b": "on", "c": 31, "d": 1000.0, "e": float("inf")}
    with pytest.raises(SpecError, match="f.yaml:1:4: integer 9223372036854775808 is out of range"):
        parse_yaml("a: 9223372036854775808\n", "f.yaml")


@pytest.mark.parametrize(
    ("template", "context", "complaint"),
    [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            {},
            "more than 1,000,000 operations",
        ),
        (
            "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
            {},
            "output longer than",
        ),
        ("{{ n * n }}", {"n": 10**1000}, "an integer of more than 4,096 bits"),
        ("{{ s * n }}", {"s": "ab", "n": 10**9}, "repeating 2 items"),
        ("{{ s.replace('', s) }}", {"s": "y" * 100_000}, "replace() would make"),
        ("{{ s | replace('', s) }}", {"s": "y" * 100_000}, "replace() would make"),
        ("{{ '{:>999999999}'.format(1) }}", {}, "a format width of 999999999"),
        ("{{ 'x'.center(n) }}", {"n": 10**9}, "center() width"),
        ("{{ 'x' | center(n) }}", {"n": 10**9}, "center width"),
        ("{{ 'x' | indent(n) }}", {"n": 10**9}, "indent width"),
        ("{{ x | join(s) }}", {"x": ["a"] * 100_000, "s": "-" * 1000}, "join() would make"),
        ("{{ lipsum(10**6) }}", {}, "lipsum"),
    ],
)
def test_runtime_budgets(
    compiler: TemplateCompiler, template: str, context: dict, complaint: str
) -> None:
    compiled = compiler.compile(template, "spec.yaml:3:9", expression=False)
    with pytest.raises(ExpressionError) as caught:
        compiled.evaluate(context)
    message = str(caught.value)
    assert message.startswith("spec.yaml:3:9: template ") and complaint in message
    assert "\n" not in message


def test_templates_cannot_change_what_they_read(compiler: TemplateCompiler) -> None:
    state = {"count": 1}
    data = {"items": [1]}
    for template in (
        "{{ state.update({'count': 2}) }}",
        "{{ state.pop('count') }}",
        "{{ state.setdefault('x', 1) }}",
        "{{ input['items'].append(2) }}",
        "{{ input.clear() }}",
    ):
        with pytest.raises(ExpressionError, match="unsafe"):
            compiler.compile(template, "f:1:1", expression=False).evaluate(
                {"state": state, "input": data}
            )
    assert state == {"count": 1} and data == {"items": [1]}


def test_evaluation_stops_at_the_steps_deadline(compiler: TemplateCompiler) -> None:
    # 900,000 iterations stay within the work budget; the step's deadline stops them first.
    template = compiler.compile(
        "{% for i in range(900) %}{% for j in range(1000) %}{% endfor %}{% endfor %}done",
        "f:1:1",
        expression=False,
    )
    token = step_deadline.set(time.monotonic() + 0.01)
    try:
        with pytest.raises(ExpressionError, match="still running at the step's timeout"):
            template.evaluate({})
    finally:
        step_deadline.reset(token)
    assert template.evaluate({}) == "done"  # without a deadline it finishes


def test_ordinary_templates_still_work(compiler: TemplateCompiler) -> None:
    cases = {
        "{{ 'ab' * 3 }}": "ababab",
        "{{ 2 ** 10 }}": 1024,
        "{{ '%05d' % 42 }}": "00042",
        "{{ x | join(', ') }}": "1, 2",
        "{% for i in range(3) %}{{ loop.index }}{% endfor %}": "123",
        "{{ 'a' ~ 'b' ~ n }}": "ab7",
        "{{ '{:>4}'.format(1) }}": "   1",
        "{{ 7 // 2 }} {{ 7 % 2 }} {{ 1 - 3 }} {{ 1 / 2 }}": "3 1 -2 0.5",
    }
    for source, expected in cases.items():
        compiled = compiler.compile(source, "f:1:1", expression=False)
        assert compiled.evaluate({"x": [1, 2], "n": 7}) == expected
    assert MAX_OUTPUT >= 1_000_000


def test_a_big_step_output_passes_through_a_template(compiler: TemplateCompiler) -> None:
    text = "y" * 2_000_000  # a large fetched document is ordinary data, not a bomb
    compiled = compiler.compile("Summarize: {{ doc }}", "f:1:1", expression=False)
    assert len(compiled.evaluate({"doc": text})) == 2_000_000 + len("Summarize: ")


def test_a_backtracking_match_pattern_fails_the_step_at_its_timeout(write_spec) -> None:
    path = write_spec(
        "version: 1\n"
        "models:\n"
        "  m:\n"
        "    provider: scripted\n"
        "    responses: [{match: '^(a|a)*$', content: never}, {content: fallback}]\n"
        "agents: {a: {model: m}}\n"
        "workflows:\n"
        "  w:\n"
        "    steps: [{name: s, agent: a, timeout: 200ms, retries: 0, on_error: fail}]\n"
    )
    output = agno_dsl.run(path, "a" * 5000 + "!")
    assert output.status == "failed"
    assert "did not finish" in str(output.error) and "^(a|a)*$" in str(output.error)


def test_validate_of_a_bomb_exits_1_with_one_line(write_spec) -> None:
    workflow = "workflows:\n  w:\n    output: \"{{ 'x' * 10**9 }}\"\n    steps: [{agent: a}]\n"
    path = write_spec(HEAD + workflow)
    result = run_cli(["validate", str(path)])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert ":6:13: invalid template: over the template limits" in line
