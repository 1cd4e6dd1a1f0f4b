"""dsl/loader.py: whole-file loading, imports, design examples."""

from __future__ import annotations

from pathlib import Path

import agno_dsl
from agno_dsl.errors import SpecError
from agno_dsl.loader import load_document
from agno_dsl.source import parse_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_design_examples_validate(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    document = load_document(EXAMPLES / "design.yaml")
    assert set(document.spec.workflows) == {"brief", "dag"}
    assert document.outlines["dag"].dependencies == {
        "fetch": set(),
        "outline": {"fetch"},
        "critic": {"fetch"},
        "final": {"outline", "critic"},
    }
    assert document.spec.models["fast"].api_key == "sk-test"  # type: ignore[union-attr]


def test_imports_merge_and_locate_in_their_file(write_spec, tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "models.yaml").write_text(
        "version: 1\nmodels:\n  m: {provider: echo}\nagents:\n  a: {model: m}\n"
    )
    spec = write_spec(
        "version: 1\nimports: [lib/models.yaml]\nworkflows:\n  w:\n    steps: [{agent: a}]\n"
    )
    document = load_document(spec)
    assert set(document.spec.agents) == {"a"}
    assert document.locate(("agents", "a", "model")).file.endswith("lib/models.yaml")


def test_diamond_import_is_not_a_clash(write_spec, tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("version: 1\nmodels:\n  m: {provider: echo}\n")
    (tmp_path / "left.yaml").write_text("version: 1\nimports: [base.yaml]\n")
    (tmp_path / "right.yaml").write_text("version: 1\nimports: [base.yaml]\n")
    spec = write_spec("version: 1\nimports: [left.yaml, right.yaml]\n")
    # base.yaml reached twice is one definition, not a clash.
    assert set(load_document(spec).spec.models) == {"m"}


def test_public_load_returns_spec(write_spec) -> None:
    spec = agno_dsl.load(write_spec("version: 1\nmodels:\n  m: {provider: echo}\n"))
    assert spec.version == 1 and "m" in spec.models


def test_auto_names_get_suffixes(write_spec) -> None:
    document = load_document(
        write_spec(
            "version: 1\nmodels: {m: {provider: echo}}\nagents: {w: {model: m}}\n"
            "workflows:\n  f:\n    steps: [{agent: w}, {agent: w}, {name: w_2, agent: w}]\n"
        )
    )
    assert [s.name for s in document.outlines["f"].steps] == ["w", "w_3", "w_2"]


yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
json_like = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)
spec_keys = st.sampled_from(
    [
        "version",
        "models",
        "agents",
        "workflows",
        "teams",
        "tools",
        "steps",
        "graph",
        "agent",
        "parallel",
        "provider",
        "name",
        "input",
    ]
)
spec_like = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(spec_keys, children, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_like, spec_like))
def test_arbitrary_mappings_only_raise_spec_error(tmp_path_factory, data) -> None:
    import json

    path = tmp_path_factory.mktemp("h") / "spec.yaml"
    path.write_text(json.dumps(data))  # JSON is YAML
    try:
        load_document(path)
    except SpecError as exc:
        assert exc.problems


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_only_raises_spec_error(text: str) -> None:
    try:
        parse_yaml(text, "t.yaml")
    except SpecError as exc:
        assert exc.problems
