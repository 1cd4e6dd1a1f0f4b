"""docs/migration.md cannot go stale: every parameter of agno's classes is in it,
every place it names exists in agno-dsl (and every `coming:` key does not yet),
and its Python recipes work as written."""

from __future__ import annotations

import re
import textwrap
from collections import defaultdict
from pathlib import Path

import agno_dsl
import pytest
from agno_dsl.cli import main as cli
from agno_dsl.interpreter.functions import StepInput
from agno_dsl.interpreter.tools.base import INJECTED, RunContext
from agno_dsl.jsonschema import language_schema
from agno_dsl.python_refs import POST_HOOK_ARGUMENTS, PRE_HOOK_ARGUMENTS

from .guide_tables import (
    BACKTICKED,
    GUIDE,
    NO_KEY_WORDS,
    Places,
    Row,
    agno_parameters,
    cells,
    read_rows,
)

# Every class the issue asks the guide to map (agno 3.1.10's import paths).
AGNO_CLASSES = (
    "agno.agent.Agent",
    "agno.team.Team",
    "agno.workflow.Workflow",
    "agno.workflow.Step",
    "agno.workflow.Steps",
    "agno.workflow.Parallel",
    "agno.workflow.Condition",
    "agno.workflow.Loop",
    "agno.workflow.Router",
    "agno.workflow.types.StepInput",
    "agno.run.RunContext",
    "agno.tools.decorator.tool",
)


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return list(read_rows(GUIDE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def places() -> Places:
    return Places(language_schema(), cli, {"step_input": StepInput, "run_context": RunContext})


def test_every_class_has_a_table(rows: list[Row]) -> None:
    assert {row.target for row in rows} == set(AGNO_CLASSES)


@pytest.mark.parametrize("target", AGNO_CLASSES)
def test_every_agno_parameter_is_in_the_guide(rows: list[Row], target: str) -> None:
    listed: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.target == target:
            for param in row.params:
                listed[param].append(row.line)
    agno = agno_parameters(target)
    problems = []
    missing = sorted(agno - set(listed))
    if missing:
        problems.append(f"misses {target} parameters: {', '.join(missing)}")
    unknown = sorted(f"{name} (line {listed[name][0]})" for name in set(listed) - agno)
    if unknown:
        problems.append(f"lists names {target} does not have: {', '.join(unknown)}")
    twice = sorted(f"{name} (lines {lines})" for name, lines in listed.items() if len(lines) > 1)
    if twice:
        problems.append(f"lists {target} parameters twice: {', '.join(twice)}")
    assert not problems, "docs/migration.md " + "; ".join(problems)


def test_every_named_place_exists(rows: list[Row], places: Places) -> None:
    absent = [
        f"line {row.line}: {place}"
        for row in rows
        for place in row.current
        if not places.exists(place)
    ]
    assert not absent, "docs/migration.md names keys agno-dsl does not have:\n" + "\n".join(absent)


def test_coming_keys_are_not_there_yet(rows: list[Row], places: Places) -> None:
    # When the branch adding a key merges, this fails until the row is flipped.
    arrived = [
        f"line {row.line}: {place}" for row in rows for place in row.coming if places.exists(place)
    ]
    assert not arrived, (
        "these `coming:` keys exist now; in docs/migration.md drop their `coming:` "
        "marker (and the branch name):\n" + "\n".join(arrived)
    )


def test_rows_without_a_key_say_why(rows: list[Row]) -> None:
    vague = [
        f"line {row.line}: {row.word!r}"
        for row in rows
        if not row.current and not row.coming and row.word not in NO_KEY_WORDS
    ]
    assert not vague, f"a row names no key and is not one of {NO_KEY_WORDS}: {vague}"
    without_workaround = [
        f"line {row.line}: {', '.join(row.params)}"
        for row in rows
        if row.word == "unsupported" and not row.notes
    ]
    assert not without_workaround, f"unsupported rows without a workaround: {without_workaround}"


def test_the_place_checker_can_tell(places: Places) -> None:
    # The checks above are only as good as this: real keys pass, invented ones do not.
    assert places.exists("agents.<name>.instructions")
    assert places.exists("<step>.loop.until")
    assert places.exists("<step>.condition.if")
    assert places.exists("models.<name>.responses[].stream")
    assert places.exists("--session")
    assert places.exists("step_input.get_step_content")
    assert places.exists("run_context.session_state")
    assert not places.exists("agents.<name>.instructons")
    assert not places.exists("<step>.loop.else")
    assert not places.exists("teams.<name>.agent")
    assert not places.exists("--sesion")
    assert not places.exists("step_input.get_everything")
    assert not places.exists("run_context.messages")


# --- the recipes for Python code work as the guide writes them --------------------

SCRIPTED_CALL = """\
version: 1
models:
  fake:
    provider: scripted
    responses:
      - tool_calls: [{{name: add, arguments: {{a: 2, b: 3}}}}]
      - content: done
tools:
  add: {{python: "{path}"}}
agents:
  calc: {{model: fake, tools: [add]}}
"""


def _run_tool(tmp_path: Path, module: str, source: str, path: str) -> object:
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(SCRIPTED_CALL.format(path=path))
    output = agno_dsl.run(agno_dsl.load(spec_file), "add 2 and 3")
    assert output.status == "completed", output.error
    return output.tools[0]["result"]  # type: ignore[union-attr]


def test_a_toolkit_method_is_a_tool(tmp_path: Path) -> None:
    source = """
        from agno.tools.calculator import CalculatorTools

        calculator = CalculatorTools()
    """
    result = _run_tool(tmp_path, "kit", source, "kit:calculator.add")
    assert '"result": 5' in str(result)


def test_an_agno_tool_decorated_function_is_named_by_its_entrypoint(tmp_path: Path) -> None:
    source = '''
        from agno.tools import tool

        @tool(stop_after_tool_call=False)
        def add(a: int, b: int) -> str:
            """Add two numbers."""
            return str(a + b)
    '''
    assert _run_tool(tmp_path, "decorated", source, "decorated:add.entrypoint") == "5"


def test_the_first_example_is_a_valid_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert example.startswith("version: 1")
    (tmp_path / "mytools.py").write_text("def get_weather(city: str) -> str:\n    return city\n")
    (tmp_path / "brief.yaml").write_text(example)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    spec = agno_dsl.load(tmp_path / "brief.yaml")
    assert set(spec.agents) == {"researcher", "writer"}


def _section(title: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    after = text.split(f"\n{title}\n", 1)[1]
    section = re.split(r"\n#{2,3} ", after, maxsplit=1)[0]  # up to the next heading
    return re.sub(r"```.*?```", "", section, flags=re.DOTALL)  # its prose, not its code


def test_the_hook_table_lists_what_hooks_receive() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    table = text.split("<!-- hook-arguments -->\n", 1)[1].split("\n\n", 1)[0]
    declared = {}
    for line in table.splitlines()[2:]:
        kind, may_declare = cells(line)[:2]
        declared[kind] = {name for name in BACKTICKED.findall(may_declare) if name.isidentifier()}
    assert declared == {"pre-hook": PRE_HOOK_ARGUMENTS, "post-hook": POST_HOOK_ARGUMENTS}


def test_the_tool_section_names_what_tools_receive() -> None:
    named = set(BACKTICKED.findall(_section("### Python tools")))
    assert named >= INJECTED, f"the guide does not say how tools get {sorted(INJECTED - named)}"


def _guide_python(module: str) -> str:
    """The guide's ```python block that starts with `# MODULE.py`."""
    for block in GUIDE.read_text(encoding="utf-8").split("```python\n")[1:]:
        code = block.split("```", 1)[0]
        if code.startswith(f"# {module}.py"):
            return code
    raise AssertionError(f"docs/migration.md has no python block for {module}.py")


def _spec(tmp_path: Path, module: str | None, yaml_text: str) -> Path:
    """A spec in tmp_path, beside the guide's MODULE.py when one is named."""
    if module is not None:
        (tmp_path / f"{module}.py").write_text(_guide_python(module))
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(textwrap.dedent(yaml_text))
    return spec_file


def test_the_guides_tool_gets_its_arguments_and_the_session_state(tmp_path: Path) -> None:
    spec_file = _spec(
        tmp_path,
        "mytools",
        """\
        version: 1
        models:
          fake:
            provider: scripted
            responses:
              - tool_calls: [{name: get_weather, arguments: {city: Paris}}]
              - content: done
        tools:
          get_weather: {python: "mytools:get_weather", timeout: 5s}
        agents:
          assistant: {model: fake, tools: [get_weather], session_state: {asked: 1}}
        """,
    )
    output = agno_dsl.run(agno_dsl.load(spec_file), "weather?")
    assert output.tools[0]["result"] == "Sunny in Paris"  # type: ignore[index]
    assert output.session_state == {"asked": 2}


def test_the_guides_hooks_refuse_and_rewrite(tmp_path: Path) -> None:
    spec_file = _spec(
        tmp_path,
        "checks",
        """\
        version: 1
        models:
          fast: {provider: echo}
        agents:
          assistant: {model: fast, pre_hooks: ["checks:no_secrets"], post_hooks: ["checks:shout"]}
        """,
    )
    spec = agno_dsl.load(spec_file)
    assert agno_dsl.run(spec, "hello there").content == "HELLO THERE"
    refused = agno_dsl.run(spec, "my password is x")
    assert refused.status == "failed"
    assert refused.error == "InputCheckError: No secrets, please."


def test_the_guides_function_step_returns_a_step_output(tmp_path: Path) -> None:
    spec_file = _spec(
        tmp_path,
        "steps",
        """\
        version: 1
        models:
          mirror: {provider: echo}
        agents:
          echo: {model: mirror}
        workflows:
          tidy:
            steps:
              - {name: say, agent: echo}
              - {name: clean, function: "steps:clean"}
        """,
    )
    output = agno_dsl.run(agno_dsl.load(spec_file), "  tide pools  ")
    assert output.content == "tide pools"


def test_a_human_picks_the_route(tmp_path: Path) -> None:
    # The Router row's recipe for agno's HumanReview(requires_user_input=True).
    spec_file = _spec(
        tmp_path,
        None,
        """\
        version: 1
        models:
          mirror: {provider: echo}
        agents:
          writer: {model: mirror}
        workflows:
          post:
            steps:
              - router:
                  name: route
                  input_required:
                    type: object
                    properties: {route: {enum: [tech, general]}}
                    required: [route]
                  select: "human_input.route"
                  routes:
                    tech: [{name: tech_post, agent: writer, input: "a tech post"}]
                    general: [{name: post, agent: writer, input: "a general post"}]
        """,
    )
    storage = f"sqlite:///{tmp_path / 'runs.db'}"
    paused = agno_dsl.run(agno_dsl.load(spec_file), "hi", storage=storage)
    assert paused.status == "paused"
    resumed = agno_dsl.resume(paused.run_id, storage=storage, values={"route": "tech"})
    assert resumed.status == "completed"
    assert resumed.content == "a tech post"
