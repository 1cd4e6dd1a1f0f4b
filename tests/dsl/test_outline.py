"""dsl/outline.py: names and paths of every step, blocks included."""

from __future__ import annotations

from agno_dsl.loader import load_document


def test_names_kinds_and_paths(write_spec, tmp_path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("def Do_Thing(step_input):\n    return 1\n")
    document = load_document(
        write_spec("""version: 1
models: {m: {provider: echo}}
agents: {w: {model: m}}
workflows:
  f:
    steps:
      - {agent: w}
      - parallel:
          steps: [{agent: w}, {name: named, function: "pkg.mod:Do_Thing"}]
      - loop: {steps: [{agent: w}]}
""")
    )
    steps = list(document.outlines["f"].walk())
    assert [(s.name, s.kind) for s in steps] == [
        ("w", "agent"),
        ("parallel", "parallel"),
        ("w_2", "agent"),
        ("named", "function"),
        ("loop", "loop"),
        ("w_3", "agent"),
    ]
    assert steps[3].path == ("workflows", "f", "steps", 1, "parallel", "steps", 1)
    assert steps[1].options_path == ("workflows", "f", "steps", 1, "parallel")
