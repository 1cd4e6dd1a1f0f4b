"""agno-dsl side of the workloads; prints one JSON result. Run by run.py."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_timing import median_after_warmup  # noqa: E402


def _plan(yaml_text: str):  # type: ignore[no-untyped-def]
    from agno_dsl.compiler import Compiler
    from agno_dsl.loader import load_document

    folder = Path(tempfile.mkdtemp())
    path = folder / "spec.yaml"
    path.write_text(yaml_text)
    document = load_document(path)
    compiler = Compiler(document)
    return compiler, compiler.workflow(next(iter(document.spec.workflows)))


def _step(name: str, body: str) -> str:
    return f'      - {{name: {name}, function: "bench_steps:{body}"}}\n'


def chain(n: int) -> dict[str, float]:
    from agno_dsl.interpreter.engine.workflow import execute_workflow

    spec = "version: 1\nworkflows:\n  w:\n    steps:\n" + "".join(
        _step(f"s{i}", "noop") for i in range(n)
    )
    compiler, plan = _plan(spec)

    async def once() -> float:
        started = time.perf_counter()
        output = await execute_workflow(plan, "x", models={}, listeners=[])
        assert output.status == "completed", output.error
        return time.perf_counter() - started

    async def main() -> float:
        await once()  # warm up
        runs = max(3, 20_000 // n)
        return min([await once() for _ in range(runs)])

    best = asyncio.run(main())
    return {"seconds": best, "us_per_step": best / n * 1e6}


def fan(width: int, body: str, head_tail: bool) -> dict[str, float]:
    from agno_dsl.interpreter.engine.workflow import execute_workflow

    branches = "".join("        " + _step(f"b{i}", body).lstrip() for i in range(width))
    parallel = f"      - parallel:\n          name: p\n          steps:\n{branches}"
    parallel = parallel.replace("        - ", "            - ")
    steps = (
        (_step("first", body) if head_tail else "")
        + parallel
        + (_step("last", body) if head_tail else "")
    )
    compiler, plan = _plan("version: 1\nworkflows:\n  w:\n    steps:\n" + steps)

    async def once() -> float:
        started = time.perf_counter()
        output = await execute_workflow(plan, "x", models={}, listeners=[])
        assert output.status == "completed", output.error
        return time.perf_counter() - started

    return {"seconds_median": median_after_warmup(once)}


def storage(backend: str) -> dict[str, float]:
    """Recording cost: µs per step added by each backend, and W3 with recording on."""
    import uuid

    import agno_dsl

    folder = Path(tempfile.mkdtemp())
    unique = "bench" + uuid.uuid4().hex[:8]
    url = {
        "sqlite": f"sqlite:///{folder}/bench.db",
        "postgresql": f"postgresql://postgres@127.0.0.1:5432/test?schema={unique}",
        "redis": f"redis://127.0.0.1:6379/0?prefix={unique}:",
    }[backend]
    n = 100
    chain_spec = folder / "chain.yaml"
    chain_spec.write_text(
        "version: 1\nworkflows:\n  w:\n    steps:\n"
        + "".join(_step(f"s{i}", "noop") for i in range(n))
    )
    branches = "".join(
        f'            - {{name: b{i}, function: "bench_steps:sleep50"}}\n' for i in range(8)
    )
    fan_spec = folder / "fan.yaml"
    fan_spec.write_text(
        "version: 1\nworkflows:\n  w:\n    steps:\n"
        + _step("first", "sleep50")
        + "      - parallel:\n          name: p\n          steps:\n"
        + branches
        + _step("last", "sleep50")
    )

    async def timed(path: Path, url: str | None) -> float:
        started = time.perf_counter()
        output = await agno_dsl.arun(path, "x", storage=url)
        assert output.status == "completed", output.error
        return time.perf_counter() - started

    async def main() -> dict[str, float]:
        chain, fan = agno_dsl.load(chain_spec), agno_dsl.load(fan_spec)
        await timed(chain_spec, url)
        # Alternately, so that machine noise hits both alike; the best of each.
        plain, recorded = [], []
        for _ in range(10):
            plain.append(await timed(chain, None))
            recorded.append(await timed(chain, url))
        fan_runs = sorted([await timed(fan, url) for _ in range(5)])
        return {
            "in_memory_us_per_step": min(plain) / n * 1e6,
            "us_per_step": (min(recorded) - min(plain)) / n * 1e6,
            "fanout_x_critical_path": fan_runs[2] / 0.150,
        }

    async def cleanup() -> None:
        from agno_dsl.interpreter.storage import open_storage

        store = await open_storage(url)
        await store.drop_all()
        await store.close()

    result = asyncio.run(main())
    asyncio.run(cleanup())
    return result


def agent_run() -> dict[str, float]:
    """W1: one agent run with a model that answers at once."""
    from agno_dsl.interpreter.engine.workflow import execute_agent

    spec = (
        "version: 1\nmodels: {fake: {provider: scripted, responses: [{content: ok}]}}\n"
        "agents: {a: {model: fake, instructions: Be brief.}}\n"
    )
    compiler, _ = _plan(spec + "workflows: {w: {steps: [{agent: a}]}}\n")
    agent = compiler.agent("a")

    async def main() -> float:
        await execute_agent(agent, "hi", models=compiler.models, listeners=[])
        started = time.perf_counter()
        for _ in range(500):
            await execute_agent(agent, "hi", models=compiler.models, listeners=[])
        return (time.perf_counter() - started) / 500

    return {"us_per_run": asyncio.run(main()) * 1e6}


def traced(kind: str) -> dict[str, float]:
    """Telemetry's cost: the same agent run (W1) or 100-step chain (W2), off then on.

    On means what `--trace` does, minus the network: the OpenTelemetry sink of
    every run, the SDK's batch span processor and its in-memory exporter.
    """
    from agno_dsl.interpreter.engine.workflow import execute_agent, execute_workflow
    from agno_dsl.interpreter.sinks.otel import OtelSink
    from agno_dsl.interpreter.sinks.otel_export import Telemetry, TelemetryConfig
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    telemetry = Telemetry(
        TelemetryConfig(metrics=False), span_exporters=[exporter], record_spans=False
    )
    if kind == "agent":
        spec = (
            "version: 1\nmodels: {fake: {provider: scripted, responses: [{content: ok}]}}\n"
            "agents: {a: {model: fake, instructions: Be brief.}}\n"
            "workflows: {w: {steps: [{agent: a}]}}\n"
        )
        compiler, _ = _plan(spec)
        agent = compiler.agent("a")

        async def run(on: bool) -> None:
            listeners = [OtelSink(telemetry)] if on else []
            await execute_agent(agent, "hi", models=compiler.models, listeners=listeners)

        count, unit = 500, 1
    else:
        n = 100
        _, plan = _plan(
            "version: 1\nworkflows:\n  w:\n    steps:\n"
            + "".join(_step(f"s{i}", "noop") for i in range(n))
        )

        async def run(on: bool) -> None:
            listeners = [OtelSink(telemetry)] if on else []
            await execute_workflow(plan, "x", models={}, listeners=listeners)

        count, unit = 100, n

    async def per_unit(on: bool) -> float:
        await run(on)  # warm up
        started = time.perf_counter()
        for _ in range(count):
            await run(on)
        exporter.clear()
        return (time.perf_counter() - started) / count / unit * 1e6

    async def main() -> dict[str, float]:
        off = await per_unit(False)
        on = await per_unit(True)
        return {"off_us": off, "on_us": on, "added_us": on - off}

    result = asyncio.run(main())
    telemetry.shutdown()
    return result


def concurrent(runs: int) -> dict[str, float]:
    """W5: many 1→8→1 runs at once in one process."""
    from agno_dsl.interpreter.engine.workflow import execute_workflow
    from bench_concurrency import measure_concurrent

    branches = "".join(
        f'            - {{name: b{i}, function: "bench_steps:sleep50"}}\n' for i in range(8)
    )
    compiler, plan = _plan(
        "version: 1\nworkflows:\n  w:\n    steps:\n"
        + _step("first", "sleep50")
        + "      - parallel:\n          name: p\n          steps:\n"
        + branches
        + _step("last", "sleep50")
    )

    async def one() -> float:
        started = time.perf_counter()
        await execute_workflow(plan, "x", models={}, listeners=[])
        return time.perf_counter() - started

    return measure_concurrent(one, runs)


def team_run() -> dict[str, float]:
    """W6: a coordinate team, scripted leader delegating to 3 members at once."""
    from agno_dsl.interpreter.engine.workflow import execute_team

    calls = ", ".join(
        f"{{name: delegate_task_to_member, arguments: {{member_id: m{i}, task: t{i}}}}}"
        for i in range(3)
    )
    spec = (
        "version: 1\nmodels:\n  lead: {provider: scripted, responses: "
        f"[{{tool_calls: [{calls}]}}, {{content: done}}]}}\n"
        "  member: {provider: scripted, responses: [{content: ok}]}\n"
        "agents: {m0: {model: member}, m1: {model: member}, m2: {model: member}}\n"
        "teams: {t: {model: lead, members: [m0, m1, m2]}}\n"
        "workflows: {w: {steps: [{team: t}]}}\n"
    )
    compiler, _ = _plan(spec)
    team = compiler.team("t")

    async def main() -> float:
        await execute_team(team, "go", models=compiler.models, listeners=[])
        started = time.perf_counter()
        for _ in range(200):
            await execute_team(team, "go", models=compiler.models, listeners=[])
        return (time.perf_counter() - started) / 200

    return {"us_per_run": asyncio.run(main()) * 1e6}


def validate(n: int) -> dict[str, float]:
    """W7: load and check a spec of n steps, as `agno-dsl validate` does."""
    from agno_dsl.loader import load_document

    folder = Path(tempfile.mkdtemp())
    path = folder / "big.yaml"
    path.write_text(
        "version: 1\nmodels: {m: {provider: echo}}\nagents: {a: {model: m}}\n"
        "workflows:\n  w:\n    steps:\n"
        + "".join(
            f'      - {{name: s{i}, agent: a, input: "{{{{ previous.output }}}} {i}"}}\n'
            for i in range(n)
        )
    )
    started = time.perf_counter()
    load_document(path)
    return {"seconds": time.perf_counter() - started}


def stream(words: int) -> dict[str, float]:
    """W8: tokens/s of a streamed answer, as delta events reaching the caller."""
    from agno_dsl.interpreter.engine.workflow import execute_agent

    spec = (
        "version: 1\nmodels: {fake: {provider: scripted, responses: "
        f'[{{content: "{"tok " * words}", stream: true}}]}}}}\n'
        "agents: {a: {model: fake}}\n"
    )
    compiler, _ = _plan(spec + "workflows: {w: {steps: [{agent: a}]}}\n")
    agent = compiler.agent("a")

    async def once() -> float:
        seen = 0

        def count(event: object) -> None:
            nonlocal seen
            seen += bool(getattr(event, "delta", False))

        started = time.perf_counter()
        await execute_agent(agent, "hi", models=compiler.models, listeners=[count])
        elapsed = time.perf_counter() - started
        assert seen == words, seen
        return elapsed

    return {"tokens_per_second": words / median_after_warmup(once)}


def mcp_calls(transport: str) -> dict[str, float]:
    """W9: an agent run of CALLS MCP tool calls, the session opened beforehand (as agno's
    `async with MCPTools(...)`): µs per call."""
    from contextlib import nullcontext

    from agno_dsl.interpreter.agents.agent import run_agent
    from agno_dsl.interpreter.context import RunContext, Scope
    from agno_dsl.interpreter.tools.mcp import McpServers
    from bench_mcp import CALLS, STDIO_COMMAND, http_server

    turns = "".join(
        f"  - tool_calls: [{{name: add, arguments: {{a: {i}, b: 1}}}}]\n" for i in range(CALLS)
    )
    with http_server() if transport == "http" else nullcontext() as url:
        command = json.dumps(list(STDIO_COMMAND))
        server = f"{{url: '{url}'}}" if url else f"{{command: {command}}}"
        spec = (
            f"version: 1\nmodels:\n fake:\n  provider: scripted\n  responses:\n{turns}"
            f"  - content: done\ntools: {{calc: {{mcp: {server}}}}}\n"
            "agents: {a: {model: fake, tools: [calc]}}\n"
        )
        compiler, _ = _plan(spec + "workflows: {w: {steps: [{agent: a}]}}\n")
        agent = compiler.agent("a")

        async def main() -> float:
            servers = McpServers()
            try:

                async def once() -> float:
                    ctx = RunContext(
                        input="go",
                        workflow_name=None,
                        session_id=None,
                        models=compiler.models,
                        listeners=[],
                        max_concurrency=None,
                    )
                    ctx.mcp = servers  # opened by the first run, kept for the others
                    started = time.perf_counter()
                    output = await run_agent(agent, "go", ctx, Scope())
                    assert output.tools is not None and len(output.tools) == CALLS
                    return time.perf_counter() - started

                await once()  # opens the session
                samples = sorted([await once() for _ in range(5)])
                return samples[2]
            finally:
                await servers.aclose()

        return {"us_per_call": asyncio.run(main()) / CALLS * 1e6}


if __name__ == "__main__":
    workload, arg = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    if workload == "chain":
        result = chain(int(arg))
    elif workload == "fanout":
        result = fan(8, "sleep50", True)
    elif workload == "storage":
        result = storage(arg)
    elif workload == "agent":
        result = agent_run()
    elif workload == "concurrent":
        result = concurrent(int(arg or 100))
    elif workload == "team":
        result = team_run()
    elif workload == "validate":
        result = validate(int(arg or 1000))
    elif workload == "stream":
        result = stream(int(arg or 1000))
    elif workload == "mcp":
        result = mcp_calls(arg)
    elif workload == "traced":
        result = traced(arg)
    else:
        result = fan(200, "sleep20", False)
    print(json.dumps(result))
