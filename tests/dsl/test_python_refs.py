"""Python references: the default policy, widening it, and checks that never run user code."""

from __future__ import annotations

import json
import sys

import agno_dsl
import pytest
from agno_dsl.errors import SpecError
from agno_dsl.loader import load_document
from agno_dsl.python_refs import POST_HOOK_ARGUMENTS, PRE_HOOK_ARGUMENTS

from tests.conftest import run_cli

MODEL = "models: {m: {provider: scripted, responses: [{content: ok}]}}\n"


def _tool_spec(import_path: str, extra: str = "") -> str:
    return (
        f"version: 1\n{MODEL}tools: {{t: {{python: '{import_path}'}}}}\n"
        f"agents: {{a: {{model: m, tools: [t]}}}}\n{extra}"
    )


@pytest.mark.parametrize(
    "import_path",
    [
        "os:system",
        "os:popen",
        "os:remove",
        "posix:system",
        "subprocess:run",
        "subprocess:Popen",
        "builtins:eval",
        "builtins:exec",
        "builtins:__import__",
        "shutil:rmtree",
        "importlib:import_module",
        "ctypes:CDLL",
        "pickle:loads",
        "asyncio:create_subprocess_shell",
    ],
)
def test_dangerous_callables_are_refused_by_default(import_path: str, write_spec) -> None:
    path = write_spec(_tool_spec(import_path))
    with pytest.raises(SpecError) as caught:
        load_document(path)
    (problem,) = caught.value.problems
    assert f"'{import_path}' can run commands, code or delete files" in str(problem)
    assert str(problem).startswith(f"{path}:3:21: tool ")  # at the tool's python: value


def test_other_standard_library_needs_allowing_but_packages_and_own_modules_do_not(
    write_spec,
) -> None:
    with pytest.raises(SpecError, match="standard library"):
        load_document(write_spec(_tool_spec("json:dumps")))
    load_document(write_spec(_tool_spec("json:dumps", "python_allow: [json]\n")))
    load_document(write_spec(_tool_spec("json:dumps")), allow_python=["json"])
    load_document(write_spec(_tool_spec("json:dumps")), allow_python=["json:dumps"])
    load_document(write_spec(_tool_spec("jinja2:pass_context")))  # an installed package
    path = write_spec(_tool_spec("helpers.text:shout"))
    (path.parent / "helpers").mkdir()
    (path.parent / "helpers" / "text.py").write_text(
        "def shout(text: str) -> str:\n    return text\n"
    )
    load_document(path)  # the spec's own tree


def test_allowing_a_module_does_not_allow_its_dangerous_callables(write_spec) -> None:
    path = write_spec(_tool_spec("os:system", "python_allow: [os]\n"))
    with pytest.raises(SpecError, match="can run commands"):
        load_document(path)
    load_document(write_spec(_tool_spec("os:getcwd", "python_allow: [os]\n")))
    load_document(write_spec(_tool_spec("os.path:join", "python_allow: [os]\n")))
    load_document(write_spec(_tool_spec("os:system", "python_allow: ['os:system']\n")))


def test_run_refuses_before_anything_runs(write_spec, tmp_path) -> None:
    marker = tmp_path / "ran"
    path = write_spec(
        f"version: 1\n{MODEL}workflows:\n  w:\n    steps:\n"
        f"      - {{name: touch, function: 'pathlib:Path.touch', input: '{marker}'}}\n"
    )
    result = run_cli(["run", str(path), "--storage", f"sqlite:///{tmp_path}/x.db"])
    assert result.exit_code == 2
    assert "standard library" in result.stderr and "Traceback" not in result.output
    assert not marker.exists()
    with pytest.raises(SpecError, match="standard library"):
        agno_dsl.run(path)


def test_cli_allow_python_widens_validate(write_spec) -> None:
    path = write_spec(_tool_spec("json:dumps"))
    assert run_cli(["validate", str(path)]).exit_code == 1
    result = run_cli(["validate", str(path), "--allow-python", "json"])
    assert result.exit_code == 0, result.stderr


def test_checks_never_import_the_users_module(write_spec) -> None:
    path = write_spec(
        f"version: 1\n{MODEL}workflows:\n  w:\n    steps:\n"
        "      - {name: s, function: 'sideeffect:step'}\n"
        "      - {name: t, function: 'pkg.inner:go'}\n"
    )
    folder = path.parent
    (folder / "sideeffect.py").write_text(
        "raise SystemExit('imported!')\n\ndef step(step_input):\n    return 1\n"
    )
    (folder / "pkg").mkdir()
    (folder / "pkg" / "__init__.py").write_text("raise SystemExit('package imported!')\n")
    (folder / "pkg" / "inner.py").write_text("def go(step_input):\n    return 2\n")
    load_document(path)
    assert not [name for name in sys.modules if "sideeffect" in name]


def test_missing_module_and_attribute_suggest_names(write_spec) -> None:
    path = write_spec(
        f"version: 1\n{MODEL}workflows:\n  w:\n    steps:\n"
        "      - {name: a, function: 'stepz:clean'}\n      - {name: b, function: 'steps:claen'}\n",
        **{"steps.py": "import re\n\ndef clean(step_input):\n    return 1\n"},
    )
    with pytest.raises(SpecError) as caught:
        load_document(path)
    lines = [str(p) for p in caught.value.problems]
    assert "no module 'stepz'" in lines[0] and "did you mean 'steps'?" in lines[0]
    assert "module 'steps' has no 'claen'" in lines[1] and "did you mean 'clean'?" in lines[1]


def test_names_bound_indirectly_are_trusted(write_spec) -> None:
    source = (
        "import functools\nfrom os.path import join as joined\n"
        "try:\n    from json import dumps\nexcept ImportError:\n    dumps = None\n"
        "partial_step = functools.partial(print)\n"
        "class Tools:\n    @staticmethod\n    def run(step_input):\n        return 1\n"
    )
    steps = "".join(
        f"      - {{name: s{i}, function: 'lib:{attribute}'}}\n"
        for i, attribute in enumerate(["joined", "dumps", "partial_step", "Tools.run"])
    )
    path = write_spec(
        f"version: 1\n{MODEL}workflows:\n  w:\n    steps:\n{steps}", **{"lib.py": source}
    )
    load_document(path)


@pytest.mark.parametrize(
    ("signature", "complaint"),
    [
        ("def f(session_state): ...", "'session_state' is not passed to function steps"),
        ("def f(step_input, *, extra): ...", "'extra' would be missing"),
        ("def f(a, b): ...", "'b' would be missing"),
    ],
)
def test_function_step_signatures(signature: str, complaint: str, write_spec) -> None:
    path = write_spec(
        f"version: 1\n{MODEL}workflows:\n  w:\n    steps:\n      - {{name: s, function: 'fn:f'}}\n",
        **{"fn.py": signature + "\n"},
    )
    with pytest.raises(SpecError, match=complaint):
        load_document(path)


@pytest.mark.parametrize(
    "signature",
    [
        "def f(step_input): ...",
        "def f(): ...",
        "def f(step_input, run_context=None): ...",
        "def f(step_input, run_context): ...",  # agno's run_context is passed by name
        "async def f(step_input, **kwargs): ...",
    ],
)
def test_fitting_function_step_signatures_pass(signature: str, write_spec) -> None:
    path = write_spec(
        f"version: 1\n{MODEL}workflows:\n  w:\n    steps:\n      - {{name: s, function: 'fn:f'}}\n",
        **{"fn.py": signature + "\n"},
    )
    load_document(path)


def test_hook_arguments_match_what_the_runtime_passes(write_spec) -> None:
    """Hooks asking for every name the checker allows run; one more name is refused."""
    pre = ", ".join(sorted(PRE_HOOK_ARGUMENTS))
    post = ", ".join(sorted(POST_HOOK_ARGUMENTS))
    source = (
        f"SEEN = []\n\ndef pre({pre}):\n    SEEN.append('pre')\n\n"
        f"def post({post}):\n    SEEN.append('post')\n\n"
        "def greedy(input, message):\n    pass\n"
    )
    spec = (
        f"version: 1\n{MODEL}"
        "agents: {a: {model: m, pre_hooks: ['hooks_mod:pre'], post_hooks: ['hooks_mod:post']}}\n"
    )
    path = write_spec(spec, **{"hooks_mod.py": source})
    assert agno_dsl.run(path, "hi", agent="a").content == "ok"
    greedy = write_spec(spec.replace("hooks_mod:pre", "hooks_mod:greedy"), name="greedy.yaml")
    with pytest.raises(SpecError, match="hook parameter 'message' is not passed"):
        load_document(greedy)


def test_tool_injected_parameters(write_spec) -> None:
    source = (
        "def ok(x: int, session_state: dict, run_context) -> int:\n    return x\n\n"
        "def bad(x: int, agent) -> int:\n    return x\n"
    )
    good = write_spec(_tool_spec("tl:ok"), **{"tl.py": source})
    load_document(good)
    bad = write_spec(_tool_spec("tl:bad"), name="bad.yaml")
    with pytest.raises(SpecError, match="'agent' is not passed to tools"):
        load_document(bad)


def test_a_run_allowed_by_allow_python_resumes_under_the_same_policy(write_spec) -> None:
    """The widened policy is recorded with the run: resume does not refuse the spec."""
    path = write_spec(
        "version: 1\n"
        "workflows:\n"
        "  w:\n"
        "    steps:\n"
        '      - {name: dump, function: "pprint:pformat"}\n'
        "      - {name: check, function: pprint:pformat, confirm: Go on?}\n"
    )
    started = run_cli(["run", str(path), "--allow-python", "pprint", "--json"])
    assert started.exit_code == 3, started.output  # paused at the confirmation
    run_id = json.loads(started.stdout)["run_id"]
    resumed = run_cli(["resume", run_id, "--approve", "--json"])
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.stdout)["status"] == "completed"
