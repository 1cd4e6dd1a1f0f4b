"""dsl/templates.py: sandboxed compile once, native values, reference analysis."""

from __future__ import annotations

import pytest
from agno_dsl.interpreter.expressions import Constant, ExpressionError
from agno_dsl.templates import TemplateCompiler


@pytest.fixture
def compiler() -> TemplateCompiler:
    return TemplateCompiler()


def test_single_expression_keeps_native_type(compiler: TemplateCompiler) -> None:
    template = compiler.compile("{{ steps.a.output }}", "f:1:1", expression=False)
    assert template.evaluate({"steps": {"a": {"output": {"x": [1, 2]}}}}) == {"x": [1, 2]}


def test_mixed_template_renders_text(compiler: TemplateCompiler) -> None:
    template = compiler.compile("n={{ n }} and {{ n + 1 }}", "f:1:1", expression=False)
    assert template.evaluate({"n": 1}) == "n=1 and 2"


def test_undefined_names_fail_loudly_with_location(compiler: TemplateCompiler) -> None:
    template = compiler.compile("{{ steps.missing.output }}", "spec.yaml:3:9", expression=False)
    with pytest.raises(ExpressionError, match=r"^spec.yaml:3:9: template .* failed: .*missing"):
        template.evaluate({"steps": {}})


def test_sandbox_blocks_python_internals(compiler: TemplateCompiler) -> None:
    template = compiler.compile("{{ ''.__class__.__mro__ }}", "f:1:1", expression=False)
    with pytest.raises(ExpressionError, match="unsafe|access"):
        template.evaluate({})


def test_environment_is_not_visible(compiler: TemplateCompiler, monkeypatch) -> None:
    monkeypatch.setenv("SECRET", "s3cret")
    analysis = compiler.analyze("{{ env.SECRET }}", expression=False)
    assert analysis.free_names == {"env"}  # unknown name: the checker rejects it


def test_analysis_finds_step_references(compiler: TemplateCompiler) -> None:
    analysis = compiler.analyze(
        "steps.a.output + steps['b'].output + previous.output", expression=True
    )
    assert analysis.step_refs == ("a", "b")
    assert analysis.free_names == {"steps", "previous"}


def test_syntax_error_reports_line(compiler: TemplateCompiler) -> None:
    analysis = compiler.analyze("line one\n{{ broken ", expression=False)
    assert analysis.error and analysis.error_line == 2


def test_compile_value_nests_and_caches(compiler: TemplateCompiler) -> None:
    value = compiler.compile_value({"a": "{{ x }}", "b": ["plain", "{{ x * 2 }}"]}, "f:1:1")
    assert value.evaluate({"x": 2}) == {"a": 2, "b": ["plain", 4]}
    assert isinstance(compiler.compile_value({"a": "plain"}, "f:1:1"), Constant)
    first = compiler.compile("{{ x }}", "f:1:1", expression=False)
    assert compiler.compile("{{ x }}", "f:1:1", expression=False) is first
