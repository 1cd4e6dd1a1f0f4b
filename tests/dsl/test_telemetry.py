"""Telemetry end to end: `--trace` exporters, a real OTLP receiver, redaction, `runs trace`,
and nothing of OpenTelemetry imported when telemetry is off."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import COOKBOOK, ROOT, run_cli
from tests.dsl.otlp_receiver import GrpcReceiver, HttpReceiver, attributes
from tests.interpreter.storage.conftest import storage_url  # noqa: F401 - fixture

AGNO_DSL = str(Path(sys.executable).parent / "agno-dsl")
TOOLS = "tests.interpreter.sinks.otel_tools"
PLANTED_TOKEN = "plantedTokenValue42"
COLLECTOR_SECRET = "collectorSecret77"
# Every one of these is in the run's content or errors; none may leave the process.
SECRETS = [
    PLANTED_TOKEN,
    "sk-proj-ABCDEFGHIJKLMNOP1234",
    "hunter2pass",
    "abcdefghijklmnop123",
    "jane.doe@example.com",
    COLLECTOR_SECRET,
]

LEAKY_SPEC = f"""
version: 1
telemetry: {{capture_content: true, mask_pii: true, service_name: leaky}}
models:
  mirror: {{provider: echo}}
  caller:
    provider: scripted
    responses:
      - tool_calls: [{{name: leak, arguments: {{text: "${{PLANTED_API_TOKEN}}"}}}}]
      - content: done
tools:
  leak: {{python: "{TOOLS}:leak"}}
agents:
  repeat: {{model: mirror}}
  user: {{model: caller, tools: [leak]}}
workflows:
  main:
    steps:
      - name: echo_secret
        agent: repeat
        input: "token=${{PLANTED_API_TOKEN}} mail jane.doe@example.com"
      - {{name: use_tool, agent: user}}
      - {{name: fail, function: "{TOOLS}:boom", on_error: fail, retries: 0}}
"""


def run_agno_dsl(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PLANTED_API_TOKEN": PLANTED_TOKEN,
        "AGNO_DSL_STORAGE": f"sqlite:///{tmp_path}/runs.db",
        **env,
    }
    return subprocess.run(
        [AGNO_DSL, *args], capture_output=True, text=True, cwd=ROOT, env=environment, timeout=120
    )


def assert_no_secret(text: str | bytes, where: str) -> None:
    data = text.encode() if isinstance(text, str) else text
    for secret in SECRETS:
        assert secret.encode() not in data, f"{secret!r} leaked into {where}"


def stored_spans(tmp_path: Path) -> str:
    with sqlite3.connect(tmp_path / "runs.db") as db:
        return "\n".join(row[0] for row in db.execute("SELECT span FROM agno_dsl_spans"))


def test_otlp_http_export_reaches_a_real_receiver_complete_and_tagged(write_spec, tmp_path):
    spec = write_spec(LEAKY_SPEC)
    with HttpReceiver() as receiver:
        result = run_agno_dsl(
            ["run", str(spec), "go", "--trace", "otlp", "--json"],
            tmp_path,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_EXPORTER_OTLP_HEADERS=f"x-collector-key={COLLECTOR_SECRET}",
        )
    assert result.returncode == 1, result.stderr  # the last step fails, on purpose
    run_id = json.loads(result.stdout)["run_id"]
    spans = receiver.spans()
    names = {span.name for _, span in spans}
    assert {"main.arun", "echo_secret.aexecute", "repeat.arun", "leak", "fail.aexecute"} <= names
    resource = attributes(spans[0][0].attributes)
    assert resource["agno.runtime"] == "agno-dsl"
    assert resource["service.name"] == "leaky"
    root = next(span for _, span in spans if span.name == "main.arun")
    assert attributes(root.attributes)["agno.run.id"] == run_id
    assert len({span.trace_id for _, span in spans}) == 1
    # The collector's credential is sent as a header, never inside the payload.
    assert any(h.get("x-collector-key") == COLLECTOR_SECRET for h in receiver.headers)
    assert receiver.bodies["/v1/metrics"], "metrics were exported too"
    assert_no_secret(receiver.raw(), "the OTLP/HTTP payload")
    assert_no_secret(stored_spans(tmp_path), "the stored spans")
    # Masked, not dropped: the content is there with its secrets replaced.
    tool = next(span for _, span in spans if span.name == "leak")
    result_text = attributes(tool.attributes)["gen_ai.tool.call.result"]
    assert "***" in result_text and "[EMAIL]" in result_text


def test_otlp_grpc_export_is_redacted(write_spec, tmp_path):
    spec = write_spec(LEAKY_SPEC)
    with GrpcReceiver() as receiver:
        result = run_agno_dsl(
            ["run", str(spec), "go", "--trace", "otlp"],
            tmp_path,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL="grpc",
            OTEL_EXPORTER_OTLP_HEADERS=f"x-collector-key={COLLECTOR_SECRET}",
        )
    assert result.returncode == 1, result.stderr
    assert {"main.arun", "leak", "fail.aexecute"} <= {span.name for _, span in receiver.spans()}
    assert receiver.metric_bodies
    assert_no_secret(receiver.raw(), "the OTLP/gRPC payload")


def test_console_and_jsonl_exporters_are_redacted(write_spec, tmp_path):
    spec = write_spec(LEAKY_SPEC)
    console = run_agno_dsl(["run", str(spec), "go", "--trace", "console"], tmp_path)
    assert console.returncode == 1
    assert '"name": "leak"' in console.stderr  # the spans went to stderr
    # The CLI's own last line (the run's error, as the user's function raised it) is the
    # terminal's, not telemetry's; everything the console exporter wrote is checked.
    exported = [line for line in console.stderr.splitlines() if not line.startswith("error: ")]
    assert_no_secret("\n".join(exported), "the console exporter")
    jsonl = tmp_path / "spans.jsonl"
    result = run_agno_dsl(["run", str(spec), "go", "--trace", str(jsonl)], tmp_path)
    assert result.returncode == 1
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert {"main.arun", "leak"} <= {line["name"] for line in lines}
    assert all(line["resource"]["agno.runtime"] == "agno-dsl" for line in lines)
    assert_no_secret(jsonl.read_text(), "the JSONL exporter")
    assert_no_secret(stored_spans(tmp_path), "the stored spans")


def test_in_memory_exporter_gets_redacted_spans(write_spec, monkeypatch):
    from agno_dsl import api
    from agno_dsl.interpreter.sinks.otel_export import Telemetry
    from agno_dsl.loader import load_document
    from agno_dsl.telemetry import telemetry_config
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    monkeypatch.setenv("PLANTED_API_TOKEN", PLANTED_TOKEN)
    document = load_document(write_spec(LEAKY_SPEC))
    config = telemetry_config(document)
    assert config is not None
    exporter = InMemorySpanExporter()
    telemetry = Telemetry(config, span_exporters=[exporter])
    document.spec._document = document
    api.run(document.spec, "go", telemetry=telemetry)
    telemetry.flush()
    text = json.dumps(
        [
            {
                **dict(s.attributes),
                "status": s.status.description,
                "events": [dict(e.attributes) for e in s.events],
            }
            for s in exporter.get_finished_spans()
        ]
    )
    assert "leak" in text
    assert_no_secret(text, "the in-memory exporter")


def test_runs_trace_draws_the_stored_tree(write_spec, tmp_path, monkeypatch):
    monkeypatch.setenv("PLANTED_API_TOKEN", PLANTED_TOKEN)
    spec = write_spec(
        LEAKY_SPEC.replace(
            '      - {name: fail, function: "' + TOOLS + ':boom", on_error: fail, retries: 0}\n',
            "",
        )
    )
    jsonl = tmp_path / "spans.jsonl"
    result = run_cli(["run", str(spec), "go", "--json", "--trace", str(jsonl)])
    run_id = json.loads(result.output)["run_id"]
    shown = run_cli(["runs", "trace", run_id])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].startswith(f"run {run_id}  completed  trace ")
    tree_text = "\n".join(lines[1:])
    for name in ("main.arun", "├── echo_secret.aexecute", "repeat.arun", "Echo.ainvoke", "leak"):
        assert name in tree_text
    assert " ms" in tree_text


def test_runs_trace_of_an_untraced_run_says_how_to_trace():
    spec = COOKBOOK / "01_single_agent" / "spec.yaml"
    result = run_cli(["run", str(spec), "hi", "--json"])
    run_id = json.loads(result.output)["run_id"]
    shown = run_cli(["runs", "trace", run_id])
    assert shown.exit_code == 2
    assert "--trace" in shown.output


def test_trace_option_rejects_unknown_exporters(write_spec):
    result = run_cli(
        ["run", str(COOKBOOK / "01_single_agent" / "spec.yaml"), "hi", "--trace", "jaeger"]
    )
    assert result.exit_code == 2
    assert "otlp, console or a file name ending in .jsonl" in result.output


def test_bad_telemetry_section_is_one_located_line(write_spec):
    spec = write_spec("version: 1\ntelemetry: {exporter: zipkin}\n")
    result = run_cli(["validate", str(spec)])
    assert result.exit_code == 1
    assert "spec.yaml:2:" in result.output and "exporter" in result.output


IMPORT_GUARD = """
import sys
from agno_dsl.cli import main
runs = (["--help"], ["run", "--help"], ["validate", SPEC, TRACED], ["graph", TRACED])
for args in (*runs, ["run", SPEC, "-i", "topic=tides"]):
    try:
        main(args, standalone_mode=False)
    except SystemExit:
        pass
heavy = ("opentelemetry", "grpc", "google.protobuf")
loaded = sorted(m for m in sys.modules if m.startswith(heavy))
print("LOADED", loaded)
"""


def test_nothing_of_opentelemetry_is_imported_when_telemetry_is_off(tmp_path):
    spec = COOKBOOK / "02_sequential_workflow" / "spec.yaml"
    traced = tmp_path / "traced.yaml"  # a telemetry section: only a run would load the SDK
    traced.write_text(
        "version: 1\ntelemetry: {exporter: otlp}\n"
        "models: {m: {provider: echo}}\nagents: {a: {model: m}}\n"
        "workflows: {w: {steps: [{agent: a}]}}\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"SPEC = {str(spec)!r}\nTRACED = {str(traced)!r}\n" + IMPORT_GUARD],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "AGNO_DSL_STORAGE": f"sqlite:///{tmp_path}/r.db"},
        timeout=120,
    )
    assert "Tide pools" in result.stdout, result.stderr  # the run did run
    assert "LOADED []" in result.stdout, result.stdout


def test_otel_environment_names_the_service(write_spec, tmp_path):
    spec = write_spec(LEAKY_SPEC.replace(", service_name: leaky", ""))
    jsonl = tmp_path / "named.jsonl"
    run_agno_dsl(
        ["run", str(spec), "go", "--trace", str(jsonl)],
        tmp_path,
        OTEL_SERVICE_NAME="from-env",
        OTEL_RESOURCE_ATTRIBUTES="deployment.environment=test",
    )
    resource: dict[str, Any] = json.loads(jsonl.read_text().splitlines()[0])["resource"]
    assert resource["service.name"] == "from-env"
    assert resource["deployment.environment"] == "test"
    assert resource["agno.runtime"] == "agno-dsl"


@pytest.mark.parametrize("sampler", ["always_off"])
def test_otel_sampler_from_the_environment(write_spec, tmp_path, sampler):
    spec = write_spec(LEAKY_SPEC)
    jsonl = tmp_path / "sampled.jsonl"
    run_agno_dsl(
        ["run", str(spec), "go", "--trace", str(jsonl)], tmp_path, OTEL_TRACES_SAMPLER=sampler
    )
    assert not jsonl.exists() or jsonl.read_text() == ""


PAUSING_SPEC = """
version: 1
models:
  plain: {provider: scripted, responses: [{content: drafted}, {content: published}]}
agents:
  writer: {model: plain}
workflows:
  main:
    steps:
      - {name: draft, agent: writer}
      - {name: publish, agent: writer, confirm: "Publish it?"}
"""


def test_resume_with_trace_continues_the_trace_shown_by_runs_trace(write_spec, tmp_path):
    spec = write_spec(PAUSING_SPEC)
    jsonl = tmp_path / "resume.jsonl"
    paused = run_agno_dsl(["run", str(spec), "go", "--json", "--trace", str(jsonl)], tmp_path)
    assert paused.returncode == 3, paused.stderr
    run_id = json.loads(paused.stdout)["run_id"]
    resumed = run_agno_dsl(["resume", run_id, "--approve", "--trace", str(jsonl)], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    roots = [line for line in lines if line["parent_span_id"] is None]
    assert [r["attributes"].get("agno.status") for r in roots] == ["paused", "completed"]
    assert roots[1]["trace_id"] == roots[0]["trace_id"]
    assert roots[1]["links"][0]["span_id"] == roots[0]["span_id"]
    shown = run_agno_dsl(["runs", "trace", run_id], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("main.arun") == 2
    assert "paused" in shown.stdout and "resumed" in shown.stdout


def test_spans_are_stored_beside_the_run_on_every_backend(write_spec, storage_url):  # noqa: F811
    """SQLite, PostgreSQL and Redis: the run's spans come back as the tree `runs trace` draws."""
    from agno_dsl import api

    from tests.interpreter.sinks.conftest import Traced

    traced = Traced()
    spec = write_spec(PAUSING_SPEC.replace(', confirm: "Publish it?"', ""))
    output = api.run(spec, "go", storage=storage_url, telemetry=traced.telemetry)
    assert output.status == "completed"
    shown = run_cli(["runs", "trace", output.run_id, "--storage", storage_url])
    assert shown.exit_code == 0, shown.output
    for name in ("main.arun", "draft.aexecute", "publish.aexecute", "writer.arun"):
        assert name in shown.output
    traced.telemetry.shutdown()
